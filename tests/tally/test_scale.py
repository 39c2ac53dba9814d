"""A simulated campaign of 50,000 initiatives: rankings and rollups match the fold and the union tree."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import pytest

from services.tally.adapters.store import TallyStore, diff_snapshots
from services.tally.domain.args import script_call
from services.tally.domain.fold import fold
from services.tally.reads import TallyReader
from shared.union_tree import get_tree
from tests.tally import history as h

INITIATIVES = 50_000


@pytest.mark.slow
async def test_fifty_thousand_initiatives_roll_up_the_union_tree_exactly(settings, store: TallyStore, redis_client):
    tree = get_tree()
    rng = random.Random(2021)
    grassroots = [u for u in tree.grassroots_ids() if tree.get(tree.path(u)[1]).valid_until is not None]
    weights = [tree.get(tree.path(u)[1]).weight + 0.001 for u in grassroots]
    units = rng.choices(grassroots, weights=weights, k=INITIATIVES)
    events: list = [h.campaign()]
    for n, unit in enumerate(units):
        iid = uuid.UUID(int=n + 1)
        events.append(h.initiative_state("submitted", initiative_id=iid, version=1, path=tree.path(unit),
                                         field=rng.choice(h.FIELDS), day=rng.randrange(41)))
        if n % 5 == 0:
            events.append(h.vote(iid, "m1", day=rng.randrange(41), path=tree.path(unit)))
    dicts = h.as_dicts(events)
    await store.ensure_generation()
    calls = [script_call(d) for d in dicts]
    for start in range(0, len(calls), 2000):
        results = await store.apply_batch(calls[start:start + 2000])
        assert all(r == 1 for r in results)
    assert diff_snapshots(fold(dicts), await store.snapshot("0")) == []

    reader = TallyReader(redis_client, settings, tree)
    by_level2 = Counter(tree.path(u)[1] for u in units)
    ranking = await reader.rankings("c2021", parent_id="VGCL", metric="initiatives", limit=100)
    expected = sorted(by_level2.items(), key=lambda item: (-item[1], item[0]))  # tie rule: id ascending
    assert [(r["unit_id"], r["value"]) for r in ranking["ranking"]] == expected[:100]
    assert (await reader.totals("c2021"))["submitted"] == INITIATIVES
    for level2, count in list(by_level2.items())[:10]:
        summary = await reader.unit("c2021", level2)
        assert summary["submitted"] == count == sum(child["submitted"] for child in summary["children"])
        for child in summary["children"][:3]:
            below = await reader.unit("c2021", child["unit_id"])
            assert below["submitted"] == child["submitted"] == sum(g["submitted"] for g in below["children"])
    await store.delete_generation("0")  # batched UNLINK; the fixture's per-key cleanup would take long
