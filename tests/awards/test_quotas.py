"""Quotas at every level over HTTP: nomination caps and award quotas for levels 4, 3 and 2, per level and per unit.

A unit's own figure beats its level's default; the policy PUT refuses unknown units and award kinds a level does
not grant; case and queue answers carry the quota used and remaining where the case waits; GET policy says which
default comes from the regulation and which is an assumption.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import event

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from shared.settings import Settings

from .builders import act, admin, awards_api, campaign_event, chain, feed, initiative_event, ok, reviewer, siblings

RUBRIC = [{"key": "tinh_moi", "name": "Tính mới", "weight": 30}, {"key": "hieu_qua", "name": "Hiệu quả", "weight": 40},
          {"key": "kha_nang_ap_dung", "name": "Khả năng áp dụng", "weight": 20},
          {"key": "ho_so", "name": "Hồ sơ", "weight": 10}]
POLICY = "/v1/campaigns/sk-test/policy"


async def put_policy(client: httpx.AsyncClient, **quotas: Any) -> httpx.Response:
    body = {"rubric": RUBRIC, "nominations_per_unit": {"4": 10, "3": 10, "2": 4},
            "awards_per_theme": {"bang_khen_tld": 300}, **quotas}
    return await client.put(POLICY, json=body, headers=admin())


async def new_cases(service: AwardsService, path: tuple[str, ...], count: int) -> list[uuid.UUID]:
    events = [initiative_event(path=path) for _ in range(count)]
    await feed(service, *events)
    return [case_id_for(e.initiative_id) for e in events]


async def refused_over_quota(response: httpx.Response, cap: int) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/quota-exceeded") and body["cap"] == cap, body
    assert str(cap) in body["detail"] and " — " in body["detail"]
    return body


async def test_nomination_caps_per_level_and_per_unit(settings: Settings, db_backend: str) -> None:
    path = chain()
    sibling = siblings(path, 1)[0]
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event())
        # level 4: two by default, three for this grassroots union (its own figure beats the level's)
        await ok(put_policy(client, nominations_per_unit={"4": 2, "3": 1, "2": 1},
                            nominations_by_unit={path[3]: 3, path[1]: 2}))
        mine, theirs = await new_cases(service, path, 4), await new_cases(service, sibling, 3)
        for case in mine:
            await ok(act(client, case, "recognise", reviewer(path[3])))
        for case in mine[:3]:
            await ok(act(client, case, "nominate", reviewer(path[3])))
        await refused_over_quota(await act(client, mine[3], "nominate", reviewer(path[3])), 3)
        for case in theirs:
            await ok(act(client, case, "recognise", reviewer(sibling[3])))
        for case in theirs[:2]:
            await ok(act(client, case, "nominate", reviewer(sibling[3])))
        body = await refused_over_quota(await act(client, theirs[2], "nominate", reviewer(sibling[3])), 2)
        assert (body["unit_id"], body["level"], body["used"]) == (sibling[3], 4, 2)
        # level 3: one by default
        for case in mine[:2]:
            await ok(act(client, case, "recognise", reviewer(path[2])))
        await ok(act(client, mine[0], "nominate", reviewer(path[2])))
        await refused_over_quota(await act(client, mine[1], "nominate", reviewer(path[2])), 1)
        # level 2: one by default, two for this provincial federation
        await ok(put_policy(client, nominations_per_unit={"4": 2, "3": 5, "2": 1}, nominations_by_unit={path[1]: 2}))
        for case in (mine[1], mine[2], theirs[0]):
            if case != mine[1]:
                await ok(act(client, case, "recognise", reviewer(path[2])))
            await ok(act(client, case, "nominate", reviewer(path[2])))
            await ok(act(client, case, "recognise", reviewer(path[1])))
        await ok(act(client, mine[1], "nominate", reviewer(path[1])))
        await ok(act(client, mine[2], "nominate", reviewer(path[1])))
        await refused_over_quota(await act(client, theirs[0], "nominate", reviewer(path[1])), 2)
        # without the province's own figure the level's default applies (and is already used up)
        await ok(put_policy(client, nominations_per_unit={"4": 2, "3": 5, "2": 1}))
        await refused_over_quota(await act(client, theirs[0], "nominate", reviewer(path[1])), 1)


async def test_award_quotas_per_level_and_per_unit(settings: Settings, db_backend: str) -> None:
    path = chain()
    sibling = siblings(path, 1)[0]
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event())
        await ok(put_policy(
            client, awards_per_unit={"4": {"giay_khen": 1}, "3": {"giay_khen": 1}, "2": {"bang_khen": 1}},
            awards_by_unit={path[3]: {"giay_khen": 2}},
        ))
        mine, theirs = await new_cases(service, path, 3), await new_cases(service, sibling, 2)
        for case in mine:
            await ok(act(client, case, "recognise", reviewer(path[3])))
        for case in theirs:
            await ok(act(client, case, "recognise", reviewer(sibling[3])))
        # level 4: this grassroots union may grant two Giấy khen (its own figure), its sibling one (the level's)
        for case in mine[:2]:
            await ok(act(client, case, "grant", reviewer(path[3]), kind="giay_khen"))
        body = await refused_over_quota(await act(client, mine[2], "grant", reviewer(path[3]), kind="giay_khen"), 2)
        assert (body["unit_id"], body["level"], body["kind"]) == (path[3], 4, "giay_khen")
        await ok(act(client, theirs[0], "grant", reviewer(sibling[3]), kind="giay_khen"))
        await refused_over_quota(await act(client, theirs[1], "grant", reviewer(sibling[3]), kind="giay_khen"), 1)
        # a revoked award frees its place in the quota
        detail = await ok(client.get(f"/v1/cases/{theirs[0]}", headers=admin()))
        await ok(client.post(f"/v1/awards/{detail['awards'][0]['award_id']}/revoke", json={"reason": "Trùng lặp"},
                             headers=admin()))
        await ok(act(client, theirs[1], "grant", reviewer(sibling[3]), kind="giay_khen"))
        # level 3: one Giấy khen per upper-grassroots union
        for case in mine[:2]:
            await ok(act(client, case, "nominate", reviewer(path[3])))
            await ok(act(client, case, "recognise", reviewer(path[2])))
        await ok(act(client, mine[0], "grant", reviewer(path[2]), kind="giay_khen"))
        await refused_over_quota(await act(client, mine[1], "grant", reviewer(path[2]), kind="giay_khen"), 1)
        # level 2: one Bằng khen per provincial federation
        for case in mine[:2]:
            await ok(act(client, case, "nominate", reviewer(path[2])))
            await ok(act(client, case, "recognise", reviewer(path[1])))
        await ok(act(client, mine[0], "grant", reviewer(path[1]), kind="bang_khen"))
        await refused_over_quota(await act(client, mine[1], "grant", reviewer(path[1]), kind="bang_khen"), 1)
        # a figure for the province itself beats the level's
        await ok(put_policy(client, awards_per_unit={"2": {"bang_khen": 1}},
                            awards_by_unit={path[1]: {"bang_khen": 2}}))
        await ok(act(client, mine[1], "grant", reviewer(path[1]), kind="bang_khen"))


async def test_case_and_queue_answers_carry_quota_used_and_remaining(settings: Settings, db_backend: str) -> None:
    path = chain()
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event())
        await ok(put_policy(client, nominations_per_unit={"4": 3, "3": 10},
                            awards_per_unit={"4": {"giay_khen": 5}}, awards_by_unit={path[2]: {"giay_khen": 2}}))
        first, second, third = await new_cases(service, path, 3)
        queue = await ok(client.get("/v1/queue", headers=reviewer(path[3])))
        assert len(queue["items"]) == 3
        assert all(item["quota"] == {
            "unit_id": path[3], "level": 4,
            "nominations": {"cap": 3, "used": 0, "remaining": 3, "scope": "unit"},
            "awards": {"giay_khen": {"cap": 5, "used": 0, "remaining": 5, "scope": "unit"}},
        } for item in queue["items"]), queue["items"][0]["quota"]

        await ok(act(client, first, "recognise", reviewer(path[3])))
        await ok(act(client, first, "grant", reviewer(path[3]), kind="giay_khen"))
        await ok(act(client, first, "nominate", reviewer(path[3])))
        await ok(act(client, second, "recognise", reviewer(path[3])))
        await ok(act(client, second, "grant", reviewer(path[3]), kind="giay_khen"))
        waiting = await ok(client.get(f"/v1/cases/{third}", headers=reviewer(path[3])))
        assert waiting["quota"]["nominations"] == {"cap": 3, "used": 1, "remaining": 2, "scope": "unit"}
        assert waiting["quota"]["awards"] == {"giay_khen": {"cap": 5, "used": 2, "remaining": 3, "scope": "unit"}}
        queue = await ok(client.get("/v1/queue", headers=reviewer(path[3])))
        assert [i["quota"]["nominations"]["used"] for i in queue["items"]] == [1, 1]
        # the nominated case now waits at level 3: the figures of that unit (its own award quota)
        moved = await ok(client.get(f"/v1/cases/{first}", headers=reviewer(path[2])))
        assert moved["quota"] == {
            "unit_id": path[2], "level": 3,
            "nominations": {"cap": 10, "used": 0, "remaining": 10, "scope": "unit"},
            "awards": {"giay_khen": {"cap": 2, "used": 0, "remaining": 2, "scope": "unit"}},
        }
        await ok(put_policy(client, nominations_per_unit={}, awards_per_theme={}))
        uncapped = await ok(client.get(f"/v1/cases/{third}", headers=reviewer(path[3])))
        assert uncapped["quota"]["nominations"] == {"cap": None, "used": 1, "remaining": None, "scope": "unit"}
        assert uncapped["quota"]["awards"]["giay_khen"]["remaining"] is None


async def test_a_queue_page_counts_its_quotas_in_the_same_queries_whatever_its_length(
    settings: Settings, db_backend: str,
) -> None:
    path = chain()
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event())
        statements: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(service.engine.sync_engine, "before_cursor_execute", count)
        try:
            await new_cases(service, path, 1)
            statements.clear()
            await ok(client.get("/v1/queue", headers=reviewer(path[3])))
            one = len(statements)
            await new_cases(service, path, 12)
            statements.clear()
            page = await ok(client.get("/v1/queue", headers=reviewer(path[3])))
            assert len(page["items"]) == 13 and len(statements) == one, statements
        finally:
            event.remove(service.engine.sync_engine, "before_cursor_execute", count)


async def test_policy_put_validates_units_and_kinds_and_changes_nothing_when_refused(
    settings: Settings, db_backend: str,
) -> None:
    path = chain()
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        await feed(service, campaign_event())
        before = await ok(client.get(POLICY, headers=admin()))
        wrong: dict[str, dict[str, Any]] = {
            "unknown unit": {"nominations_by_unit": {"P99-XX": 3}},
            "unknown unit (awards)": {"awards_by_unit": {"KHONG-CO": {"giay_khen": 3}}},
            "Bằng khen at level 4": {"awards_per_unit": {"4": {"bang_khen": 3}}},
            "Giấy khen from a province": {"awards_by_unit": {path[1]: {"giay_khen": 3}}},
            "per-unit award quota for VGCL": {"awards_by_unit": {"VGCL": {"bang_khen_tld": 3}}},
            "VGCL does not nominate": {"nominations_by_unit": {"VGCL": 3}},
            "level 1 has no per-unit quota": {"awards_per_unit": {"1": {"bang_khen_tld": 3}}},
            "negative cap": {"nominations_by_unit": {path[3]: -1}},
            "unknown kind": {"awards_per_unit": {"3": {"huy_chuong": 3}}},
        }
        for why, quotas in wrong.items():
            response = await put_policy(client, **quotas)
            assert response.status_code == 422, (why, response.text)
            assert response.headers["content-type"].startswith("application/problem+json"), why
            assert response.json()["type"].endswith("/validation-error"), why
        unknown = (await put_policy(client, nominations_by_unit={"P99-XX": 3})).json()
        assert "không có đơn vị P99-XX" in unknown["detail"] and unknown["errors"][0]["loc"] == [
            "body", "nominations_by_unit", "P99-XX"]
        assert "Bằng khen" in (await put_policy(client, awards_per_unit={"4": {"bang_khen": 3}})).json()["detail"]
        assert await ok(client.get(POLICY, headers=admin())) == before
        stored = await ok(put_policy(client, nominations_by_unit={path[3]: 8},
                                     awards_per_unit={"4": {"giay_khen": 5}, "2": {"bang_khen": 20}},
                                     awards_by_unit={path[1]: {"bang_khen": 30}}))
        assert stored["nominations_by_unit"] == {path[3]: 8}
        assert stored["awards_per_unit"] == {"4": {"giay_khen": 5}, "2": {"bang_khen": 20}}
        assert stored["awards_by_unit"] == {path[1]: {"bang_khen": 30}}
        assert await ok(client.get(POLICY, headers=reviewer(path[3]))) == stored


async def test_get_policy_says_which_defaults_are_regulation_and_which_assumptions(
    settings: Settings, db_backend: str,
) -> None:
    async with awards_api(settings, db_backend) as (app, client):
        await feed(app.state.awards, campaign_event())
        policy = await ok(client.get(POLICY, headers=reviewer(chain()[3])))
        assert policy["nominations_per_unit"] == {"2": 4, "3": 10, "4": 10}
        assert policy["awards_per_theme"] == {"bang_khen_tld": 300}
        assert policy["nominations_by_unit"] == policy["awards_per_unit"] == policy["awards_by_unit"] == {}
        sources = policy["sources"]
        for regulated in ("nominations_per_unit.2", "awards_per_theme.bang_khen_tld"):
            assert sources[regulated].startswith("Quy định") and "1689" in sources[regulated], regulated
        for assumed in ("nominations_per_unit.3", "nominations_per_unit.4", "awards_per_unit"):
            assert sources[assumed].startswith("Giả định") and "assumption" in sources[assumed], assumed
