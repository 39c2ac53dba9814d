"""Every bad input is a 4xx problem+json with a stable type — never a 500."""

from __future__ import annotations

import uuid

import pytest

from .support import Harness, form


def shares(first: str, second: str) -> list[dict]:
    authors = form()["authors"]
    authors[0]["share_percent"], authors[1]["share_percent"] = first, second
    return authors


@pytest.mark.parametrize(("body", "status", "kind"), [
    (form(authors=shares("60", "30")), 422, "shares-not-100"),
    (form(unit_id="P24-03-999"), 422, "unknown-unit"),
    (form(unit_id="P24-03"), 422, "not-grassroots-unit"),
    (form(unit_id="P24"), 422, "not-grassroots-unit"),
    (form(field="bong_da"), 422, "unknown-field"),
    (form(date_first_applied="2099-01-01"), 422, "date-in-future"),
    (form(title="x" * 301), 422, "validation-error"),
    (form(benefit_vnd="một trăm"), 422, "validation-error"),
    (form(benefit_vnd=-5), 422, "validation-error"),
    (form(authors=[form()["authors"][0]] * 11), 422, "validation-error"),
    (form(status="submitted"), 422, "validation-error"),
    (form(version=7), 422, "validation-error"),
    (form(owner_member_id="ke-khac"), 422, "validation-error"),
    (form(campaign_id="khong-co"), 404, "campaign-not-found"),
    ([1, 2, 3], 422, "validation-error"),
])
async def test_bad_forms_get_the_right_problem(sqlite_harness: Harness, body: object, status: int, kind: str) -> None:
    response = await sqlite_harness.client.post("/v1/initiatives", json=body, headers=sqlite_harness.member())
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/" + kind)


async def test_malformed_json_is_422(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    response = await h.client.post(
        "/v1/initiatives", content=b'{"title": "Cai tien",', headers={**h.member(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422


async def test_body_too_large_is_413(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    huge = form(description="a" * (h.settings.max_body_bytes + 10))
    response = await h.client.post("/v1/initiatives", json=huge, headers=h.member())
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")


@pytest.mark.parametrize(("method", "path", "params"), [
    ("GET", "/v1/initiatives/khong-phai-uuid", None),
    ("GET", "/v1/initiatives", {"cursor": "!!!"}),
    ("GET", "/v1/initiatives", {"cursor": "eyJ4IjoxfQ"}),
    ("GET", "/v1/initiatives", {"limit": 0}),
    ("GET", "/v1/initiatives", {"limit": 10_000}),
    ("GET", "/v1/initiatives", {"unit_id": "KHONG-CO"}),
    ("GET", "/v1/initiatives", {"status": "da-duyet"}),
    ("GET", "/v1/initiatives", {"q": "x" * 500}),
    ("GET", "/v1/campaigns/KHONG_HOP_LE", None),
    ("GET", f"/v1/initiatives/{uuid.uuid4()}", None),
])
async def test_bad_reads_are_4xx(sqlite_harness: Harness, method: str, path: str, params: dict | None) -> None:
    response = await sqlite_harness.client.request(method, path, params=params)
    assert 400 <= response.status_code < 500, response.text


async def test_withdraw_needs_a_reason_and_edits_refuse_system_fields(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    item = await h.submitted()
    path = f"/v1/initiatives/{item['id']}"
    assert (await h.client.post(f"{path}/withdraw", json={}, headers=h.member())).status_code == 422
    assert (await h.client.post(f"{path}/withdraw", json={"reason": "  "}, headers=h.member())).status_code == 422
    for field, value in (("status", "withdrawn"), ("version", 99), ("votes", 1000), ("award", "xuat_sac")):
        response = await h.client.patch(path, json={field: value}, headers=h.member())
        assert response.status_code == 422, field
    null_title = await h.client.patch(path, json={"title": None, "authors": None}, headers=h.member())
    assert null_title.status_code == 200 and null_title.json()["version"] == item["version"]
    wrong = await h.client.patch(path, json={"authors": shares("50", "49.5")}, headers=h.member())
    assert wrong.status_code == 422 and wrong.json()["type"].endswith("/shares-not-100")


async def test_bad_campaign_configurations_are_422(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    base = {
        "id": "thu-nghiem", "name": "Thử nghiệm", "target": 10, "submission_opens_at": "2026-01-01T00:00:00+07:00",
        "submission_closes_at": "2025-01-01T00:00:00+07:00", "voting_opens_at": "2026-01-01T00:00:00+07:00",
        "voting_closes_at": "2026-02-01T00:00:00+07:00", "fields": [{"code": "y_te", "label": "Y tế"}],
    }
    assert (await h.client.post("/v1/campaigns", json=base, headers=h.admin())).status_code == 422
    fixed = {**base, "submission_closes_at": "2026-02-01T00:00:00+07:00", "quotas": {"P24-03": 5}}
    response = await h.client.post("/v1/campaigns", json=fixed, headers=h.admin())
    assert response.status_code == 422 and response.json()["type"].endswith("/unknown-unit")
    naive = {**fixed, "quotas": {}, "voting_opens_at": "2026-01-01T00:00:00"}
    assert (await h.client.post("/v1/campaigns", json=naive, headers=h.admin())).status_code == 422
    ok = await h.client.post("/v1/campaigns", json={**fixed, "quotas": {"P24": 5}}, headers=h.admin())
    assert ok.status_code == 201
    dup = await h.client.post("/v1/campaigns", json={**fixed, "quotas": {"P24": 5}}, headers=h.admin())
    assert dup.status_code == 409 and dup.json()["type"].endswith("/campaign-exists")
