"""Unit and field filters never place a technology secret for those not entitled; cursors carry nothing readable."""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

from shared.auth import Role

from .support import SECRET, UNIT, UNIT_L2, UNIT_L3, Harness, bearer

# Every level of the secret's path, and the 2025 federation that succeeded its province.
PLACING_FILTERS: tuple[dict[str, str], ...] = (
    {"unit_id": "VGCL"}, {"unit_id": UNIT_L2}, {"unit_id": UNIT_L3}, {"unit_id": UNIT}, {"unit_id": "P2025-24"},
    {"field": "y_te"}, {"unit_id": UNIT, "field": "y_te"}, {"unit_id": UNIT_L3, "status": "submitted"},
    {"unit_id": UNIT_L2, "campaign_id": "demo"},
)


def not_entitled(h: Harness) -> dict[str, dict[str, str]]:
    return {
        "anonymous": {},
        "member": h.member("dv-nguoi-la"),
        "member-of-the-unit": h.member("dv-cung-don-vi", UNIT),
        "officer-upper-grassroots": h.officer(UNIT_L3),
        "officer-province": h.officer(UNIT_L2),
        "officer-vgcl": h.officer("VGCL"),
        "officer-other-grassroots": h.officer("P24-03-001"),
        "reviewer-grassroots": bearer(h.settings, Role.REVIEWER, UNIT, "ng-co-so"),
        "reviewer-province": bearer(h.settings, Role.REVIEWER, UNIT_L2, "ng-tinh"),
    }


def entitled(h: Harness) -> dict[str, dict[str, str]]:
    return {"owner-author": h.member(), "officer-grassroots": h.officer(UNIT), "admin": h.admin(),
            "service": h.service()}


async def test_filters_never_place_a_secret_for_those_not_entitled(harness: Harness) -> None:
    h = harness
    secret = await h.submitted(title="Dung dịch khử khuẩn tự pha chế", **SECRET)
    ordinary = await h.submitted(title="Cải tiến quy trình tiếp đón")
    for who, headers in not_entitled(h).items():
        for params in PLACING_FILTERS:
            answer = await h.client.get("/v1/initiatives", params=params, headers=headers)
            assert answer.status_code == 200, (who, params)
            ids = [i["id"] for i in answer.json()["items"]]
            assert secret["id"] not in ids, (who, params)
            assert ids == [ordinary["id"]], (who, params)
        listed = (await h.client.get("/v1/initiatives", params={"campaign_id": "demo"}, headers=headers)).json()
        views = {i["id"]: i["view"] for i in listed["items"]}
        assert views[secret["id"]] == "confidential", who  # campaign-wide lists still show the secret's public part
    for who, headers in entitled(h).items():
        for params in PLACING_FILTERS:
            answer = await h.client.get("/v1/initiatives", params=params, headers=headers)
            views = {i["id"]: i["view"] for i in answer.json()["items"]}
            assert views.get(secret["id"]) == "full", (who, params)


async def test_filtered_pages_stay_whole_when_secrets_are_left_out(harness: Harness) -> None:
    h = harness
    public = set()
    for n in range(4):
        await h.submitted(title=f"Bí mật số {n}", **SECRET)
        public.add((await h.submitted(title=f"Sáng kiến số {n}"))["id"])
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"unit_id": UNIT_L3, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await h.client.get("/v1/initiatives", params=params)).json()
        assert len(page["items"]) == 1
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(public) and len(seen) == 4


ISO_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
UUID_TEXT = re.compile(rb"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


async def test_next_cursor_is_opaque_and_a_tampered_one_is_400(harness: Harness) -> None:
    h = harness
    items = [await h.submitted(title=f"Sáng kiến số {n}") for n in range(3)]
    page = (await h.client.get("/v1/initiatives", params={"limit": 1})).json()
    cursor = page["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert not ISO_DATE.search(raw) and not UUID_TEXT.search(raw)
    for item in items:
        assert uuid.UUID(item["id"]).bytes not in raw
    second = await h.client.get("/v1/initiatives", params={"limit": 1, "cursor": cursor})
    assert second.status_code == 200 and second.json()["items"][0]["id"] != page["items"][0]["id"]
    flipped = bytearray(raw)
    flipped[len(flipped) // 2] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(flipped)).decode().rstrip("=")
    answer = await h.client.get("/v1/initiatives", params={"limit": 1, "cursor": tampered})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/bad-cursor")


async def test_a_draft_is_listed_for_its_owner_authors_and_grassroots_officer_only(harness: Harness) -> None:
    h = harness
    draft = await h.create(h.member("dv-chu-so-huu"), title="Bản nháp chung")  # the form's first author is dv-nhung
    seen = {
        "owner": h.member("dv-chu-so-huu"), "co-author": h.member("dv-nhung"), "officer-grassroots": h.officer(UNIT),
        "admin": h.admin(),
    }
    unseen = {
        "anonymous": {}, "member": h.member("dv-nguoi-la"), "officer-upper-grassroots": h.officer(UNIT_L3),
        "officer-province": h.officer(UNIT_L2), "reviewer-grassroots": bearer(h.settings, Role.REVIEWER, UNIT, "ng"),
    }
    for who, headers in {**seen, **unseen}.items():
        listed = await h.client.get("/v1/initiatives", params={"status": "draft"}, headers=headers)
        one = await h.client.get(f"/v1/initiatives/{draft['id']}", headers=headers)
        if who in seen:
            assert [i["id"] for i in listed.json()["items"]] == [draft["id"]], who
            assert one.status_code == 200 and one.json()["view"] == "full", who
        else:
            assert listed.json()["items"] == [], who
            assert one.status_code == 404, who
