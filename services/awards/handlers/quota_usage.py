"""The quota used and remaining where each case waits, for a whole page of cases in a few grouped queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.tables import awards, nominations
from services.awards.domain.rules import (
    LEVEL_AWARDS,
    NATIONAL_LEVEL,
    QuotaPolicy,
    award_theme,
    local_year,
)
from shared.events import AwardKind

Where = tuple[str, str, int]  # (campaign, the unit holding the case, its level)


def _count(cap: int | None, used: int, scope: str) -> dict[str, Any]:
    return {"cap": cap, "used": used, "remaining": None if cap is None else max(cap - used, 0), "scope": scope}


async def quota_usage(
    session: AsyncSession, places: Iterable[Where], *, now: datetime,
) -> dict[Where, dict[str, Any]]:
    """For each (campaign, unit, level): nominations and, per award kind the level grants, awards used/remaining.

    Below VGCL the counts are the unit's in the campaign (its per-unit quotas); at VGCL the nominations are
    None (nothing above) and each award kind counts against its theme this year, as the grant guard does.
    Four queries at most, whatever the number of places: the policies, nominations, unit awards, theme awards.
    """
    wanted = sorted(set(places))
    if not wanted:
        return {}
    campaign_ids = {c for c, _, _ in wanted}
    unit_ids = {u for _, u, level in wanted if level != NATIONAL_LEVEL}
    policies = await repo.load_campaign_quotas(session, campaign_ids)
    nominated: dict[Where, int] = {}
    granted: dict[tuple[str, str, int, str], int] = {}
    if unit_ids:
        nomination_query = (
            select(nominations.c.campaign_id, nominations.c.from_unit_id, nominations.c.from_level, func.count())
            .where(nominations.c.campaign_id.in_(campaign_ids), nominations.c.from_unit_id.in_(unit_ids))
            .group_by(nominations.c.campaign_id, nominations.c.from_unit_id, nominations.c.from_level)
        )
        nominated = {(c, u, int(lv)): int(n) for c, u, lv, n in (await session.execute(nomination_query)).all()}
        award_query = (
            select(awards.c.campaign_id, awards.c.granting_unit_id, awards.c.level, awards.c.kind, func.count())
            .where(awards.c.active.is_(True), awards.c.campaign_id.in_(campaign_ids),
                   awards.c.granting_unit_id.in_(unit_ids))
            .group_by(awards.c.campaign_id, awards.c.granting_unit_id, awards.c.level, awards.c.kind)
        )
        granted = {(c, u, int(lv), k): int(n) for c, u, lv, k, n in (await session.execute(award_query)).all()}
    themed: dict[tuple[str, str | None], int] = {}
    if any(level == NATIONAL_LEVEL for _, _, level in wanted):
        kinds = [k.value for k in LEVEL_AWARDS[NATIONAL_LEVEL]]
        theme_query = (
            select(awards.c.kind, awards.c.theme, func.count())
            .where(awards.c.active.is_(True), awards.c.year == local_year(now), awards.c.kind.in_(kinds),
                   or_(awards.c.theme.in_(campaign_ids), awards.c.theme.is_(None)))
            .group_by(awards.c.kind, awards.c.theme)
        )
        themed = {(k, t): int(n) for k, t, n in (await session.execute(theme_query)).all()}
    usage: dict[Where, dict[str, Any]] = {}
    for place in wanted:
        campaign_id, unit_id, level = place
        policy = policies.get(campaign_id, QuotaPolicy())
        counts: dict[str, dict[str, Any]] = {}
        for kind in LEVEL_AWARDS[level]:
            if level == NATIONAL_LEVEL:
                used = themed.get((kind.value, award_theme(kind, campaign_id)), 0)
                counts[kind.value] = _count(policy.award_cap(kind), used, "theme_year")
            else:
                used = granted.get((campaign_id, unit_id, level, kind.value), 0)
                counts[kind.value] = _count(policy.unit_award_cap(unit_id, level, AwardKind(kind)), used, "unit")
        nominations_count = None if level == NATIONAL_LEVEL else _count(
            policy.nomination_cap(level, unit_id), nominated.get(place, 0), "unit")
        usage[place] = {"unit_id": unit_id, "level": level, "nominations": nominations_count, "awards": counts}
    return usage
