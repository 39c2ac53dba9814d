"""Every forbidden action is refused over HTTP with its own problem type and changes nothing in the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from shared.events import AuthorCategory, InitiativeWithdrawn
from shared.problems import PROBLEM_BASE
from shared.settings import Settings

from .builders import (
    act,
    admin,
    awards_api,
    campaign_event,
    chain,
    climb,
    db_state,
    feed,
    initiative_event,
    ok,
    reviewer,
    siblings,
)


async def assert_refused_without_change(
    service: AwardsService, client: httpx.AsyncClient, request: object, status: int, problem: str,
) -> None:
    before = await db_state(service)
    response = await request  # type: ignore[misc]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == PROBLEM_BASE + problem
    assert await db_state(service) == before


@pytest.fixture
def path() -> tuple[str, ...]:
    return chain()


async def test_each_forbidden_action_has_its_error_and_changes_nothing(
    settings: Settings, db_backend: str, path: tuple[str, ...],
) -> None:
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        other = siblings(path, 1)[0]
        later = campaign_event(campaign_id="sk-later", closes_in=timedelta(days=5))
        forms: dict[str, dict[str, Any]] = {
            "main": {}, "second": {}, "poor": {"benefit_vnd": 50_000_000, "path": other,
                                               "author_categories": (AuthorCategory.WORKER,)},
            "incomplete": {"record_complete": False}, "withdrawn": {},
            "early": {"campaign_id": "sk-later"},
        }
        cases = {name: initiative_event(**state) for name, state in forms.items()}
        await feed(service, campaign_event(), later, *cases.values())
        await ok(client.put("/v1/campaigns/sk-test/policy", headers=admin(), json={
            "rubric": [{"key": "tinh_moi", "name": "Tính mới", "weight": 30},
                       {"key": "hieu_qua", "name": "Hiệu quả", "weight": 40},
                       {"key": "kha_nang_ap_dung", "name": "Khả năng áp dụng", "weight": 20},
                       {"key": "ho_so", "name": "Hồ sơ", "weight": 10}],
            "nominations_per_unit": {"4": 1, "3": 10, "2": 4}, "awards_per_theme": {"bang_khen_tld": 300},
        }))
        cid = {name: case_id_for(e.initiative_id) for name, e in cases.items()}
        grassroots = reviewer(path[3])

        # outside the caller's scope, answered as a case that does not exist: a reviewer of a sibling grassroots
        # union, and the upper-grassroots union before the grassroots union nominated
        await assert_refused_without_change(
            service, client, act(client, cid["main"], "recognise", reviewer(other[3])), 404, "case-not-found")
        await assert_refused_without_change(
            service, client, act(client, cid["main"], "recognise", reviewer(path[2])), 404, "case-not-found")
        # wrong unit: an admin may read every case but only reviewers review
        await assert_refused_without_change(
            service, client, act(client, cid["main"], "recognise", admin()), 403, "wrong-unit")
        # over quota: one nomination allowed per grassroots union
        await ok(act(client, cid["main"], "recognise", grassroots))
        await ok(act(client, cid["main"], "nominate", grassroots))
        await ok(act(client, cid["second"], "recognise", grassroots))
        await assert_refused_without_change(
            service, client, act(client, cid["second"], "nominate", grassroots), 409, "quota-exceeded")
        # outside the window: the later campaign's submission is still open
        await assert_refused_without_change(
            service, client, act(client, cid["early"], "recognise", grassroots), 409, "window-closed")
        # withdrawn initiative
        withdrawn = cases["withdrawn"]
        await feed(service, initiative_event(InitiativeWithdrawn, initiative_id=withdrawn.initiative_id, version=3))
        await assert_refused_without_change(
            service, client, act(client, cid["withdrawn"], "recognise", grassroots), 409, "initiative-withdrawn")
        # incomplete record: recognised, but no award
        await ok(act(client, cid["incomplete"], "recognise", grassroots))
        await assert_refused_without_change(
            service, client, act(client, cid["incomplete"], "grant", grassroots, kind="giay_khen"),
            422, "record-incomplete")
        # below threshold: Bằng Lao động sáng tạo for 50 M VND
        await climb(client, cid["poor"], other)
        await assert_refused_without_change(
            service, client, act(client, cid["poor"], "grant", reviewer(path[0]), kind="bang_lao_dong_sang_tao"),
            422, "below-threshold")
        # and the other refusals the workflow knows
        await assert_refused_without_change(
            service, client, act(client, cid["second"], "grant", grassroots, kind="bang_khen"), 422,
            "award-not-for-level")
        await assert_refused_without_change(
            service, client, act(client, cid["second"], "recognise", grassroots), 409, "invalid-transition")
        invalid = (await act(client, cid["second"], "recognise", grassroots)).json()
        assert (invalid["status"], invalid["case_status"]) == (409, "recognised")  # RFC 9457: status is the code
        await assert_refused_without_change(
            service, client, act(client, cid["second"], "not_recognise", grassroots, reason=""), 422,
            "validation-error")
        await assert_refused_without_change(
            service, client, act(client, cid["second"], "score", grassroots, marks={"tinh_moi": 5}), 422,
            "invalid-score")
