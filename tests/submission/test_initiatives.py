"""Initiative lifecycle over HTTP on SQLite and PostgreSQL: events in the same transaction, search, pagination."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from services.submission.adapters.tables import initiatives, outbox

from .support import CLOSED, SECRET, UNIT, UNIT_L2, UNIT_L3, Harness, form


async def outbox_events(h: Harness) -> list[dict]:
    async with h.context.engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.payload).order_by(outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows]


async def test_every_change_raises_the_version_and_writes_its_event(harness: Harness) -> None:
    h = harness
    draft = await h.create()
    assert (draft["status"], draft["version"]) == ("draft", 1)
    path = f"/v1/initiatives/{draft['id']}"
    edited = await h.client.patch(path, json={"benefit_vnd": 150_000_000}, headers=h.member())
    assert edited.status_code == 200 and edited.json()["version"] == 2
    submitted = await h.client.post(f"{path}/submit", headers=h.member())
    assert submitted.json()["status"] == "submitted" and submitted.json()["version"] == 3
    again = await h.client.patch(path, json={"title": "Cải tiến quy trình tiếp đón (bản 2)"}, headers=h.member())
    assert again.json()["version"] == 4
    unchanged = await h.client.patch(path, json={"title": "Cải tiến quy trình tiếp đón (bản 2)"}, headers=h.member())
    assert unchanged.json()["version"] == 4
    withdrawn = await h.client.post(f"{path}/withdraw", json={"reason": "Trùng sáng kiến đã có"}, headers=h.member())
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["version"] == 5

    mine = [e for e in await outbox_events(h) if e.get("initiative_id") == draft["id"]]
    assert [(e["type"], e["version"]) for e in mine] == [
        ("initiative.drafted", 1), ("initiative.updated", 2), ("initiative.submitted", 3),
        ("initiative.updated", 4), ("initiative.withdrawn", 5),
    ]
    assert all(e["unit_path"] == ["VGCL", UNIT_L2, UNIT_L3, UNIT] for e in mine)
    assert mine[2]["record_complete"] is True and mine[2]["benefit_vnd"] == 150_000_000
    assert mine[4]["reason"] == "Trùng sáng kiến đã có"
    assert len({e["event_id"] for e in mine}) == 5


async def test_repeated_changes_are_refused_with_their_own_problem(harness: Harness) -> None:
    h = harness
    item = await h.submitted()
    path = f"/v1/initiatives/{item['id']}"
    again = await h.client.post(f"{path}/submit", headers=h.member())
    assert again.status_code == 409 and again.json()["type"].endswith("/already-submitted")
    await h.client.post(f"{path}/withdraw", json={"reason": "Tác giả xin rút"}, headers=h.member())
    twice = await h.client.post(f"{path}/withdraw", json={"reason": "Tác giả xin rút"}, headers=h.member())
    assert twice.status_code == 409 and twice.json()["type"].endswith("/already-withdrawn")
    edit = await h.client.patch(path, json={"benefit_vnd": 1}, headers=h.member())
    assert edit.status_code == 409


async def test_submitting_outside_the_window_is_refused_with_the_window_in_vietnam_time(harness: Harness) -> None:
    h = harness
    draft = await h.create(campaign_id=CLOSED, field="y_te")
    response = await h.client.post(f"/v1/initiatives/{draft['id']}/submit", headers=h.member())
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("/window-closed")
    assert "20/04/2021 23:55" in problem["detail"] and "03/02/2021 00:00" in problem["detail"]
    async with h.context.engine.connect() as conn:
        status = await conn.scalar(select(initiatives.c.status).where(initiatives.c.id == uuid.UUID(draft["id"])))
    assert status == "draft"


async def test_title_search_ignores_diacritics_and_case(harness: Harness) -> None:
    h = harness
    await h.submitted(title="Cải tiến máy đóng gói")
    await h.submitted(title="Sáng kiến tiết kiệm điện")
    for q in ("cai tien", "CẢI TIẾN", "Cai Tien may"):
        found = (await h.client.get("/v1/initiatives", params={"q": q, "campaign_id": "demo"})).json()["items"]
        assert [i["title"] for i in found] == ["Cải tiến máy đóng gói"], q
    found = (await h.client.get("/v1/initiatives", params={"q": "tiet kiem dien", "campaign_id": "demo"})).json()
    assert found["items"][0]["title"] == "Sáng kiến tiết kiệm điện"  # the other saves money ("tiết kiệm") too
    literal = (await h.client.get("/v1/initiatives", params={"q": "100%_", "campaign_id": "demo"})).json()["items"]
    assert literal == []


async def test_list_filters_by_unit_subtree_field_and_status_and_hides_others_drafts(harness: Harness) -> None:
    h = harness
    await h.submitted()
    await h.submitted(unit_id="P40-01-001", field="atvsld", title="Giàn giáo an toàn")
    await h.create(title="Bản nháp riêng")
    for unit, expected in ((UNIT, 1), (UNIT_L3, 1), (UNIT_L2, 1), ("P40", 1), ("P2025-24", 1), ("VGCL", 2)):
        items = (await h.client.get("/v1/initiatives", params={"unit_id": unit})).json()["items"]
        assert len(items) == expected, unit
    items = (await h.client.get("/v1/initiatives", params={"field": "atvsld"})).json()["items"]
    assert [i["title"] for i in items] == ["Giàn giáo an toàn"]
    anonymous = (await h.client.get("/v1/initiatives", params={"status": "draft"})).json()["items"]
    assert anonymous == []
    own = (await h.client.get("/v1/initiatives", params={"status": "draft"}, headers=h.member())).json()["items"]
    assert [i["title"] for i in own] == ["Bản nháp riêng"]
    officer = (await h.client.get("/v1/initiatives", params={"status": "draft"}, headers=h.officer(UNIT))).json()
    assert len(officer["items"]) == 1  # the grassroots officer of the draft's unit
    upper = (await h.client.get("/v1/initiatives", params={"status": "draft"}, headers=h.officer())).json()
    assert upper["items"] == []  # drafts are not shown above grassroots
    other = (await h.client.get("/v1/initiatives", params={"status": "draft"}, headers=h.officer("P40"))).json()
    assert other["items"] == []


async def test_cursor_pagination_walks_every_item_once(harness: Harness) -> None:
    h = harness
    ids = {(await h.submitted(title=f"Sáng kiến số {n}"))["id"] for n in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await h.client.get("/v1/initiatives", params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and set(seen) == ids


async def test_idempotency_key_makes_a_repeated_create_one_initiative(harness: Harness) -> None:
    h = harness
    headers = {**h.member(), "Idempotency-Key": "tao-sang-kien-1"}
    first = await h.client.post("/v1/initiatives", json=form(), headers=headers)
    second = await h.client.post("/v1/initiatives", json=form(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    reused = await h.client.post("/v1/initiatives", json=form(title="Khác"), headers=headers)
    assert reused.status_code == 409
    async with h.context.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(initiatives)) == 1


async def test_service_token_reads_the_full_record_for_dossiers(harness: Harness) -> None:
    h = harness
    item = await h.submitted(**SECRET)
    full = (await h.client.get(f"/v1/initiatives/{item['id']}", headers=h.service())).json()
    assert full["view"] == "full"
    assert full["confidential_details"] == SECRET["confidential_details"]
    assert full["authors"][0]["name"] == "Nguyễn Thị Hồng Nhung"
