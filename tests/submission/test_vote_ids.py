"""Vote ids under a secret key: a repeat vote after a key change answers the stored id and counts once."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import select

from services.submission.adapters.tables import outbox, votes
from services.tally.adapters.store import TallyStore
from services.tally.domain.args import script_call
from services.tally.domain.fold import fold
from services.tally.keys import NATION
from shared.events import vote_id_for
from shared.settings import Settings

from .support import service_settings, start

NEW_KEY = "khoa-moi-cua-ma-binh-chon-0123456789abcdef"


async def test_a_repeat_vote_after_a_key_change_answers_the_stored_id_and_tally_counts_it_once(
    settings: Settings, db_backend: str, redis_client: Any,
) -> None:
    member = "dv-truoc-doi-khoa"
    async for h in start(service_settings(settings, db_backend)):  # the development key
        item = await h.submitted()
        first = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member(member))
        assert first.status_code == 201, first.text
        stored_id = first.json()["vote_id"]
        assert stored_id == str(vote_id_for("demo", uuid.UUID(item["id"]), member))
    async for h in start(service_settings(settings, db_backend, vote_id_key=NEW_KEY)):
        assert vote_id_for("demo", uuid.UUID(item["id"]), member, key=NEW_KEY.encode()) != uuid.UUID(stored_id)
        again = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member(member))
        assert again.status_code == 200, again.text
        assert again.json()["vote_id"] == stored_id and again.json()["already_voted"] is True
        other = await h.client.post(f"/v1/initiatives/{item['id']}/votes", headers=h.member("dv-sau-doi-khoa"))
        assert other.status_code == 201
        assert other.json()["vote_id"] == str(
            vote_id_for("demo", uuid.UUID(item["id"]), "dv-sau-doi-khoa", key=NEW_KEY.encode()))
        async with h.context.engine.connect() as conn:
            stored = {str(r.id) for r in await conn.execute(select(votes.c.id))}
            payloads = [orjson.loads(r.payload) for r in await conn.execute(
                select(outbox.c.payload).order_by(outbox.c.position))]
        assert stored == {stored_id, other.json()["vote_id"]}, "the stored vote kept its id; nothing else stored"
        cast = [p for p in payloads if p["type"] == "vote.cast"]
        assert sorted(p["vote_id"] for p in cast) == sorted(stored), "one event per stored vote, none for the repeat"
    # Tally applies the feed, redelivered, on the real Redis: each stored vote counts once.
    store = TallyStore(redis_client, settings)
    counted = ("campaign.configured", "initiative.submitted", "vote.cast")  # tally counts configured campaigns only
    calls = [script_call(p) for p in payloads if p["type"] in counted]
    await store.apply_batch(calls + calls, generation="0")
    snapshot = await store.snapshot("0")
    assert snapshot[f"c:demo:u:{NATION}"]["votes"] == "2"
    assert snapshot == fold([p for p in payloads if p["type"] in counted])
