"""Each service's migrations build exactly the schema its table definitions describe, on SQLite and PostgreSQL.

The apps migrate themselves at start and the code reads the tables as ``adapters/tables.py`` defines them: a
column, index or type added to one and not the other would only show at run time (or as a slow query).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from services.awards.adapters.tables import metadata as awards_metadata
from services.awards.bootstrap import MIGRATIONS_DIR as AWARDS_MIGRATIONS
from services.submission import MIGRATIONS_DIR as SUBMISSION_MIGRATIONS
from services.submission.adapters.tables import metadata as submission_metadata
from shared.db import make_engine, upgrade_database_async


@pytest.mark.parametrize(("migrations", "metadata"), [
    pytest.param(SUBMISSION_MIGRATIONS, submission_metadata, id="submission"),
    pytest.param(AWARDS_MIGRATIONS, awards_metadata, id="awards"),
])
async def test_migrations_match_the_table_definitions(db_backend: str, migrations: Path, metadata: MetaData):
    await upgrade_database_async(migrations, db_backend)
    engine = make_engine(db_backend)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == []
