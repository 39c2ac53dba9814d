"""A simulated campaign through all four levels: initiative events over real RabbitMQ, reviewers over HTTP.

The recognised and award counts in the awards database equal the fold of the ``review.decided`` and
``award.*`` events in its feed and of the same events as they arrive on RabbitMQ.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import httpx

from services.awards.app import create_app
from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from services.awards.handlers.queries import count_recognitions_and_awards
from shared.auth import service_token
from shared.events import AuthorCategory, EventBase, InitiativeUpdated, InitiativeWithdrawn, dump_event
from shared.settings import Settings
from shared.topology import topology_for

from .builders import act, admin, campaign_event, chain, climb, initiative_event, ok, reviewer, siblings


async def wait_until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def fold(events: list[dict[str, Any]]) -> dict[tuple[str, int], tuple[int, int]]:
    """Recognised cases and active awards per (unit, level), from the latest version of each aggregate."""
    cases: dict[str, dict[str, Any]] = {}
    awards: dict[str, dict[str, Any]] = {}
    for e in events:
        if e["type"] == "review.decided" and e["version"] > cases.get(e["case_id"], {}).get("version", 0):
            cases[e["case_id"]] = e
        elif e["type"].startswith("award.") and e["version"] > awards.get(e["award_id"], {}).get("version", 0):
            awards[e["award_id"]] = e
    recognised: Counter[tuple[str, int]] = Counter()
    for e in cases.values():
        for level in e["recognised_levels"]:
            recognised[(e["unit_path"][level - 1], level)] += 1
    granted = Counter((e["granting_unit_id"], e["level"]) for e in awards.values() if e["type"] == "award.granted")
    return {k: (recognised[k], granted[k]) for k in sorted(set(recognised) | set(granted))}


async def publish(channel: aio_pika.abc.AbstractChannel, settings: Settings, *events: EventBase) -> None:
    exchange = await channel.get_exchange(topology_for(settings).exchange_name)
    for event in events:
        await exchange.publish(
            aio_pika.Message(dump_event(event), message_id=str(event.event_id),
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=event.type,
        )


async def test_campaign_flows_through_four_levels_and_counts_match_the_feed(
    settings: Settings, rabbit: aio_pika.abc.AbstractRobustConnection, db_backend: str,
) -> None:
    settings = settings.model_copy(update={"awards_db_url": db_backend, "prefetch": 16})
    topology = topology_for(settings)
    channel = await rabbit.channel()
    await topology.declare_all(channel)
    watch = await channel.declare_queue(exclusive=True)
    exchange = await channel.get_exchange(topology.exchange_name)
    for key in ("review.*", "award.*"):
        await watch.bind(exchange, routing_key=key)

    path = chain()
    other = siblings(path, 1)[0]
    rich = {"benefit_vnd": 300_000_000, "author_categories": (AuthorCategory.GRADUATE,)}
    plan: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {  # name -> (path, state)
        "star": (path, rich), "bronze": (path, {}), "rejected": (path, {}), "returned": (path, {}),
        "regional": (other, {}), "withdrawn_late": (other, {}),
    }
    events = {name: initiative_event(path=p, **state) for name, (p, state) in plan.items()}
    cid = {name: case_id_for(e.initiative_id) for name, e in events.items()}

    app = create_app(settings)
    service: AwardsService = app.state.awards
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://awards",
    ) as client:
        await publish(channel, settings, campaign_event(), *events.values(), *events.values())  # each twice

        async def all_cases_open() -> bool:
            response = await client.get("/v1/queue", params={"unit_id": path[3]}, headers=admin())
            other_queue = await client.get("/v1/queue", params={"unit_id": other[3]}, headers=admin())
            return len(response.json()["items"]) == 4 and len(other_queue.json()["items"]) == 2

        await wait_until(all_cases_open, "the consumer to open six cases")

        # level 4: score, award Giấy khen, nominate; reject one; return one to its authors
        g4 = reviewer(path[3])
        for name in ("star", "bronze"):
            await ok(act(client, cid[name], "score", g4, marks={"tinh_moi": 9, "hieu_qua": 8,
                                                                 "kha_nang_ap_dung": 8, "ho_so": 10}))
            await ok(act(client, cid[name], "score", reviewer(path[3], "b"), marks={
                "tinh_moi": 7, "hieu_qua": 6, "kha_nang_ap_dung": 8, "ho_so": 10}))
        await ok(act(client, cid["rejected"], "not_recognise", g4, reason="Chưa có tính mới"))
        await ok(act(client, cid["returned"], "return", g4, reason="Bổ sung số liệu hiệu quả"))
        await climb(client, cid["bronze"], path, to_level=4)
        await ok(act(client, cid["bronze"], "grant", g4, kind="giay_khen"))
        await climb(client, cid["star"], path, to_level=3)
        await ok(act(client, cid["star"], "grant", reviewer(path[2]), kind="giay_khen"))
        await climb(client, cid["regional"], other, to_level=2)
        await ok(act(client, cid["regional"], "grant", reviewer(other[1]), kind="bang_khen"))
        await ok(act(client, cid["star"], "nominate", reviewer(path[2])))
        await ok(act(client, cid["star"], "recognise", reviewer(path[1])))
        await ok(act(client, cid["star"], "grant", reviewer(path[1]), kind="bang_khen"))
        await ok(act(client, cid["star"], "nominate", reviewer(path[1])))
        listed = await ok(client.get("/v1/selections", headers=reviewer("VGCL")))
        assert [i["case_id"] for i in listed["items"]] == [str(cid["star"])]
        await ok(act(client, cid["star"], "recognise", reviewer("VGCL")))
        await ok(act(client, cid["star"], "select", reviewer("VGCL"), grade="xuat_sac"))
        await ok(act(client, cid["star"], "grant", reviewer("VGCL"), kind="bang_khen_tld"))
        blds = await ok(act(client, cid["star"], "grant", reviewer("VGCL"), kind="bang_lao_dong_sang_tao"))
        assert blds["award"]["grade"] == "xuat_sac"
        selected = await ok(client.get("/v1/selections", params={"list": "selected"}, headers=admin()))
        assert [i["case_id"] for i in selected["items"]] == [str(cid["star"])]
        # the level-2 award of "regional" is revoked by its granting unit
        detail = await ok(client.get(f"/v1/cases/{cid['regional']}", headers=reviewer(other[1])))
        award_id = detail["awards"][0]["award_id"]
        await ok(client.post(f"/v1/awards/{award_id}/revoke", json={"reason": "Trùng sáng kiến đã khen"},
                             headers=reviewer(other[1])))
        # the authors update the returned initiative; it comes back to the grassroots queue and is recognised
        returned = events["returned"]
        await publish(channel, settings, initiative_event(
            InitiativeUpdated, initiative_id=returned.initiative_id, version=3, path=path))
        late = events["withdrawn_late"]
        await publish(channel, settings, initiative_event(
            InitiativeWithdrawn, initiative_id=late.initiative_id, version=3, path=other, reason="Tác giả rút"))

        async def back_in_queue() -> bool:
            case = await client.get(f"/v1/cases/{cid['returned']}", headers=g4)
            return bool(case.json()["status"] == "pending")

        await wait_until(back_in_queue, "the returned case to come back after the update")

        async def withdrawn() -> bool:
            case = await client.get(f"/v1/cases/{cid['withdrawn_late']}", headers=admin())
            return bool(case.json()["status"] == "withdrawn")

        await wait_until(withdrawn, "the late withdrawal to reach its case")
        refused = await act(client, cid["withdrawn_late"], "recognise", reviewer(other[3]))
        assert refused.status_code == 409 and refused.json()["type"].endswith("initiative-withdrawn")
        await ok(act(client, cid["returned"], "recognise", g4))

        # the relay publishes everything; the DB, the feed and RabbitMQ agree
        await wait_until(lambda: _backlog_empty(service), "the relay to publish the outbox")
        async with service.sessions() as session:
            counts = await count_recognitions_and_awards(session, campaign_id="sk-test")
        in_db = {k: (v.recognised, v.awards) for k, v in counts.items()}
        feed = await client.get("/v1/events", params={"limit": 10_000},
                                headers={"Authorization": f"Bearer {service_token()}"})
        feed_events = feed.json()["events"]
        assert fold(feed_events) == in_db
        # "other" is a sibling grassroots union: same level-3 and level-2 units
        assert in_db[(path[3], 4)] == (3, 1) and in_db[(other[3], 4)] == (1, 0)
        assert in_db[(path[2], 3)] == (2, 1) and in_db[(path[1], 2)] == (2, 1) and in_db[("VGCL", 1)] == (1, 2)

        seen: dict[str, dict[str, Any]] = {}

        async def all_arrived() -> bool:
            while (message := await watch.get(fail=False, no_ack=True)) is not None:
                body = json.loads(message.body)
                assert message.message_id == body["event_id"]
                seen[body["event_id"]] = body
            return len(seen) == len(feed_events)

        await wait_until(all_arrived, "the published events on RabbitMQ")
        assert fold(list(seen.values())) == in_db


async def _backlog_empty(service: AwardsService) -> bool:
    return await service.relay.backlog() == 0


async def test_invalid_message_is_dead_lettered_and_consumption_continues(
    settings: Settings, rabbit: aio_pika.abc.AbstractRobustConnection,
) -> None:
    topology = topology_for(settings)
    channel = await rabbit.channel()
    await topology.declare_all(channel)
    exchange = await channel.get_exchange(topology.exchange_name)
    app = create_app(settings.model_copy(update={"run_relay": False}))
    service: AwardsService = app.state.awards
    async with app.router.lifespan_context(app):
        assert (await service.readiness())["consumer"] is True
        await exchange.publish(aio_pika.Message(b'{"type": "initiative.submitted", "nonsense": 1}'),
                               routing_key="initiative.submitted")
        await exchange.publish(aio_pika.Message(b"not json at all"), routing_key="initiative.updated")
        good = initiative_event()
        await publish(channel, settings, campaign_event(), good)

        dlq = await channel.declare_queue(topology.awards.dead_letter_name, passive=True)
        dead: list[bytes] = []

        async def dead_letters() -> bool:
            while (message := await dlq.get(fail=False, no_ack=True)) is not None:
                assert message.headers["x-first-death-reason"] == "rejected"
                dead.append(message.body)
            return len(dead) == 2

        await wait_until(dead_letters, "two messages in the dead-letter queue")

        async def opened() -> bool:
            async with service.sessions() as session:
                from services.awards.adapters import repository as repo

                return await repo.load_case(session, case_id_for(good.initiative_id)) is not None

        await wait_until(opened, "the valid event to open its case")
    assert sorted(dead) == sorted([b'{"type": "initiative.submitted", "nonsense": 1}', b"not json at all"])
