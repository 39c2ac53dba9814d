"""RabbitMQ stopped and started under load with the whole platform running: nothing accepted is lost.

Votes and submissions keep flowing over HTTP while the broker is down (they wait in the outbox); when it is
back, the relays publish, the tally workers and the awards consumer re-attach by themselves (nobody restarts
them), every write that got a 2xx is counted exactly, awards opens a case for every submission, and
`sangkien tally reconcile` finds no difference.
"""

from __future__ import annotations

import asyncio

import pytest

from bench.platform import Platform
from tests.faults.campaign import CampaignDriver, reconcile
from tests.support.servers import rabbitmq_stopped

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = 6.0


async def test_broker_restart_under_load_loses_no_accepted_write_and_consumers_reattach(platform: Platform):
    driver = CampaignDriver(platform)
    try:
        await driver.wait_ready()
        baseline = await driver.tally_totals()
        initiatives = [i for i in [await driver.submit_initiative(f"Sáng kiến trước sự cố {n}") for n in range(4)]
                       if i]
        assert len(initiatives) == 4, driver.ledger.refused
        stop = asyncio.Event()
        votes = asyncio.create_task(driver.vote_stream(initiatives, stop))
        await asyncio.sleep(2.0)
        before = len(driver.ledger.votes)
        async with rabbitmq_stopped():
            during = len(driver.ledger.votes)
            for n in range(3):  # new initiatives while the broker is down: awards must still open their cases
                await driver.submit_initiative(f"Sáng kiến trong sự cố {n}")
            await asyncio.sleep(2.0)  # what workers had prefetched before the stop is applied by now
            frozen = (await driver.tally_totals())["votes"]
            await asyncio.sleep(OUTAGE_SECONDS)
            # The outage is real: votes are accepted, nothing reaches tally until the broker is back.
            assert (await driver.tally_totals())["votes"] == frozen
            during = len(driver.ledger.votes) - during
        for n in range(3):
            await driver.submit_initiative(f"Sáng kiến sau sự cố {n}")
        await asyncio.sleep(3.0)
        stop.set()
        await votes
        print(f"accepted votes: {before} before, {during} during the outage, {len(driver.ledger.votes)} in all; "
              f"refused: {dict(driver.ledger.refused)}")
        assert before > 0 and during > 0, "votes must be accepted before and during the outage"
        assert 500 not in driver.ledger.refused, f"a write failed with 500: {dict(driver.ledger.refused)}"

        await driver.wait_ready()
        await driver.wait_counted(baseline=baseline)
        await driver.wait_cases_opened()
        # Consumption keeps going after the re-attach, not only for what was queued during the outage.
        fresh = await driver.submit_initiative("Sáng kiến kiểm tra tiêu thụ lại")
        assert fresh is not None
        await driver.vote(fresh, "tv-sau-cung")
        await driver.wait_counted(baseline=baseline)
        await driver.wait_cases_opened()
    finally:
        await driver.aclose()
    await asyncio.to_thread(reconcile, platform)
