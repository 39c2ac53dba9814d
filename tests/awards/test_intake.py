"""Consumed initiative events open one case per initiative and converge, in any order and with duplicates."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from services.awards.adapters.tables import initiatives, review_cases
from services.awards.bootstrap import AwardsService
from services.awards.domain.case import CaseStatus, case_id_for
from shared.events import (
    EventBase,
    InitiativeDrafted,
    InitiativeSubmitted,
    InitiativeUpdated,
    InitiativeWithdrawn,
)
from shared.settings import Settings

from .builders import campaign_event, feed, initiative_event


async def _service(settings: Settings, db_url: str) -> AwardsService:
    service = AwardsService(settings.model_copy(update={"awards_db_url": db_url, "run_relay": False}))
    await service.migrate()
    return service


async def _case_rows(service: AwardsService, initiative_id: uuid.UUID) -> list[Any]:
    async with service.engine.connect() as conn:
        query = select(review_cases).where(review_cases.c.initiative_id == initiative_id)
        return list((await conn.execute(query)).all())


async def _snapshot_version(service: AwardsService, initiative_id: uuid.UUID) -> int:
    async with service.engine.connect() as conn:
        return int(await conn.scalar(
            select(initiatives.c.version).where(initiatives.c.initiative_id == initiative_id)) or 0)


async def test_updated_before_submitted_with_duplicates_opens_one_pending_case(
    settings: Settings, db_backend: str,
) -> None:
    service = await _service(settings, db_backend)
    try:
        iid = uuid.uuid4()
        submitted = initiative_event(InitiativeSubmitted, initiative_id=iid, version=2)
        updated = initiative_event(InitiativeUpdated, initiative_id=iid, version=3, title="Tiêu đề đã sửa")
        applied = await feed(service, campaign_event(), updated, updated, submitted, submitted, updated)
        assert applied == [True, True, False, True, False, False]
        rows = await _case_rows(service, iid)
        assert len(rows) == 1
        assert rows[0].case_id == case_id_for(iid) and rows[0].status == CaseStatus.PENDING.value
        assert rows[0].current_level == 4 and rows[0].version == 1
        assert await _snapshot_version(service, iid) == 3
    finally:
        await service.engine.dispose()


async def test_every_order_of_a_history_with_duplicates_ends_in_the_same_state(
    settings: Settings, db_backend: str,
) -> None:
    """drafted v1, submitted v2, updated v3, withdrawn v4 — all 24 orders, each event twice, end withdrawn."""
    service = await _service(settings, db_backend)
    try:
        await feed(service, campaign_event())
        for order in itertools.permutations(range(4)):
            iid = uuid.uuid4()
            history: list[EventBase] = [
                initiative_event(InitiativeDrafted, initiative_id=iid, version=1, submitted_at=None),
                initiative_event(InitiativeSubmitted, initiative_id=iid, version=2),
                initiative_event(InitiativeUpdated, initiative_id=iid, version=3),
                initiative_event(InitiativeWithdrawn, initiative_id=iid, version=4, reason="Tác giả rút"),
            ]
            events = [history[i] for i in order]
            await feed(service, *events, *reversed(events))
            rows = await _case_rows(service, iid)
            assert len(rows) == 1, order
            assert rows[0].status == CaseStatus.WITHDRAWN.value, order
            assert await _snapshot_version(service, iid) == 4
        async with service.engine.connect() as conn:
            assert await conn.scalar(select(func.count()).select_from(review_cases)) == 24
    finally:
        await service.engine.dispose()


async def test_a_draft_never_submitted_opens_no_case(
    settings: Settings, db_backend: str,
) -> None:
    service = await _service(settings, db_backend)
    try:
        iid = uuid.uuid4()
        await feed(
            service,
            initiative_event(InitiativeDrafted, initiative_id=iid, version=1, submitted_at=None),
            initiative_event(InitiativeWithdrawn, initiative_id=iid, version=2, submitted_at=None),
        )
        assert await _case_rows(service, iid) == []
        assert await _snapshot_version(service, iid) == 2
    finally:
        await service.engine.dispose()


async def test_withdrawn_first_then_older_events_keep_the_case_withdrawn(
    settings: Settings, db_backend: str,
) -> None:
    service = await _service(settings, db_backend)
    try:
        iid = uuid.uuid4()
        await feed(
            service,
            initiative_event(InitiativeWithdrawn, initiative_id=iid, version=4),
            initiative_event(InitiativeUpdated, initiative_id=iid, version=3),
            initiative_event(InitiativeSubmitted, initiative_id=iid, version=2),
        )
        rows = await _case_rows(service, iid)
        assert [r.status for r in rows] == [CaseStatus.WITHDRAWN.value]
    finally:
        await service.engine.dispose()


async def test_campaign_configuration_keeps_the_newest_version(
    settings: Settings, db_backend: str,
) -> None:
    from services.awards.adapters import repository as repo

    service = await _service(settings, db_backend)
    try:
        newer = campaign_event(version=2, closes_in=timedelta(days=-1))
        older = campaign_event(version=1)
        await feed(service, newer, older)
        async with service.sessions() as session:
            config = await repo.load_campaign(session, newer.campaign_id)
        assert config is not None and config.calendar.review_opens_at == newer.submission_closes_at
    finally:
        await service.engine.dispose()
