"""The read API and the dashboard against real Redis; the dashboard driven in headless Chromium."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
from playwright.async_api import async_playwright, expect

from services.tally.app import create_app
from services.tally.domain.args import script_call
from services.tally.pointers import RECENT_SECONDS
from services.tally.reads import TallyReader
from shared.events import AwardKind
from shared.problems import PROBLEM_MEDIA_TYPE
from tests.support.servers import free_port
from tests.tally import history as h
from tests.tally.conftest import serve

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
        assert top[1]["unit_id"] == "P24-03-007" and top[1]["field"] == "ATVSLĐ"
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
        await asyncio.sleep(RECENT_SECONDS + 0.005)  # cached answers: pointers read at most 20 ms before the request
        rebuilding = await client.get("/v1/campaigns/c2021/totals")
        assert rebuilding.status_code == 503 and rebuilding.json()["type"].endswith("/rebuilding")


async def test_response_models_send_the_json_the_reads_build_byte_for_byte(settings, store, redis_client):
    events, a, _ = sample()
    c, case, award = uuid.UUID(int=3), uuid.UUID(int=4), uuid.UUID(int=5)
    events += [
        h.initiative_state("submitted", initiative_id=c, version=1, path=h.PATHS[1], field="Môi trường"),
        h.initiative_state("withdrawn", initiative_id=c, version=2, path=h.PATHS[1], field="Môi trường"),
        h.review(a, case, 1, (4, 3)),
        h.award(a, award, 1, granted=True, level=3, kind=AwardKind.GIAY_KHEN, grade="xuat_sac"),
    ]
    await apply(store, events)
    reader = TallyReader(redis_client, settings)

    async def campaign_list() -> dict:
        return {"campaigns": await reader.campaigns()}

    reads = {
        "/v1/campaigns": campaign_list,
        "/v1/campaigns/c2021/totals": lambda: reader.totals("c2021"),
        "/v1/campaigns/nope/totals": lambda: reader.totals("nope"),
        "/v1/campaigns/c2021/units/*": lambda: reader.unit("c2021", "*"),
        "/v1/campaigns/c2021/units/P24": lambda: reader.unit("c2021", "P24"),
        "/v1/campaigns/c2021/units/P24-03": lambda: reader.unit("c2021", "P24-03"),
        "/v1/campaigns/c2021/rankings?metric=awards&level=2": lambda: reader.rankings(
            "c2021", parent_id="VGCL", metric="awards", limit=10),
        "/v1/campaigns/c2021/rankings?parent=P24&limit=3": lambda: reader.rankings(
            "c2021", parent_id="P24", metric="initiatives", limit=3),
        "/v1/campaigns/c2021/top-initiatives": lambda: reader.top_initiatives("c2021", unit_id="*", limit=10),
        "/v1/campaigns/c2021/top-initiatives?unit=P40": lambda: reader.top_initiatives(
            "c2021", unit_id="P40", limit=10),
        "/v1/campaigns/c2021/daily?unit=P24": lambda: reader.daily("c2021", unit_id="P24"),
        "/v1/campaigns/c2021/daily-table?parent=P24": lambda: reader.daily_table(
            "c2021", parent_id="P24", metric="initiatives"),
    }
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t",
    ) as client:
        for path, read in reads.items():
            built = await read()  # what the API sent before it had response models
            response = await client.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.content == json.dumps(built, ensure_ascii=False, separators=(",", ":")).encode(), path
        totals = (await client.get("/v1/campaigns/c2021/totals")).json()
        assert totals["awards_by_grade"] == {"xuat_sac": 1} and totals["recognised_by_level"] == {"3": 1, "4": 1}
        assert totals["withdrawn"] == 1 and totals["by_field"] == {"ATVSLĐ": 1, "Môi trường": 1}
        await store.redis.set(store.keys.building, "1")
        await asyncio.sleep(RECENT_SECONDS + 0.005)
        rebuilding = await client.get("/v1/campaigns")
        assert rebuilding.status_code == 503 and rebuilding.headers["content-type"] == PROBLEM_MEDIA_TYPE
        assert rebuilding.headers["retry-after"] == "5" and rebuilding.json()["retry_after"] == 5


def test_openapi_documents_each_read_with_its_model_and_problems(settings):
    document = create_app(settings).openapi()
    schemas = document["components"]["schemas"]
    reads = {path: item["get"] for path, item in document["paths"].items() if path.startswith("/v1/campaigns")}
    assert len(reads) == 7
    for path, operation in reads.items():
        ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.rsplit("/", 1)[1] in schemas, path
        rebuilding = operation["responses"]["503"]["content"][PROBLEM_MEDIA_TYPE]
        assert rebuilding["schema"]["$ref"] == "#/components/schemas/ProblemDetails", path
        assert rebuilding["example"]["type"].endswith("/rebuilding")
        takes_a_unit = path.endswith(("/units/{unit_id}", "/rankings", "/top-initiatives", "/daily", "/daily-table"))
        assert ("schema" in operation["responses"]["404"]["content"][PROBLEM_MEDIA_TYPE]) == takes_a_unit, path
    assert schemas["TopInitiatives"]["properties"]["initiatives"]["items"]["anyOf"] == [
        {"$ref": "#/components/schemas/PublicInitiative"}, {"$ref": "#/components/schemas/ConfidentialInitiative"}]
    assert set(schemas["ConfidentialInitiative"]["properties"]) == {
        "rank", "initiative_id", "title", "votes", "confidential"}
    assert {"type": "null"} in schemas["CampaignTotals"]["properties"]["progress"]["anyOf"]
    assert schemas["ValidationIssue"]["required"] == ["loc", "msg", "type", "label", "message_vi"]
    stream = document["paths"]["/v1/stream"]["get"]["responses"]["200"]["content"]
    assert list(stream) == ["text/event-stream"]
    level = next(p for p in reads["/v1/campaigns/{campaign_id}/rankings"]["parameters"] if p["name"] == "level")
    assert level["deprecated"] is True


async def test_dashboard_shows_the_api_numbers_and_updates_when_a_vote_arrives(settings, store):
    events, a, _ = sample()
    await apply(store, events)
    port = free_port()
    server, task = await serve(create_app(settings), port)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = await browser.new_page()
            refused: list[str] = []  # what the Content-Security-Policy blocked, if anything
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            await page.goto(f"http://127.0.0.1:{port}/?campaign=c2021")
            await expect(page.locator("#total-votes")).to_have_text("8")  # no eval: the CSP forbids it
            assert await page.text_content("#total-submitted") == "2"
            assert "Bắc Giang" in (await page.text_content("#top-units-votes") or "")
            assert "Quy trình bí mật" in (await page.text_content("#top-initiatives") or "")
            assert await page.text_content("#progress-text") == "2.0%"
            await store.apply_batch([script_call(d) for d in h.as_dicts([h.vote(a, "late-voter", day=1)])])
            await expect(page.locator("#total-votes")).to_have_text("9", timeout=5000)
            await page.click("#top-units-votes tr.unit >> nth=0")
            await expect(page.locator("#drill-name")).to_contain_text("Nghệ An")
            assert "P40" not in (await page.text_content("#drill") or "")  # names, not ids
            assert refused == []
            await browser.close()
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
