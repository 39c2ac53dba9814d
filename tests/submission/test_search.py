"""Search matches words of title and effectiveness summary, ranked, bounded, per campaign, from an index."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select, text

from services.submission.adapters.tables import initiatives
from services.submission.handlers.initiatives import search_words_of

from .support import Harness

BEST = "Sáng kiến tiết kiệm điện năng trong phân xưởng"
WEAKER = ("Tiết kiệm nước", "Sáng kiến an toàn lao động")
PLAIN_SUMMARY = "Giảm thời gian chờ; làm lợi 120 triệu đồng mỗi năm."


async def search(h: Harness, q: str, **params: Any) -> list[str]:
    answer = await h.client.get("/v1/initiatives", params={"q": q, "campaign_id": "demo", **params})
    assert answer.status_code == 200, answer.text
    return [i["title"] for i in answer.json()["items"]]


async def test_more_words_matched_rank_first_ignoring_diacritics_and_case(harness: Harness) -> None:
    h = harness
    for title in (*WEAKER, BEST, "Cải tiến máy đóng gói"):  # the best match is neither the oldest nor the newest
        await h.submitted(title=title, effectiveness_summary=PLAIN_SUMMARY)
    found = await search(h, "sang kien tiet kiem dien")
    assert found[0] == BEST and set(found[1:]) == set(WEAKER)
    assert await search(h, "SÁNG KIẾN Tiết KIỆM điện") == found
    assert await search(h, "Sang-kien: tiet, kiem; DIEN!") == found


async def test_a_match_in_the_effectiveness_summary_is_found(harness: Harness) -> None:
    h = harness
    await h.submitted(title="Cải tiến băng tải", effectiveness_summary="Giảm 30 % điện năng tiêu thụ của xưởng cán.")
    await h.submitted(title="Cải tiến máy đóng gói", effectiveness_summary=PLAIN_SUMMARY)
    assert await search(h, "dien nang tieu thu") == ["Cải tiến băng tải"]


async def test_the_phrase_then_the_closer_match_break_ties(harness: Harness) -> None:
    h = harness
    await h.submitted(title="Điện mặt trời cho khu tiết kiệm", effectiveness_summary=PLAIN_SUMMARY)  # words apart
    await h.submitted(title="Tiết kiệm điện cho nhà xưởng và kho bãi lớn", effectiveness_summary=PLAIN_SUMMARY)
    await h.submitted(title="Tiết kiệm điện", effectiveness_summary=PLAIN_SUMMARY)
    assert await search(h, "tiet kiem dien") == [
        "Tiết kiệm điện", "Tiết kiệm điện cho nhà xưởng và kho bãi lớn", "Điện mặt trời cho khu tiết kiệm",
    ]


async def test_ranked_pages_walk_every_match_once_in_order(harness: Harness) -> None:
    h = harness
    titles = [BEST, *WEAKER, "Tiết kiệm điện", "Điện mặt trời", "Tiết kiệm vật tư", "Cải tiến máy đóng gói"]
    for title in titles:
        await h.submitted(title=title, effectiveness_summary=PLAIN_SUMMARY)
    whole = await search(h, "sang kien tiet kiem dien", limit=50)
    walked: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        params: dict[str, Any] = {"q": "sang kien tiet kiem dien", "campaign_id": "demo", "limit": 2}
        page = (await h.client.get("/v1/initiatives", params={**params, **({"cursor": cursor} if cursor else {})}))
        walked += [i["title"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert walked == whole and len(whole) == 6 and whole[0] == BEST


async def test_search_is_bounded_and_needs_a_campaign(harness: Harness) -> None:
    h = harness
    for params in (
        {"q": "tiet kiem"},  # no campaign
        {"q": "a" * 201, "campaign_id": "demo"},
        {"q": " ".join(f"tu{n}" for n in range(13)), "campaign_id": "demo"},
        {"q": "  ;; ", "campaign_id": "demo"},
    ):
        answer = await h.client.get("/v1/initiatives", params=params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await search(h, " ".join(f"tu{n}" for n in range(12))) == []


async def test_existing_rows_get_their_search_text_from_the_migration(harness: Harness) -> None:
    """The column is filled by every way in; the migration's backfill uses the same definition (search_text)."""
    h = harness
    item = await h.submitted(title="Tiết kiệm điện", effectiveness_summary="Giảm 5 % điện năng.")
    async with h.context.engine.connect() as conn:
        stored = await conn.scalar(
            initiatives.select().with_only_columns(initiatives.c.search_folded)
            .where(initiatives.c.id == uuid.UUID(item["id"]))
        )
    assert stored == " tiet kiem dien giam 5 dien nang "


async def test_postgresql_search_uses_the_trigram_index(harness: Harness) -> None:
    h = harness
    if h.context.engine.dialect.name != "postgresql":
        return  # SQLite has no trigram index; the same LIKE per word scans its table
    await h.submitted(title=BEST, effectiveness_summary=PLAIN_SUMMARY)
    words = search_words_of("sang kien tiet kiem dien ly")  # "ly": a two-letter word is served too
    statement = select(initiatives.c.id).where(or_(*(initiatives.c.search_folded.like(f"% {w} %") for w in words)))
    compiled = str(statement.compile(h.context.engine.sync_engine, compile_kwargs={"literal_binds": True}))
    async with h.context.engine.connect() as conn:
        # On a table of a few rows a scan (or the campaign index, when the campaign is in the query too) is
        # cheaper, so the planner rightly skips the trigram index: forbid the scan to show the index serves words.
        await conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in (await conn.execute(text(f"EXPLAIN {compiled}"))).all())
    assert "ix_initiatives_search_trgm" in plan, plan
    assert "Bitmap Index Scan" in plan and "Seq Scan" not in plan, plan
