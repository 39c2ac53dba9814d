"""Authorization matrix of the awards API: roles × endpoints, scoped to the reviewer's unit and level."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import jwt as pyjwt

from services.awards.bootstrap import AwardsService
from services.awards.domain.case import case_id_for
from shared.auth import issue_token, service_token
from shared.events import InitiativeWithdrawn, utc_now
from shared.settings import Settings, get_settings
from shared.union_tree import get_tree

from .builders import (
    GOOD_MARKS,
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
from .builders import climb as climb_to


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
            # outside the caller's scope: the same answer as a case that does not exist
            "sibling reviewer": (reviewer(sibling[3]), 404, "case-not-found"),
            "parent before nomination": (reviewer(path[2]), 404, "case-not-found"),
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
        assert path[2] not in moved_on.text, "the refusal must not name the unit where the case waits"
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


ACTION_BODIES: dict[str, dict[str, Any]] = {
    "recognise": {}, "not_recognise": {"reason": "Không đạt"}, "return": {"reason": "Bổ sung"},
    "score": {"marks": GOOD_MARKS}, "nominate": {}, "select": {"grade": "tieu_bieu"}, "grant": {"kind": "giay_khen"},
}


def problem(response: Any) -> tuple[int, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return response.status_code, response.json()["type"].rsplit("/", 1)[1]


async def test_a_reviewer_of_another_province_gets_404_for_every_action_whatever_the_case_state(
    settings: Settings, db_backend: str,
) -> None:
    path = chain()
    elsewhere = reviewer(next(g for g in get_tree().grassroots_ids() if get_tree().path(g)[1] == "P40"))
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        pending, national, withdrawn = (initiative_event(path=path) for _ in range(3))
        await feed(service, campaign_event(), pending, national, withdrawn)
        await feed(service, initiative_event(InitiativeWithdrawn, initiative_id=withdrawn.initiative_id, version=3))
        await ok(act(client, case_id_for(national.initiative_id), "recognise", reviewer(path[3])))
        granted = await ok(act(client, case_id_for(national.initiative_id), "grant", reviewer(path[3]),
                               kind="giay_khen"))
        await ok(act(client, case_id_for(national.initiative_id), "nominate", reviewer(path[3])))
        await climb_to(client, case_id_for(national.initiative_id), path[:3])  # recognised and selected at VGCL
        missing = uuid.uuid4()
        for event in (pending, national, withdrawn):
            case = case_id_for(event.initiative_id)
            for action, body in ACTION_BODIES.items():
                answer = await act(client, case, action, elsewhere, **body)
                assert problem(answer) == (404, "case-not-found"), (action, answer.text)
                assert answer.json()["detail"] == (await act(client, missing, action, elsewhere, **body)).json()[
                    "detail"].replace(str(missing), str(case))
        award = granted["award"]["award_id"]
        revoke = await client.post(f"/v1/awards/{award}/revoke", json={"reason": "x"}, headers=elsewhere)
        unknown = uuid.uuid4()
        nothing = await client.post(f"/v1/awards/{unknown}/revoke", json={"reason": "x"}, headers=elsewhere)
        assert problem(revoke) == problem(nothing) == (404, "award-not-found")
        assert revoke.json()["detail"] == nothing.json()["detail"].replace(str(unknown), award)


async def test_the_actor_is_checked_before_the_case_state(settings: Settings, db_backend: str) -> None:
    path = chain()
    async with awards_api(settings, db_backend) as (app, client):
        service: AwardsService = app.state.awards
        event = initiative_event(path=path)
        await feed(service, campaign_event(), event)
        case = case_id_for(event.initiative_id)
        await ok(act(client, case, "recognise", reviewer(path[3])))
        await ok(act(client, case, "nominate", reviewer(path[3])))
        await feed(service, initiative_event(InitiativeWithdrawn, initiative_id=event.initiative_id, version=3))
        # The grassroots union still sees the case but no longer holds it: told so, not that it was withdrawn.
        late = await act(client, case, "recognise", reviewer(path[3]))
        assert problem(late) == (403, "wrong-level")
        assert path[2] not in late.text
        # An admin may not review: refused as not a reviewer, whatever the state.
        assert problem(await act(client, case, "recognise", admin())) == (403, "wrong-unit")
        # The holder is told the state.
        assert problem(await act(client, case, "recognise", reviewer(path[2]))) == (409, "initiative-withdrawn")
