"""``?mine=true``: a member lists their own initiatives (created by them or naming them as an author) in every
status, drafts included, and nobody else's; it needs a signed-in caller."""

from __future__ import annotations

from typing import Any

from .support import Harness, form

STRANGERS = [
    {"name": "Lê Văn Khải", "category": "worker", "share_percent": "70", "member_id": "dv-khai"},
    {"name": "Phạm Thị Lan", "category": "graduate", "share_percent": "30", "member_id": "dv-lan"},
]


async def ids_of(h: Harness, headers: dict[str, str], **params: Any) -> set[str]:
    answer = await h.client.get("/v1/initiatives", params={"mine": "true", **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert all(i["view"] == "full" for i in items), "one's own initiatives come whole"
    return {i["id"] for i in items}


async def test_mine_lists_every_own_initiative_and_nothing_else(harness: Harness) -> None:
    h = harness
    me = h.member()  # dv-nhung, first author of the default form
    draft = await h.create(me, title="Bản nháp sổ tay điều dưỡng")
    submitted = await h.submitted(me, title="Phiếu hẹn giờ khám bệnh")
    withdrawn = await h.submitted(me, title="Bảng gọi số tự chế")
    answer = await h.client.post(f"/v1/initiatives/{withdrawn['id']}/withdraw", json={"reason": "Trùng ý tưởng"},
                                 headers=me)
    assert answer.status_code == 200, answer.text
    co_authored = await h.create(h.member("dv-duc"), title="Xe đẩy dụng cụ gấp gọn")  # names dv-nhung as author
    not_mine = await h.submitted(h.member("dv-khai"), title="Khay thuốc chia ngăn theo giờ", authors=STRANGERS)
    someone_elses_draft = await h.create(h.member("dv-khai"), title="Nháp của người khác", authors=STRANGERS)

    mine = await ids_of(h, me)
    assert mine == {draft["id"], submitted["id"], withdrawn["id"], co_authored["id"]}
    assert not_mine["id"] not in mine and someone_elses_draft["id"] not in mine
    assert await ids_of(h, me, status="draft") == {draft["id"], co_authored["id"]}
    assert await ids_of(h, me, status="withdrawn") == {withdrawn["id"]}
    assert await ids_of(h, h.member("dv-khai")) == {not_mine["id"], someone_elses_draft["id"]}
    assert await ids_of(h, h.admin()) == set(), "mine is the caller's own, even for an admin who sees everything"
    everyone = await h.client.get("/v1/initiatives", params={"campaign_id": "demo"}, headers=me)
    assert not_mine["id"] in {i["id"] for i in everyone.json()["items"]}, "without mine, the public list as before"
    page = await h.client.get("/v1/initiatives", params={"mine": "true", "limit": 2}, headers=me)
    rest = await h.client.get("/v1/initiatives", params={"mine": "true", "limit": 2,
                                                         "cursor": page.json()["next_cursor"]}, headers=me)
    assert {i["id"] for i in page.json()["items"] + rest.json()["items"]} == mine, "cursor pages keep the filter"


async def test_mine_needs_a_signed_in_caller(sqlite_harness: Harness) -> None:
    answer = await sqlite_harness.client.get("/v1/initiatives", params={"mine": "true"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("Cần đăng nhập")
    bad = await sqlite_harness.client.get("/v1/initiatives", params={"mine": "có"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("Chỉ sáng kiến của tôi")
    assert form()["authors"][0]["member_id"] == "dv-nhung"  # the member this file calls "me"
