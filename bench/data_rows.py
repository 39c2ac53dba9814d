"""Rows on data volume: rebuild from the event feeds, bulk import of officers' files, the 2021 campaign replay."""

from __future__ import annotations

import asyncio
import io
import random
import re
import sys
import time
from typing import TYPE_CHECKING, Any

import aio_pika
import asyncpg
import orjson
import redis.asyncio as aioredis
from openpyxl import Workbook

from bench.loadgen import Connection
from bench.report import Row
from services.simulator.corpus import import_cells, initiative_form
from services.simulator.wire import multipart
from services.submission.adapters.spreadsheet import read_table, to_csv
from services.submission.domain.import_rows import COLUMNS
from services.tally.adapters.store import TallyStore
from services.tally.reads import COUNTERS
from services.tally.rebuild import rebuild, reconcile
from shared.auth import Role
from shared.settings import Settings
from shared.topology import topology_for

if TYPE_CHECKING:
    from bench.rows import Context

from bench.system import System, bearer

IMPORT_UNIT = "P24"  # the officer's subtree: Liên đoàn Lao động tỉnh Bắc Giang
BAD_EVERY = 97  # one row in 97 carries a mistake the report must name


async def rebuild_rate(ctx: Context) -> list[Row]:
    """Rebuild: replay the submission and awards feeds into a new Redis generation (the `tally rebuild` path)."""
    raw_redis = await ctx.baseline("raw_redis")
    system = await ctx.platform()
    await system.ensure_initiatives(200)
    settings = _feed_settings(system)
    waited = await settle_queues(settings)  # rebuild on a settled system, not behind awards' backlog
    before = (await system.counter("votes"), await system.counter("submitted"))
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        report = await rebuild(TallyStore(client, settings), settings,
                               [settings.submission_url, settings.awards_url])
    finally:
        await client.aclose()
    after = (await system.counter("votes"), await system.counter("submitted"))
    rate = report.events / report.seconds
    return [Row(
        "rebuild: events/s replayed from the feeds into an empty generation", rate, "events/s",
        "raw Redis pipelined script calls/s", raw_redis, "≥ 50,000/s", rate >= 50_000,
        notes=f"{report.events:,} events ({report.applied:,} applied) in {report.seconds:.1f} s (after {waited:.0f} s "
              "waiting for the tally and awards queues to drain), feeds read over "
              f"HTTP from submission (PostgreSQL) and awards; national votes/submitted {before} before and {after} "
              f"after the rebuild ({'equal' if before == after else 'DIFFERENT'}).",
        extra={"events": report.events},
    )]


def _feed_settings(system: System) -> Settings:
    """Settings that reach the bench platform's namespace, Redis and event feeds."""
    env = system.platform.env
    return Settings(namespace=system.platform.namespace, submission_url=env["SANGKIEN_SUBMISSION_URL"],
                    awards_url=env["SANGKIEN_AWARDS_URL"], env="test")


async def settle_queues(settings: Settings, within: float = 300.0) -> float:
    """Seconds until every consuming queue of the namespace is empty (bounded by ``within``)."""
    topology = topology_for(settings)
    started = time.perf_counter()
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        while time.perf_counter() - started < within:
            depths = []
            for spec in topology.queues:
                queue = await channel.declare_queue(spec.name, passive=True)
                depths.append(queue.declaration_result.message_count or 0)
            if not any(depths):
                break
            await asyncio.sleep(0.5)
    return time.perf_counter() - started


def _import_rows(
    count: int, fields: dict[str, str], units: list[str], tree_names: dict[str, str], *, first_seq: int,
) -> list[list[Any]]:
    rng = random.Random(75 + first_seq)
    benefit = [c.key for c in COLUMNS].index("benefit_vnd")
    rows = []
    for i in range(count):
        unit = units[i % len(units)]
        form = initiative_form(rng, unit_id=unit, unit_name=tree_names[unit], fields=list(fields), seq=first_seq + i)
        cells = import_cells(form, fields[form["field"]])
        if i % BAD_EVERY == 5:
            cells[benefit] = "mười triệu"  # not a number: reported for this row, the rest go in
        rows.append(cells)
    return rows


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sáng kiến")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def _post_import(
    port: int, path: str, headers: dict[str, str], body: bytes,
) -> tuple[float, dict[str, Any]]:
    """Seconds one upload took and the import report it answered."""
    conn = Connection("127.0.0.1", port)
    started = time.perf_counter()
    try:
        status, answer = await conn.request("POST", path, headers, body)
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"import answered {status}: {answer[:300]!r}")
    report: dict[str, Any] = orjson.loads(answer)
    return elapsed, report


async def _submitted_in_sql(env: dict[str, str], campaign_id: str) -> int:
    """Initiatives of the campaign submitted in submission's database (what tally's counter must reach)."""
    conn = await asyncpg.connect(env["SANGKIEN_SUBMISSION_DB_URL"].replace("postgresql+asyncpg", "postgresql"))
    try:
        return int(await conn.fetchval(
            "SELECT count(*) FROM initiatives WHERE campaign_id = $1 AND status = 'submitted'", campaign_id,
        ))
    finally:
        await conn.close()


async def bulk_import(ctx: Context) -> list[Row]:
    """Bulk import of XLSX and CSV files by a union officer: rows/s, per-row errors reported."""
    system = await ctx.platform()
    template = await system.call(system.submission_port, "GET", "/v1/campaigns/75k-2021", {})
    fields = {f["code"]: f.get("label") or f.get("name") or f["code"] for f in template["fields"]}
    tree = system.tree
    units = sorted(u for u in tree.subtree_ids(IMPORT_UNIT) if tree.level(u) == 4)
    count = ctx.n(10_000, least=500)
    header = [c.header for c in COLUMNS]
    out: list[Row] = []
    officer = bearer(f"can-bo-{IMPORT_UNIT}", Role.OFFICER, IMPORT_UNIT)
    env = system.platform.env
    settings = _feed_settings(system)
    for n, kind in enumerate(("xlsx", "csv")):
        # Each file is measured on a settled platform: the events of the file before (or of the rows before this
        # one) are published, counted and opened as review cases first, as the XLSX file always was.
        await system.wait_counter("submitted", await _submitted_in_sql(env, system.campaign_id), within=300)
        await settle_queues(settings)
        rows = _import_rows(count, fields, units, {u: tree.get(u).name for u in units}, first_seq=n * count)
        if kind == "xlsx":
            data, media = _xlsx(header, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            data, media = to_csv(header, rows), "text/csv"
        parse_started = time.perf_counter()
        read_table(data)
        parse_rate = count / (time.perf_counter() - parse_started)
        content_type, body = multipart(f"sang-kien-{kind}.{kind}", data, media)
        headers = {"Content-Type": content_type, "Authorization": officer}
        path = f"/v1/imports?campaign_id={system.campaign_id}"
        elapsed, report = await _post_import(system.submission_port, path, headers, body)
        again_elapsed, again = await _post_import(system.submission_port, path, headers, body)  # idempotent
        expected_bad = sum(1 for i in range(count) if i % BAD_EVERY == 5)
        rate = count / elapsed
        idempotent = again["created"] == 0 and again["already_present"] == report["created"]
        out.append(Row(
            f"bulk import ({kind.upper()}, {count:,} rows, one request): rows/s", rate, "rows/s",
            "reading the same file only (rows/s)", parse_rate, "≥ 5,000 rows/s, per-row errors reported",
            rate >= 5_000 and report["invalid"] == expected_bad and len(report["errors"]) >= expected_bad
            and idempotent,
            notes=f"{len(data) / 2**20:.1f} MB; created {report['created']:,}, already present "
                  f"{report['already_present']:,}, invalid {report['invalid']:,} (expected {expected_bad}), "
                  f"{len(report['errors'])} row errors reported, e.g. {report['errors'][:1]}; the same file again: "
                  f"{count / again_elapsed:,.0f} rows/s, created {again['created']:,}, already present "
                  f"{again['already_present']:,}.",
        ))
    return out


async def replay(ctx: Context) -> list[Row]:
    """The 2021 campaign (241,802 initiatives, 2 M votes) through the whole system with `sangkien simulate`."""
    system = await ctx.platform()
    share = ctx.replay_scale
    initiatives, votes = max(100, int(241_802 * share)), max(1_000, int(2_000_000 * share))
    review = ["--review-share", str(ctx.replay_review_share), "--import-share", str(ctx.replay_import_share)]
    args = ["simulate", "--initiatives", str(initiatives), "--votes", str(votes), "--concurrency", "32",
            "--settle-seconds", "600", *review]
    if share >= 1.0:
        args = ["simulate", "--preset", "2021", "--concurrency", "32", "--settle-seconds", "1800", *review]
    ctx.console.print(f"  sangkien {' '.join(args)}")
    started = time.perf_counter()
    done = await asyncio.to_thread(system.platform.cli, *args, timeout=max(1800, 8 * 3600 * share))
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("sent in")), len(lines))
    last = next((i for i in range(first, len(lines)) if "settling" in lines[i]), first)
    sent = " ".join(lines[first:last + 1])  # the console wraps the line with the phase times
    tail = (sent + " " + " ".join(lines[-4:]))[-900:]
    exact = done.returncode == 0 and "exact" in done.stdout
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
    replayed = Row(
        f"campaign replay: {initiatives:,} initiatives + {votes:,} votes through HTTP, with review at "
        f"{ctx.replay_review_share:.0%} of grassroots unions, {ctx.replay_import_share:.0%} of initiatives by "
        "officers' import", seconds, "s",
        # Only the full volume meets the bar; a partial replay states its exactness in the notes.
        bar="finishes, counts exact, time stated", passed=exact if share >= 1.0 else None,
        notes=f"{'full 2021 volume' if share >= 1.0 else f'{share:.1%} of the 2021 volume'}; exit "
              f"{done.returncode}; {tail}",
    )
    if not exact:
        return [replayed]
    campaign = re.search(r"campaign (\S+): [\d,]+ initiatives", done.stdout)
    try:
        return [replayed, await _rebuild_after_replay(ctx, system, campaign[1] if campaign else None)]
    except Exception as exc:  # the replay's own row must survive a failure of the step after it
        ctx.console.print_exception(max_frames=8)
        return [replayed, Row("rebuild after the campaign replay: FAILED", float("nan"), "", passed=False,
                              notes=f"{type(exc).__name__}: {exc}")]


async def _rebuild_after_replay(ctx: Context, system: System, campaign_id: str | None) -> Row:
    """At campaign scale: the live counters equal the fold of the feeds; rebuilt from the feeds, they still do."""
    raw_redis = await ctx.baseline("raw_redis")
    settings = _feed_settings(system)
    feeds = [settings.submission_url, settings.awards_url]
    await settle_queues(settings)
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        store = TallyStore(client, settings)
        started = time.perf_counter()
        live = await reconcile(store, settings, feeds)
        reconcile_seconds = time.perf_counter() - started
        before = [await system.counter(name, campaign_id=campaign_id) for name in COUNTERS]
        report = await rebuild(store, settings, feeds)
        after = [await system.counter(name, campaign_id=campaign_id) for name in COUNTERS]
        rebuilt = await reconcile(store, settings, feeds)
    finally:
        await client.aclose()
    rate = report.events / report.seconds
    return Row(
        "rebuild after the campaign replay: events/s from the feeds into an empty generation", rate, "events/s",
        "raw Redis pipelined script calls/s", raw_redis, "≥ 50,000/s, counters equal before and after",
        rate >= 50_000 and not live and not rebuilt and before == after,
        notes=f"{report.events:,} events ({report.applied:,} applied) in {report.seconds:.1f} s, feeds read over HTTP; "
              f"reconcile of the live counters against the feeds before it: {len(live)} differences "
              f"({reconcile_seconds:.0f} s), after it: {len(rebuilt)}; the replayed campaign's national counters "
              f"{dict(zip(COUNTERS, before, strict=True))} before, {'equal' if before == after else after} after.",
        extra={"events": report.events},
    )
