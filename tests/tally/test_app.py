"""The read API and the dashboard against real Redis; the dashboard driven in headless Chromium."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from playwright.async_api import async_playwright

from services.tally.app import create_app
from services.tally.domain.args import script_call
from tests.tally import history as h
from tests.tally.conftest import free_port, serve

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def sample() -> tuple[list, uuid.UUID, uuid.UUID]:
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    events = [
        h.campaign(target=100),
        h.initiative_state("submitted", initiative_id=a, version=1, path=h.PATHS[0], field="ATVSLĐ",
                           benefit=90_000_000, title="Cải tiến dây chuyền may"),
        h.initiative_state("submitted", initiative_id=b, version=1, path=h.PATHS[2], field="Môi trường",
                           confidential=True, title="Quy trình bí mật"),
        *[h.vote(a, f"m{k}", day=1) for k in range(3)],
        *[h.vote(b, f"m{k}", day=2) for k in range(5)],
    ]
    return events, a, b


async def apply(store, events) -> None:
    await store.ensure_generation()
    await store.apply_batch([script_call(d) for d in h.as_dicts(events)])


async def test_read_api_answers_totals_units_rankings_and_confidential_titles_only(settings, store):
    events, _, b = sample()
    await apply(store, events)
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        totals = (await client.get("/v1/campaigns/c2021/totals")).json()
        assert (totals["submitted"], totals["votes"], totals["benefit"], totals["progress"]) == (2, 8, 90_000_000, 0.02)
        ranking = (await client.get("/v1/campaigns/c2021/rankings", params={"metric": "votes"})).json()["ranking"]
        assert [(r["unit_id"], r["value"]) for r in ranking] == [("P40", 5), ("P24", 3)]
        assert ranking[1]["name"] == "Liên đoàn Lao động tỉnh Bắc Giang"
        top = (await client.get("/v1/campaigns/c2021/top-initiatives")).json()["initiatives"]
        assert top[0] == {"rank": 1, "initiative_id": str(b), "title": "Quy trình bí mật", "votes": 5,
                          "confidential": True}
        assert top[1]["unit_id"] == "P24-03-012" and top[1]["field"] == "ATVSLĐ"
        unit = (await client.get("/v1/campaigns/c2021/units/P24")).json()
        assert unit["submitted"] == 1 and unit["quota"] == 8000
        assert [c["unit_id"] for c in unit["children"] if c["submitted"]] == ["P24-03"]
        table = (await client.get("/v1/campaigns/c2021/daily-table", params={"metric": "votes"})).json()
        assert table["days"] == ["2021-03-12", "2021-03-13"]  # 19:00 UTC is the next day in Hà Nội
        assert {r["unit_id"]: r["counts"] for r in table["rows"] if r["total"]} == {"P40": [0, 5], "P24": [3, 0]}
        daily = (await client.get("/v1/campaigns/c2021/daily")).json()["series"]
        assert sum(d["votes"] for d in daily) == 8 and sum(d["submitted"] for d in daily) == 2
        assert (await client.get("/v1/campaigns/c2021/units/NOPE")).status_code == 404
        assert (await client.get("/v1/campaigns/c2021/rankings", params={"limit": 0})).status_code == 422
        await store.redis.set(store.keys.building, "1")
        rebuilding = await client.get("/v1/campaigns/c2021/totals")
        assert rebuilding.status_code == 503 and rebuilding.json()["type"].endswith("/rebuilding")


async def test_dashboard_shows_the_api_numbers_and_updates_when_a_vote_arrives(settings, store):
    events, a, _ = sample()
    await apply(store, events)
    port = free_port()
    server, task = await serve(create_app(settings), port)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = await browser.new_page()
            await page.goto(f"http://127.0.0.1:{port}/?campaign=c2021")
            await page.wait_for_function("document.getElementById('total-votes').textContent === '8'")
            assert await page.text_content("#total-submitted") == "2"
            assert "Bắc Giang" in (await page.text_content("#top-units-votes") or "")
            assert "Quy trình bí mật" in (await page.text_content("#top-initiatives") or "")
            assert await page.text_content("#progress-text") == "2.0%"
            await store.apply_batch([script_call(d) for d in h.as_dicts([h.vote(a, "late-voter", day=1)])])
            await page.wait_for_function("document.getElementById('total-votes').textContent === '9'", timeout=5000)
            await page.click("#top-units-votes tr.unit >> nth=0")
            await page.wait_for_function("document.getElementById('drill-name').textContent.includes('Nghệ An')")
            assert "P40" not in (await page.text_content("#drill") or "")  # names, not ids
            await browser.close()
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
