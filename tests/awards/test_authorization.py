"""Authorization matrix of the awards API: roles × endpoints, scoped to the reviewer's unit and level."""

from __future__ import annotations

from datetime import timedelta

import jwt as pyjwt

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from shared.auth import issue_token, service_token
from shared.events import utc_now
from shared.settings import Settings, get_settings

from .builders import (
    act,
    admin,
    awards_api,
    campaign_event,
    chain,
    feed,
    initiative_event,
    ok,
    reviewer,
    siblings,
    token,
)


def expired() -> dict[str, str]:
    s = get_settings()
    claims = {"sub": "r", "role": "reviewer", "unit": "VGCL", "iat": utc_now() - timedelta(hours=2),
              "exp": utc_now() - timedelta(hours=1), "iss": s.jwt_issuer, "aud": s.jwt_audience}
    return {"Authorization": "Bearer " + pyjwt.encode(claims, s.signing_secret, algorithm="HS256")}


async def test_authorization_matrix(settings: Settings, db_backend: str) -> None:
    path = chain()
    sibling = siblings(path, 1)[0]
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        event = initiative_event(path=path)
        await feed(service, campaign_event(), event)
        case = case_id_for(event.initiative_id)
        service_headers = {"Authorization": f"Bearer {service_token()}"}
        member = token("member", None, subject="m1")
        officer = {"Authorization": "Bearer " + issue_token(subject="o1", role="officer", unit_id=path[3])}

        reads = {
            "case": lambda h: client.get(f"/v1/cases/{case}", headers=h),
            "queue": lambda h: client.get("/v1/queue", headers=h),
            "audit": lambda h: client.get("/v1/audit", params={"unit_id": path[3]}, headers=h),
            "selections": lambda h: client.get("/v1/selections", headers=h),
            "feed": lambda h: client.get("/v1/events", headers=h),
        }
        expected_reads = {  # who: (case, queue, audit, selections, feed)
            "anonymous": ({}, (401, 401, 401, 401, 401)),
            "expired": (expired(), (401, 401, 401, 401, 401)),
            "member": (member, (403, 403, 403, 403, 403)),
            "officer": (officer, (403, 403, 403, 403, 403)),
            "service": (service_headers, (403, 403, 403, 403, 200)),
            "grassroots reviewer": (reviewer(path[3]), (200, 200, 403, 403, 403)),
            "sibling reviewer": (reviewer(sibling[3]), (404, 200, 403, 403, 403)),
            "upper-grassroots reviewer": (reviewer(path[2]), (404, 200, 200, 403, 403)),
            "VGCL reviewer": (reviewer("VGCL"), (404, 200, 200, 200, 403)),
            "admin": (admin(), (200, 422, 200, 200, 403)),  # the feed is for services only
        }
        for who, (headers, statuses) in expected_reads.items():
            got = tuple([(await call(headers)).status_code for call in reads.values()])
            assert got == statuses, who
        other_queue = await client.get("/v1/queue", params={"unit_id": sibling[3]}, headers=reviewer(path[3]))
        assert other_queue.status_code == 403

        refusals = {
            "member": (member, 403, "forbidden"), "anonymous": ({}, 401, "unauthenticated"),
            "sibling reviewer": (reviewer(sibling[3]), 403, "wrong-unit"),
            "parent before nomination": (reviewer(path[2]), 403, "wrong-level"),
            "admin": (admin(), 403, "wrong-unit"),
        }
        for who, (headers, status, problem) in refusals.items():
            response = await act(client, case, "recognise", headers)
            assert (response.status_code, response.json()["type"].rsplit("/", 1)[1]) == (status, problem), who

        await ok(act(client, case, "recognise", reviewer(path[3])))
        granted = await ok(act(client, case, "grant", reviewer(path[3]), kind="giay_khen"))
        await ok(act(client, case, "nominate", reviewer(path[3])))
        # the parent now sees it and acts; the grassroots union can still read it but no longer act
        assert (await client.get(f"/v1/cases/{case}", headers=reviewer(path[2]))).status_code == 200
        moved_on = await act(client, case, "recognise", reviewer(path[3]))
        assert moved_on.status_code == 403 and moved_on.json()["type"].endswith("wrong-level")
        await ok(act(client, case, "recognise", reviewer(path[2])))
        # revoke: not the parent, but the granting unit or an admin
        award = granted["award"]["award_id"]
        parent_revoke = await client.post(f"/v1/awards/{award}/revoke", json={"reason": "x"},
                                          headers=reviewer(path[2]))
        assert parent_revoke.status_code == 403 and parent_revoke.json()["type"].endswith("wrong-unit")
        await ok(client.post(f"/v1/awards/{award}/revoke", json={"reason": "Sai sót"}, headers=admin()))
        policy = {"rubric": [{"key": "a", "name": "Tính mới", "weight": 1}], "nominations_per_unit": {},
                  "awards_per_theme": {}}
        put = await client.put("/v1/campaigns/sk-test/policy", json=policy, headers=reviewer("VGCL"))
        assert put.status_code == 403


async def test_idempotency_key_repeats_the_answer_once(settings: Settings, db_backend: str) -> None:
    path = chain()
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        event = initiative_event(path=path)
        await feed(service, campaign_event(), event)
        case = case_id_for(event.initiative_id)
        await ok(act(client, case, "recognise", reviewer(path[3])))
        headers = {**reviewer(path[3]), "Idempotency-Key": "nominate-1"}
        first = await client.post(f"/v1/cases/{case}/nominations", json={}, headers=headers)
        again = await client.post(f"/v1/cases/{case}/nominations", json={}, headers=headers)
        assert first.status_code == again.status_code == 201 and first.json() == again.json()
        other = await client.post(f"/v1/cases/{case}/nominations", json={"note": "khác"}, headers=headers)
        assert other.status_code == 409
        detail = await ok(client.get(f"/v1/cases/{case}", headers=admin()))
        assert len(detail["nominations"]) == 1 and detail["current_level"] == 3
