"""Any permutation of a valid history, with duplicates, leaves Redis equal to the pure fold."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.args import UNCONFIGURED, ScriptCall, script_call
from services.tally.domain.fold import fold, fold_campaigns
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
    if draw(st.booleans()):  # a campaign never configured: requeued until dead-lettered, counted nowhere
        stray = uuid.uuid4()
        events += [h.initiative_state("submitted", initiative_id=stray, version=1, path=h.PATHS[1], field=h.FIELDS[0],
                                      campaign_id="c-never"), h.vote(stray, "m0", campaign_id="c-never")]
    return events


async def apply_as_workers(store: TallyStore, calls: list[ScriptCall], cuts: list[int]) -> None:
    """Apply in batches as the workers do: an event of a campaign not configured (yet) goes back to the queue and
    comes again after the rest, until its campaign is configured or it stops making progress (dead-lettered)."""
    requeued: list[ScriptCall] = []
    start = 0
    for cut in [*cuts, len(calls)]:
        batch = calls[start:cut]
        start = max(start, cut)
        results = await store.apply_batch(batch)
        requeued += [c for c, r in zip(batch, results, strict=True) if r == UNCONFIGURED]
    while requeued:
        results = await store.apply_batch(requeued)
        left = [c for c, r in zip(requeued, results, strict=True) if r == UNCONFIGURED]
        if len(left) == len(requeued):
            return
        requeued = left


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
        await apply_as_workers(store, [script_call(d) for d in h.as_dicts(order)], cuts)
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
    await store.apply_batch([script_call(d) for d in h.as_dicts([h.campaign(), vote])])
    national = f"{settings.namespace}:t:0:c:c2021:u:*"
    assert await redis_client.hget(national, "votes") is None
    await store.apply_batch([script_call(d) for d in h.as_dicts([submitted, vote])])
    assert await redis_client.hmget(national, "votes", "submitted") == [b"1", b"1"]
    await store.apply_batch([script_call(d) for d in h.as_dicts([withdrawn, submitted])])
    assert await redis_client.hgetall(national) == {b"withdrawn": b"1"}


async def test_a_stale_or_duplicate_event_leaves_the_change_counter_alone(settings, redis_client):
    store = TallyStore(redis_client, settings)
    iid, path = uuid.uuid4(), h.PATHS[1]
    first = h.initiative_state("submitted", initiative_id=iid, version=1, path=path, field=h.FIELDS[0])
    second = h.initiative_state("updated", initiative_id=iid, version=2, path=path, field=h.FIELDS[1])
    case, award_id = uuid.uuid4(), uuid.uuid4()
    newer = [h.campaign(version=2), second, h.review(iid, case, 2, (4,), path=path),
             h.award(iid, award_id, 2, granted=True, path=path)]
    stale = [h.campaign(version=1), first, h.review(iid, case, 1, (), path=path),
             h.award(iid, award_id, 1, granted=False, path=path)]
    ver = f"{settings.namespace}:t:0:c:c2021:ver"
    assert await store.apply_batch([script_call(d) for d in h.as_dicts(newer)]) == [1, 1, 1, 1]
    assert await redis_client.get(ver) == b"4"
    before = await store.snapshot("0")
    assert await store.apply_batch([script_call(d) for d in h.as_dicts(stale + newer)]) == [1, 1, 1, 1, 0, 0, 0, 0]
    assert await redis_client.get(ver) == b"4"  # four new events, none of them a change
    assert await store.snapshot("0") == before
    vote = h.vote(iid, "m1", path=path)
    assert await store.apply_batch([script_call(d) for d in h.as_dicts([vote, vote])]) == [1, 0]
    assert await redis_client.get(ver) == b"5"
    folded = fold_campaigns(h.as_dicts(newer + stale + [vote]))
    assert folded["c2021"].events == 5  # the rebuild writes ver from this


async def test_events_of_a_campaign_never_configured_write_nothing(settings, redis_client):
    store = TallyStore(redis_client, settings)
    iid = uuid.uuid4()
    events = [h.initiative_state("submitted", initiative_id=iid, version=1, path=h.PATHS[1], field=h.FIELDS[0],
                                 campaign_id="c-never"), h.vote(iid, "m1", campaign_id="c-never")]
    assert await store.apply_batch([script_call(d) for d in h.as_dicts(events)]) == [UNCONFIGURED, UNCONFIGURED]
    assert [k async for k in redis_client.scan_iter(match=f"{settings.namespace}:t:0:*")] == []
    assert fold(h.as_dicts(events)) == {"campaigns": {}}
