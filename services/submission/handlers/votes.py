"""Casting votes by group commit: concurrent votes are checked and stored together, one transaction per batch.

Every vote still gets its own answer (201, 200 ``already_voted``, 404/409/422/429 for its own reason), but
the rate limits of a batch are counted in one pipelined Redis round trip and its votes, with their events,
are written in one transaction (one multi-row insert each). Under a burst this turns thousands of small
transactions into a few dozen larger ones; alone, a vote waits for nobody.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.submission.adapters.sql import insert_ignore
from services.submission.adapters.tables import initiatives, outbox, votes
from services.submission.bootstrap import Context
from services.submission.domain.errors import AlreadyWithdrawnError, InitiativeNotFoundError, NotSubmittedError
from services.submission.domain.initiative import ensure_in_window
from shared.events import InitiativeStatus, VoteCast, utc_now, vote_id_for
from shared.group_commit import GroupCommit
from shared.outbox import add_events
from shared.problems import Problem

MAX_BATCH = 500
BATCHES_IN_FLIGHT = 4
VOTE_BATCH = Histogram(
    "sangkien_vote_batch_size", "Votes checked and stored together in one transaction",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)


@dataclass(frozen=True)
class Ballot:
    """One member's request to vote for one initiative, from one client address."""

    member_id: str
    initiative_id: uuid.UUID
    client_address: str


@dataclass(frozen=True)
class VoteOutcome:
    vote_id: uuid.UUID
    initiative_id: uuid.UUID
    campaign_id: str
    already_voted: bool


Answer = VoteOutcome | BaseException


class BallotBox(GroupCommit[Ballot, VoteOutcome]):
    """Collects the votes that arrive while earlier batches are being stored (``shared.group_commit``):
    batches grow with the load, a lone vote waits for nobody, and several batches are in flight at once
    (the database groups their commits)."""

    def __init__(self, ctx: Context, *, max_batch: int = MAX_BATCH, in_flight: int = BATCHES_IN_FLIGHT) -> None:
        super().__init__(partial(record_votes, ctx), max_batch=max_batch, in_flight=in_flight, sizes=VOTE_BATCH)

    async def cast(self, ballot: Ballot) -> VoteOutcome:
        return await self.submit(ballot)


async def record_votes(ctx: Context, ballots: Sequence[Ballot]) -> list[Answer]:
    """Check and store ``ballots`` together; per ballot its outcome or the problem that refused it.

    One vote per member per initiative: a repeat (also within the batch) is answered with the vote id stored
    for it and ``already_voted``, never stored twice. A new vote's id is derived under the vote-id key; a
    stored vote's id is read back from its row, never re-derived (it may predate a key change). Rows are
    inserted in vote-id order, so concurrent batches in other processes lock keys in the same order and cannot
    deadlock.
    """
    answers: list[Answer | None] = list(await ctx.rate_limiter.check_many(
        [(b.member_id, b.client_address) for b in ballots]))
    now = utc_now()
    live = [i for i, refusal in enumerate(answers) if refusal is None]
    if not live:
        return _first_hears_created(answers, set())
    created: set[uuid.UUID] = set()
    async with ctx.engine.begin() as conn:  # Core, not the ORM session: this is the hottest path
        targets = await _initiatives(conn, {ballots[i].initiative_id for i in live})
        fresh: dict[uuid.UUID, dict[str, Any]] = {}
        events: dict[uuid.UUID, VoteCast] = {}
        for i in live:
            ballot = ballots[i]
            try:
                row = _votable(targets.get(ballot.initiative_id), ballot.initiative_id)
                campaign = await ctx.campaigns.get(row["campaign_id"], conn)
                ensure_in_window(campaign.voting_window, now, what="bình chọn (voting)")
            except Problem as problem:
                answers[i] = problem
                continue
            vote_id = vote_id_for(row["campaign_id"], ballot.initiative_id, ballot.member_id,
                                  key=ctx.settings.vote_id_secret)
            answers[i] = VoteOutcome(vote_id, ballot.initiative_id, row["campaign_id"], already_voted=True)
            if vote_id not in fresh:
                fresh[vote_id] = {"id": vote_id, "campaign_id": row["campaign_id"],
                                  "initiative_id": ballot.initiative_id, "member_id": ballot.member_id,
                                  "created_at": now}
                events[vote_id] = _event(row, vote_id, now)
        if fresh:
            inserted = await conn.execute(
                insert_ignore(votes, conn.dialect.name).returning(votes.c.id),
                [fresh[k] for k in sorted(fresh)],
            )
            created = {r[0] for r in inserted}
            await add_events(conn, outbox, [events[k] for k in sorted(created)])
            if len(created) < len(fresh):
                stored = await _stored_vote_ids(conn, [fresh[k] for k in fresh if k not in created])
                answers = [_with_stored_id(a, b, stored) for a, b in zip(answers, ballots, strict=True)]
    if created:
        ctx.events_committed()
    return _first_hears_created(answers, created)


async def _stored_vote_ids(
    conn: AsyncConnection, repeats: Sequence[dict[str, Any]],
) -> dict[tuple[str, uuid.UUID, str], uuid.UUID]:
    """The ids stored for votes that already existed, by (campaign, initiative, member).

    The row under ``uq_votes_one_per_member`` is the truth: a vote stored under an earlier key (or the earlier
    uuid5 scheme) keeps its id, so a repeat is answered with that id, never with a re-derived one.
    """
    t = votes
    wanted = {(r["campaign_id"], r["initiative_id"], r["member_id"]) for r in repeats}
    rows = await conn.execute(
        select(t.c.id, t.c.campaign_id, t.c.initiative_id, t.c.member_id)
        .where(t.c.initiative_id.in_({key[1] for key in wanted}), t.c.member_id.in_({key[2] for key in wanted}))
    )
    found = {(r.campaign_id, r.initiative_id, r.member_id): r.id for r in rows}
    return {key: found[key] for key in wanted if key in found}


def _with_stored_id(
    answer: Answer | None, ballot: Ballot, stored: dict[tuple[str, uuid.UUID, str], uuid.UUID],
) -> Answer | None:
    if not isinstance(answer, VoteOutcome):
        return answer
    vote_id = stored.get((answer.campaign_id, answer.initiative_id, ballot.member_id))
    if vote_id is None or vote_id == answer.vote_id:
        return answer
    return VoteOutcome(vote_id, answer.initiative_id, answer.campaign_id, already_voted=True)


def _first_hears_created(answers: Sequence[Answer | None], created: set[uuid.UUID]) -> list[Answer]:
    """The first ballot of a newly stored vote hears 201; repeats of it (same batch or later) hear 200."""
    unheard = set(created)
    out: list[Answer] = []
    for answer in answers:
        assert answer is not None, "every ballot has an answer"
        if isinstance(answer, VoteOutcome) and answer.vote_id in unheard:
            unheard.discard(answer.vote_id)
            out.append(VoteOutcome(answer.vote_id, answer.initiative_id, answer.campaign_id, already_voted=False))
        else:
            out.append(answer)
    return out


async def _initiatives(conn: AsyncConnection, ids: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    t = initiatives
    rows = await conn.execute(select(t.c.id, t.c.campaign_id, t.c.status, t.c.unit_path).where(t.c.id.in_(ids)))
    return {r.id: r._asdict() for r in rows}


def _votable(row: dict[str, Any] | None, initiative_id: uuid.UUID) -> dict[str, Any]:
    if row is None or row["status"] == InitiativeStatus.DRAFT.value:
        raise InitiativeNotFoundError(f"Không có sáng kiến {initiative_id} — check the id")
    if row["status"] == InitiativeStatus.WITHDRAWN.value:
        raise AlreadyWithdrawnError("Sáng kiến đã rút, không bình chọn được — you cannot vote for it")
    if row["status"] != InitiativeStatus.SUBMITTED.value:
        raise NotSubmittedError("Sáng kiến chưa được gửi — only submitted initiatives can get votes")
    return row


def _event(row: dict[str, Any], vote_id: uuid.UUID, now: datetime) -> VoteCast:
    return VoteCast.make(
        campaign_id=row["campaign_id"], initiative_id=row["id"], vote_id=vote_id,
        unit_path=tuple(row["unit_path"].split("/")), occurred_at=now,
    )
