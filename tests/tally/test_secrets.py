"""A technology secret leaks through no public tally answer: no benefit in any sum, no place below the nation.

The secret is alone in its grassroots union, upper-grassroots union and province, so any leak is exact: a unit's
benefit would be the secret's own, a unit's ranking of initiatives would place it. Every public route is asked
about every unit on its path (and the nation), and the live stream's first snapshot is read over HTTP.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import orjson

from services.tally.adapters.store import TallyStore
from services.tally.app import create_app
from services.tally.domain.args import script_call
from services.tally.domain.bulk import bulk_state
from services.tally.domain.fold import fold, fold_campaigns
from shared.settings import Settings
from tests.support.servers import free_port
from tests.tally import history as h
from tests.tally.conftest import serve

SECRET_PATH = ("VGCL", "P40", "P40-01", "P40-01-002")
PUBLIC_PATH = ("VGCL", "P24", "P24-01", "P24-01-001")
SECRET_BENEFIT, PUBLIC_BENEFIT = 987_654_321, 1_000_000
SECRET, PUBLIC = uuid.UUID(int=0x5EC), uuid.UUID(int=0x9AB)


def history() -> list[Any]:
    return [
        h.campaign(),
        h.initiative_state("submitted", initiative_id=SECRET, version=1, path=SECRET_PATH, field=h.FIELDS[0],
                           benefit=SECRET_BENEFIT, confidential=True, title="Quy trình bí mật"),
        h.initiative_state("submitted", initiative_id=PUBLIC, version=1, path=PUBLIC_PATH, field=h.FIELDS[0],
                           benefit=PUBLIC_BENEFIT, title="Cải tiến công khai"),
        *[h.vote(SECRET, f"m{k}", path=SECRET_PATH, day=1) for k in range(4)],
        *[h.vote(PUBLIC, f"m{k}", path=PUBLIC_PATH, day=1) for k in range(2)],
    ]


def routes() -> dict[str, str]:
    """Every public read (name → path and query), for the nation and every unit on both initiatives' paths."""
    units = ["*", *SECRET_PATH, *PUBLIC_PATH]
    out = {"campaigns": "/v1/campaigns", "totals": "/v1/campaigns/c2021/totals"}
    for unit in units:
        out[f"unit {unit}"] = f"/v1/campaigns/c2021/units/{unit}"
        out[f"top-initiatives {unit}"] = f"/v1/campaigns/c2021/top-initiatives?unit={unit}&limit=100"
        out[f"daily {unit}"] = f"/v1/campaigns/c2021/daily?unit={unit}"
        for metric in ("initiatives", "votes", "awards"):
            if unit != "*":
                out[f"rankings {metric} {unit}"] = f"/v1/campaigns/c2021/rankings?parent={unit}&metric={metric}"
        if unit != "*":
            for metric in ("initiatives", "votes"):
                out[f"daily-table {metric} {unit}"] = f"/v1/campaigns/c2021/daily-table?parent={unit}&metric={metric}"
    return out


def benefits(value: Any) -> list[int]:
    """Every ``benefit`` figure anywhere in an answer."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "benefit"] + [x for v in value.values() for x in benefits(v)]
    if isinstance(value, list):
        return [x for v in value for x in benefits(v)]
    return []


def assert_no_leak(name: str, answer: Any) -> None:
    text = orjson.dumps(answer).decode()
    assert str(SECRET_BENEFIT) not in text, name
    assert all(b in (0, PUBLIC_BENEFIT) for b in benefits(answer)), (name, benefits(answer))
    for item in _initiative_lists(answer):
        listed = [i for i in item["initiatives"] if i["initiative_id"] == str(SECRET)]
        if item["unit_id"] != "*":
            assert listed == [], name  # a unit's ranking would place the secret in that unit
        for entry in listed:
            assert set(entry) == {"rank", "initiative_id", "title", "votes", "confidential"}, name


def _initiative_lists(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, dict):
        found = [answer] if "initiatives" in answer and "unit_id" in answer else []
        return found + [x for v in answer.values() for x in _initiative_lists(v)]
    return []


async def test_no_public_route_nor_the_stream_leaks_a_secrets_benefit_or_place(settings: Settings, store: TallyStore):
    await store.ensure_generation()
    await store.apply_batch([script_call(e) for e in h.as_dicts(history())])
    port = free_port()
    server, task = await serve(create_app(settings), port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            answers = {}
            for name, path in routes().items():
                response = await client.get(path)
                assert response.status_code == 200, (name, response.text)
                answers[name] = response.json()
                assert_no_leak(name, answers[name])
            assert answers["totals"]["benefit"] == PUBLIC_BENEFIT
            assert answers["unit P40"]["benefit"] == 0 and answers["unit P40"]["votes"] == 4  # counts stay exact
            national = answers["top-initiatives *"]["initiatives"]
            assert [i["initiative_id"] for i in national] == [str(SECRET), str(PUBLIC)]  # nationally: as before
            async with client.stream("GET", "/v1/stream", params={"campaign_id": "c2021"}) as stream:
                lines = stream.aiter_lines()
                first = await asyncio.wait_for(anext(lines), 5)
                data = await asyncio.wait_for(anext(lines), 5)
            assert first == "event: snapshot"
            assert_no_leak("stream", orjson.loads(data.removeprefix("data: ")))
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


def test_the_fold_and_the_rebuilds_bulk_write_keep_the_secret_out_alike():
    snapshot = fold(h.as_dicts(history()))
    assert snapshot["c:c2021:u:*"]["benefit"] == str(PUBLIC_BENEFIT)
    assert all("benefit" not in snapshot[f"c:c2021:u:{u}"] for u in SECRET_PATH[1:])
    assert snapshot["c:c2021:f:" + h.FIELDS[0]]["benefit"] == str(PUBLIC_BENEFIT)
    assert [k for k in snapshot if k.startswith("c:c2021:ri:") and str(SECRET) in snapshot[k]] == ["c:c2021:ri:*"]
    state = bulk_state(fold_campaigns(h.as_dicts(history())))
    assert [k for k, members in state.zsets.items() if str(SECRET) in members] == ["c:c2021:ri:*"]
