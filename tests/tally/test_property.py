"""Any permutation of a valid history, with duplicates, leaves Redis equal to the pure fold."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.args import script_call
from services.tally.domain.fold import fold
from shared.events import AwardKind, EventBase
from shared.settings import Settings
from tests.tally import history as h

KINDS_AFTER_FIRST = ("updated", "withdrawn", "submitted", "drafted")


@st.composite
def histories(draw: st.DrawFn) -> list[EventBase]:
    events: list[EventBase] = [h.campaign(version=1)]
    if draw(st.booleans()):
        events.append(h.campaign(version=2, target=80_000, quotas={"P24": 9000}))
    for n in range(draw(st.integers(1, 4))):
        iid = uuid.UUID(int=draw(st.integers(1, 2**32)) * 16 + n)
        kinds = [draw(st.sampled_from(("drafted", "submitted")))]
        kinds += draw(st.lists(st.sampled_from(KINDS_AFTER_FIRST), max_size=3))
        for version, kind in enumerate(kinds, start=1):
            events.append(h.initiative_state(
                kind, initiative_id=iid, version=version, path=draw(st.sampled_from(h.PATHS)),
                field=draw(st.sampled_from(h.FIELDS)), benefit=draw(st.sampled_from((0, 5_000_000, 80_000_000))),
                day=draw(st.integers(0, 3)), confidential=draw(st.booleans()),
            ))
        for m in range(draw(st.integers(0, 4))):
            events.append(h.vote(iid, f"m{m}", day=draw(st.integers(0, 4))))
        case = uuid.uuid5(iid, "case")
        for version in range(1, draw(st.integers(0, 3)) + 1):
            levels = tuple(draw(st.sets(st.integers(2, 4), max_size=3)))
            events.append(h.review(iid, case, version, levels))
        for a in range(draw(st.integers(0, 2))):
            award_id = uuid.uuid5(iid, f"award{a}")
            kind = draw(st.sampled_from((AwardKind.GIAY_KHEN, AwardKind.BANG_KHEN)))
            for version in range(1, draw(st.integers(1, 3)) + 1):
                events.append(h.award(iid, award_id, version, granted=draw(st.booleans()), kind=kind,
                                      level=4 if kind is AwardKind.GIAY_KHEN else 2,
                                      grade=draw(st.sampled_from((None, "tieu_bieu")))))
    return events


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[EventBase], list[EventBase], list[int]]:
    events = draw(histories())
    duplicated = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    order = draw(st.permutations(events + duplicated))
    cuts = draw(st.lists(st.integers(1, max(1, len(order))), max_size=4))
    return events, order, sorted(set(cuts))


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=deliveries())
async def test_any_order_with_duplicates_equals_the_fold(case, settings: Settings, redis_client: aioredis.Redis):
    events, order, cuts = case
    store = TallyStore(redis_client, settings)
    try:
        calls = [script_call(d) for d in h.as_dicts(order)]
        start = 0
        for cut in [*cuts, len(calls)]:
            await store.apply_batch(calls[start:cut])
            start = max(start, cut)
        expected = fold(h.as_dicts(events))
        assert diff_snapshots(expected, await store.snapshot("0")) == []
    finally:
        keys = [k async for k in redis_client.scan_iter(match=f"{settings.namespace}:*", count=1000)]
        if keys:
            await redis_client.delete(*keys)


async def test_a_vote_before_submission_counts_once_submitted_and_not_after_withdrawal(settings, redis_client):
    store = TallyStore(redis_client, settings)
    iid = uuid.uuid4()
    path = h.PATHS[0]
    vote = h.vote(iid, "m1")
    submitted = h.initiative_state("submitted", initiative_id=iid, version=1, path=path, field="ATVSLĐ")
    withdrawn = h.initiative_state("withdrawn", initiative_id=iid, version=2, path=path, field="ATVSLĐ")
    await store.apply_batch([script_call(d) for d in h.as_dicts([vote])])
    national = f"{settings.namespace}:t:0:c:c2021:u:*"
    assert await redis_client.hget(national, "votes") is None
    await store.apply_batch([script_call(d) for d in h.as_dicts([submitted, vote])])
    assert await redis_client.hmget(national, "votes", "submitted") == [b"1", b"1"]
    await store.apply_batch([script_call(d) for d in h.as_dicts([withdrawn, submitted])])
    assert await redis_client.hgetall(national) == {b"withdrawn": b"1"}
