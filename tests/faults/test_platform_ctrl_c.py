"""Ctrl-C on `sangkien up` while votes flow: in-flight work finishes, and after a restart nothing is lost.

The platform SIGTERMs every child: uvicorn answers the requests it has, the relay stops between batches
(unpublished rows stay in the outbox), tally workers apply and ack their batch. Started again on the same
databases and namespace, it publishes and counts the rest: tally equals the votes stored in SQL, every vote
that got a 2xx is among them, and reconcile finds no difference. (Tally's own SIGTERM test with a pre-filled
queue is tests/tally/test_worker.py.)
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import uuid
from pathlib import Path

import pytest

from bench.platform import platform_env, start_platform, stop_platform
from tests.faults.campaign import GENEROUS_LIMITS, CampaignDriver, Ledger, reconcile

pytestmark = pytest.mark.slow


def stored_votes(database: Path) -> set[str]:
    with sqlite3.connect(database) as conn:
        return {str(uuid.UUID(str(row[0]))) for row in conn.execute("SELECT id FROM votes")}


async def test_ctrl_c_while_votes_flow_loses_nothing_after_a_restart(tmp_path: Path):
    env = platform_env(tmp_path, namespace=f"flt{uuid.uuid4().hex[:10]}", extra=GENEROUS_LIMITS)
    database = Path(env["SANGKIEN_SUBMISSION_DB_URL"].split("///", 1)[1])
    ledger = Ledger()
    platform = await asyncio.to_thread(start_platform, env, tmp_path)
    try:
        driver = CampaignDriver(platform, ledger)
        try:
            await driver.wait_ready()
            baseline = await driver.tally_totals()
            initiatives = [i for i in [await driver.submit_initiative(f"Sáng kiến trước Ctrl-C {n}")
                                       for n in range(4)] if i]
            assert len(initiatives) == 4
            stop = asyncio.Event()
            votes = asyncio.create_task(driver.vote_stream(initiatives, stop))
            await asyncio.sleep(3.0)
            platform.process.send_signal(signal.SIGINT)
            code = await asyncio.to_thread(platform.process.wait, 60)
            stop.set()
            await votes
        finally:
            await driver.aclose()
        assert code == 0, platform.log()[-3000:]
        assert "stopped." in platform.log()
        accepted = set(ledger.votes)
        assert accepted, "votes must have been accepted before Ctrl-C"
        assert accepted <= stored_votes(database), "a vote answered 2xx is missing from the database"

        platform = await asyncio.to_thread(start_platform, env, tmp_path)
        driver = CampaignDriver(platform, Ledger(submitted=list(ledger.submitted), votes=stored_votes(database)))
        try:
            await driver.wait_ready()
            await driver.wait_counted(baseline=baseline)
        finally:
            await driver.aclose()
        await asyncio.to_thread(reconcile, platform)
    finally:
        await asyncio.to_thread(stop_platform, platform)
