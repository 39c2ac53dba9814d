"""The rebuild's bulk write leaves a generation equal, key for key, to what the apply script leaves."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis

from services.tally.adapters import store as store_module
from services.tally.adapters.store import TallyStore
from services.tally.domain.args import script_call
from services.tally.domain.bulk import bulk_state
from services.tally.domain.fold import Campaign, fold_into
from services.tally.rebuild import tail_start
from shared.settings import Settings
from tests.tally import history as h


def rich_history(seed: int = 3) -> list[Any]:
    """Submissions, updates, withdrawals, votes (some before their initiative), reviews, awards and revocations."""
    rng = random.Random(seed)
    events: list[Any] = [h.campaign(), h.campaign(version=2, target=80_000)]
    for n in range(60):
        iid = uuid.UUID(int=seed * 10**6 + n)
        path, field = rng.choice(h.PATHS), rng.choice(h.FIELDS)
        events.append(h.initiative_state("submitted", initiative_id=iid, version=1, path=path, field=field,
                                         benefit=rng.randrange(0, 10**8), day=rng.randrange(4)))
        if n % 5 == 0:
            events.append(h.initiative_state("updated", initiative_id=iid, version=2, path=path, field=field,
                                             benefit=rng.randrange(0, 10**8), day=1))
        if n % 9 == 0:
            events.append(h.initiative_state("withdrawn", initiative_id=iid, version=3, path=path, field=field))
        events += [h.vote(iid, f"m{k}", day=rng.randrange(5), path=path) for k in range(rng.randrange(6))]
        if n % 4 == 0:
            case = uuid.UUID(int=n + 7)
            events += [h.review(iid, case, 1, (4,), path=path), h.review(iid, case, 2, (4, 3), path=path)]
        if n % 6 == 0:
            award = uuid.UUID(int=n + 99)
            events.append(h.award(iid, award, 1, granted=True, path=path))
            if n % 12 == 0:
                events.append(h.award(iid, award, 2, granted=False, path=path))
    events += [h.vote(uuid.UUID(int=424242), "early")]  # a vote for an initiative never seen
    return events


async def dump_generation(client: aioredis.Redis, prefix: str, *, days_index: bool = False) -> dict[str, Any]:
    """Every key of a generation with its value; seen markers aside, and the days index unless asked for."""
    out: dict[str, Any] = {}
    async for raw in client.scan_iter(match=prefix + "*", count=5000):
        key = raw[len(prefix):].decode(errors="replace")
        if key.startswith("s:") or (key.endswith(":days") and not days_index):
            continue
        kind = (await client.type(raw)).decode()
        if kind == "hash":
            out[key] = await client.hgetall(raw)
        elif kind == "zset":
            out[key] = await client.zrange(raw, 0, -1, withscores=True)
        elif kind == "set":
            out[key] = await client.smembers(raw)
        else:
            out[key] = await client.get(raw)
    return out


async def test_bulk_generation_equals_the_scripts_and_later_events_apply_alike(
    settings: Settings, redis_client: aioredis.Redis,
):
    store = TallyStore(redis_client, settings)
    history = rich_history()
    dicts = h.as_dicts(history)
    random.Random(5).shuffle(dicts)
    dicts.sort(key=lambda e: e["type"] != "campaign.configured")  # as workers requeue events before their campaign
    await store.apply_batch([script_call(e) for e in dicts + dicts[:40]], generation="1")  # with duplicates
    campaigns: dict[str, Campaign] = defaultdict(Campaign)
    new_ids = fold_into(campaigns, set(), dicts + dicts[:40])
    await store.write_bulk(bulk_state(campaigns), [uuid.UUID(i).bytes for i in new_ids], generation="2")
    bulk = await dump_generation(redis_client, store.keys.gen_prefix("2"))
    assert len(bulk) > 100 and any(k.endswith(":ver") for k in bulk) and any(":i:" in k for k in bulk)
    assert bulk == await dump_generation(redis_client, store.keys.gen_prefix("1"))

    later = h.as_dicts([h.vote(uuid.UUID(int=3 * 10**6 + 1), "late"),
                        h.initiative_state("withdrawn", initiative_id=uuid.UUID(int=3 * 10**6 + 2), version=9,
                                           path=h.PATHS[0], field=h.FIELDS[0])])
    for gen in ("1", "2"):
        assert await store.apply_batch([script_call(e) for e in later + dicts[:5]], generation=gen) == [1, 1] + [0] * 5
    assert await dump_generation(redis_client, store.keys.gen_prefix("2")) == \
        await dump_generation(redis_client, store.keys.gen_prefix("1"))


def test_tail_starts_at_the_first_gap_among_recent_events():
    now = datetime.now(UTC)
    old, new = {"occurred_at": (now - timedelta(hours=1)).isoformat()}, {"occurred_at": now.isoformat()}
    cutoff = now - timedelta(minutes=2)
    assert tail_start([1, 2, 3, 4, 5], [new] * 5, 5, cutoff) == 5
    assert tail_start([1, 2, 4, 5], [new] * 4, 5, cutoff) == 2  # position 3 may still commit: read from there
    assert tail_start([1, 2, 4, 5], [old] * 4, 5, cutoff) == 5  # an hour-old gap is a rolled-back transaction
    assert tail_start([1, 3, 4, 6], [old, old, new, new], 6, cutoff) == 4


async def test_a_large_generation_is_written_in_bounded_round_trips(
    settings: Settings, redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch,
):
    """The full 2021 replay's 2.3 M seen markers in one round trip timed out writing (redis-py waits 5 s)."""
    store = TallyStore(redis_client, settings)
    dicts = h.as_dicts(rich_history())
    await store.apply_batch([script_call(e) for e in dicts], generation="1")
    campaigns: dict[str, Campaign] = defaultdict(Campaign)
    new_ids = fold_into(campaigns, set(), dicts)
    monkeypatch.setattr(store_module, "BULK_MEMBERS", 40)
    monkeypatch.setattr(store_module, "BULK_ARGUMENTS", 300)
    round_trips: list[int] = []
    pipeline = redis_client.pipeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        pipe = pipeline(*args, **kwargs)
        execute = pipe.execute

        async def execute_counted(*e_args: Any, **e_kwargs: Any) -> Any:
            round_trips.append(sum(len(command_args) for command_args, _ in pipe.command_stack))
            return await execute(*e_args, **e_kwargs)

        pipe.execute = execute_counted  # type: ignore[method-assign]
        return pipe

    monkeypatch.setattr(redis_client, "pipeline", counted)
    await store.write_bulk(bulk_state(campaigns), [uuid.UUID(i).bytes for i in new_ids], generation="2")
    assert len(round_trips) > 10 and max(round_trips) <= 300
    assert await dump_generation(redis_client, store.keys.gen_prefix("2")) == \
        await dump_generation(redis_client, store.keys.gen_prefix("1"))
