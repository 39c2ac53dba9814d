"""A technology secret shows only its title, effectiveness summary and award on every public surface."""

from __future__ import annotations

import json

from sqlalchemy import select

from services.submission.adapters.tables import outbox
from shared.auth import Role

from .files import pdf_bytes
from .support import SECRET, UNIT, Harness, bearer

PUBLIC_KEYS = {"view", "id", "campaign_id", "status", "confidential", "title", "effectiveness_summary", "award"}
LEAKS = (
    SECRET["confidential_details"], SECRET["description"], "Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "1986-04-12",
    "dv-nhung", "Điều dưỡng trưởng", "Có bảng điện tử", "Khoa Khám bệnh", "P24-03-002", "120000000",
)


def assert_no_leak(raw: str) -> None:
    for secret in LEAKS:
        assert secret not in raw, f"leaked {secret!r}"


async def test_public_surfaces_of_a_secret_show_only_public_fields(harness: Harness) -> None:
    h = harness
    item = await h.submitted(title="Dung dịch khử khuẩn tự pha chế", **SECRET)
    await h.client.post(
        f"/v1/initiatives/{item['id']}/attachments", files={"file": ("bi-mat.pdf", pdf_bytes())}, headers=h.member(),
    )
    viewers = {"anonymous": {}, "member": h.member("dv-nguoi-la"), "officer-elsewhere": h.officer("P40")}
    for who, headers in viewers.items():
        one = await h.client.get(f"/v1/initiatives/{item['id']}", headers=headers)
        assert one.status_code == 200
        assert set(one.json()) == PUBLIC_KEYS, who
        assert one.json()["award"] is None
        assert_no_leak(one.text)
        filters: tuple[dict[str, str], ...] = (
            {}, {"q": "dung dich khu khuan", "campaign_id": "demo"}, {"status": "submitted"},
        )
        for params in filters:
            listed = await h.client.get("/v1/initiatives", params=params, headers=headers)
            assert listed.status_code == 200
            assert [set(i) for i in listed.json()["items"]] == [PUBLIC_KEYS], (who, params)
            assert_no_leak(listed.text)
        for params in ({"unit_id": "P24"}, {"field": "y_te"}):  # a filter would place the secret: not matched
            listed = await h.client.get("/v1/initiatives", params=params, headers=headers)
            assert listed.status_code == 200 and listed.json()["items"] == [], (who, params)
    vote = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-nguoi-la"))
    assert vote.status_code == 201
    assert_no_leak(vote.text)
    repeat = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-nguoi-la"))
    assert_no_leak(repeat.text)
    files = f"/v1/initiatives/{item['id']}/attachments"
    for headers in ({}, h.member("dv-nguoi-la"), h.officer("P40")):
        listing = await h.client.get(files, headers=headers)
        assert listing.status_code in (401, 403)
        assert_no_leak(listing.text)
        assert "bi-mat" not in listing.text
    withdrawn = await h.client.post(
        f"/v1/initiatives/{item['id']}/withdraw", json={"reason": SECRET["confidential_details"]}, headers=h.member(),
    )
    assert withdrawn.status_code == 200
    after = await h.client.get(f"/v1/initiatives/{item['id']}")
    assert set(after.json()) == PUBLIC_KEYS and after.json()["status"] == "withdrawn"


async def test_events_of_a_secret_carry_no_confidential_details_or_names(harness: Harness) -> None:
    h = harness
    item = await h.submitted(**SECRET)
    await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-nguoi-la"))
    await h.client.post(
        f"/v1/initiatives/{item['id']}/withdraw", json={"reason": SECRET["confidential_details"]}, headers=h.member(),
    )
    async with h.context.engine.connect() as conn:
        payloads = [r.payload.decode() for r in (await conn.execute(select(outbox.c.payload))).all()]
    mine = [p for p in payloads if item["id"] in p]
    assert len(mine) == 4  # drafted, submitted, vote.cast, withdrawn
    for raw in mine:
        for secret in (SECRET["confidential_details"], SECRET["description"], "Nguyễn Thị Hồng Nhung", "dv-nguoi-la",
                       "dv-nhung"):
            assert secret not in raw
        assert json.loads(raw)["campaign_id"] == "demo"


async def test_those_with_rights_see_the_full_secret(harness: Harness) -> None:
    """Owner and authors, the grassroots officer of its unit, admins and services; nobody above grassroots."""
    h = harness
    item = await h.submitted(**SECRET)
    for headers in (h.member(), h.officer(UNIT), h.admin(), h.service()):
        response = await h.client.get(f"/v1/initiatives/{item['id']}", headers=headers)
        assert response.json()["view"] == "full"
        assert response.json()["confidential_details"] == SECRET["confidential_details"]
    upper = (h.officer(), h.officer("P24"), h.officer("VGCL"), bearer(h.settings, Role.REVIEWER, "P24-03", "ng-cham"),
             bearer(h.settings, Role.REVIEWER, UNIT, "ng-cham-co-so"),
             bearer(h.settings, Role.REVIEWER, "P24-03-001", "ng-cham-khac"))
    for headers in upper:
        response = await h.client.get(f"/v1/initiatives/{item['id']}", headers=headers)
        assert response.json()["view"] == "confidential"
        assert_no_leak(response.text)
