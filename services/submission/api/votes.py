"""The vote endpoint: 201 for a new vote, 200 with ``already_voted`` for a repeat."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.submission.api.deps import VoterPrincipal
from services.submission.api.schemas import VoteAnswer
from services.submission.handlers.votes import Ballot, BallotBox
from shared.client_address import client_address

router = APIRouter(prefix="/v1/initiatives", tags=["votes"])


@router.post(
    "/{initiative_id}/votes",
    status_code=201,
    response_model=VoteAnswer,
    responses={200: {"model": VoteAnswer, "description": "The member had already voted: the same vote"}},
    summary="Bình chọn / Vote for an initiative",
)
async def vote(initiative_id: uuid.UUID, principal: VoterPrincipal, request: Request) -> Response:
    box: BallotBox = request.app.state.ballot_box
    address = client_address(request, request.app.state.context.settings.trusted_proxies)
    outcome = await box.cast(Ballot(member_id=principal.subject, initiative_id=initiative_id, client_address=address))
    answer = VoteAnswer(
        vote_id=outcome.vote_id, initiative_id=outcome.initiative_id, campaign_id=outcome.campaign_id,
        already_voted=outcome.already_voted,
    )
    return Response(answer.model_dump_json(), media_type="application/json",
                    status_code=200 if outcome.already_voted else 201)
