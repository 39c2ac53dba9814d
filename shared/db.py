"""Database plumbing: async engines for SQLite (embedded default) and PostgreSQL, and Alembic upgrades."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Integer, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# An autoincrementing 64-bit key that SQLite also accepts as its rowid alias.
BigIntKey = BigInteger().with_variant(Integer(), "sqlite")


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def make_engine(url: str, *, pool_size: int = 8, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and foreign keys, PostgreSQL a sized pool.

    Every process of the platform holds a pool (two submission and two awards workers, the relay, tests), and
    PostgreSQL's default max_connections is 100: past it, connections are refused ("too many clients"). A busy
    process waits for a pooled connection instead (pool timeout, then 503).

    Bound values never appear in SQLAlchemy's error texts or echo (``hide_parameters``): they hold confidential
    details, birth dates and tokens' subjects, and errors end up in logs.
    """
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pooled connection keeps its PRAGMAs: they run once per connection, not once per transaction.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_size=pool_size,
                                     max_overflow=pool_size, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # Pre-ping costs a round trip per checkout (about a tenth of a submission request's CPU; votes check out once
    # per batch) but is kept: without it a connection killed by a server restart fails with asyncpg's
    # InternalClientError, which SQLAlchemy does not take for a disconnect, and requests answer 500 (tested).
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size // 2, pool_pre_ping=True,
                               hide_parameters=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(migrations_dir: Path, url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(migrations_dir: Path, url: str) -> None:
    """Apply a service's Alembic migrations up to head (synchronous; call from a thread in async code)."""
    from alembic import command

    command.upgrade(alembic_config(migrations_dir, url), "head")


async def upgrade_database_async(migrations_dir: Path, url: str) -> None:
    await asyncio.to_thread(upgrade_database, migrations_dir, url)


def run_migrations_online(target_metadata: Any) -> None:
    """Body of every service's Alembic ``env.py``: run migrations over an async engine."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=is_sqlite(url),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = make_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(main())


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE of a database error (asyncpg names it ``sqlstate``, psycopg ``pgcode``); None elsewhere."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code if isinstance(code, str) else None


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the PostgreSQL server that ``server_url`` points to."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def create_database(server_url: str, name: str, *, exist_ok: bool = False, owner: str | None = None) -> str:
    """Create database ``name`` on the server of ``server_url`` (a URL to its maintenance database); its URL.

    With ``owner`` (a service's role) the database belongs to that role alone: it owns the database and
    everything in it (an existing database is handed over), and no other role may connect (superusers aside).
    """
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            found = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if not (found and exist_ok):
                await conn.execute(text(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner}"' if owner else "")))
            if owner:
                await conn.execute(text(f'ALTER DATABASE "{name}" OWNER TO "{owner}"'))
                await conn.execute(text(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC'))
    finally:
        await engine.dispose()
    url = database_url(server_url, name)
    if owner and found:
        await _hand_over_objects(url, owner)
    return url


async def _hand_over_objects(url: str, owner: str) -> None:
    """Give ``owner`` the tables, sequences and views that an earlier, admin-run migration created."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f"""
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                             AND pg_get_userbyid(c.relowner) <> '{owner}'
                             AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- a serial's sequence follows its table
                                             WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                                               AND d.deptype IN ('a', 'i') AND c.relkind = 'S') LOOP
                    EXECUTE format('ALTER %s %I OWNER TO %I',
                      CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                     WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname, '{owner}');
                  END LOOP;
                END $$"""))
    finally:
        await engine.dispose()


async def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` (its open connections are closed first)."""
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()
