"""The review meeting's papers from what a unit's reviewers did: the minutes and each reviewer's score sheets."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.review_record_files import (
    ConsideredCase,
    ReviewMinutes,
    ScoreLine,
    ScoreSheet,
    render_minutes_docx,
    render_minutes_pdf,
    render_sheets_docx,
    render_sheets_pdf,
)
from services.awards.adapters.tables import decisions, initiatives, review_cases, scores
from services.awards.domain.field_labels import field_label
from services.awards.domain.scoring import DEFAULT_RUBRIC, MAX_MARK, Rubric
from services.awards.handlers.letterhead import letterhead_for
from shared.db import as_utc
from shared.events import ReviewDecision, utc_now
from shared.union_tree import UnionTree

DECISION_LABELS = {
    ReviewDecision.RECOGNISED: "Công nhận",
    ReviewDecision.NOT_RECOGNISED: "Không công nhận",
    ReviewDecision.RETURNED: "Trả lại tác giả",
    ReviewDecision.SCORED: "Chấm điểm",
    ReviewDecision.NOMINATED: "Đề nghị cấp trên xét",
    ReviewDecision.SELECTED: "Chọn là sáng kiến tiêu biểu, xuất sắc",
}
_NO_REASON_NEEDED = {ReviewDecision.SCORED, ReviewDecision.NOMINATED}


def _decision_text(decision: str, reason: str) -> str:
    kind = ReviewDecision(decision)
    label = DECISION_LABELS[kind]
    return f"{label} (lý do: {reason})" if reason and kind not in _NO_REASON_NEEDED else label


def _conclusion(counts: Counter[str]) -> str:
    return (
        f"Hội đồng thống nhất công nhận {counts[ReviewDecision.RECOGNISED]} sáng kiến; không công nhận "
        f"{counts[ReviewDecision.NOT_RECOGNISED]} sáng kiến; trả lại tác giả để hoàn thiện "
        f"{counts[ReviewDecision.RETURNED]} sáng kiến; đề nghị cấp trên xét {counts[ReviewDecision.NOMINATED]} "
        "sáng kiến."
    )


async def _campaign(session: AsyncSession, campaign_id: str | None, rows: list[Any]) -> tuple[str, Rubric]:
    wanted = campaign_id or (rows[0].campaign_id if rows else None)
    config = await repo.load_campaign(session, wanted) if wanted else None
    return (config.name, config.rubric) if config else (wanted or "", DEFAULT_RUBRIC)


async def build_minutes(
    session: AsyncSession, tree: UnionTree, *, unit_id: str, campaign_id: str | None = None,
    now: datetime | None = None,
) -> ReviewMinutes:
    """The minutes of the unit's review: every case its reviewers decided, with the decisions in order."""
    query = (
        select(decisions.c.case_id, decisions.c.level, decisions.c.decision, decisions.c.reason, decisions.c.actor,
               decisions.c.decided_at, decisions.c.campaign_id, initiatives.c.title, initiatives.c.field)
        .join(review_cases, review_cases.c.case_id == decisions.c.case_id)
        .join(initiatives, initiatives.c.initiative_id == review_cases.c.initiative_id)
        .where(decisions.c.unit_id == unit_id)
        .order_by(decisions.c.id)
    )
    sheet_query = select(scores.c.reviewer, scores.c.scored_at).where(scores.c.unit_id == unit_id)
    if campaign_id:
        query = query.where(decisions.c.campaign_id == campaign_id)
        sheet_query = sheet_query.join(review_cases, review_cases.c.case_id == scores.c.case_id).where(
            review_cases.c.campaign_id == campaign_id)
    rows = list((await session.execute(query)).all())
    sheets = list((await session.execute(sheet_query)).all())
    campaign_name, _ = await _campaign(session, campaign_id, rows)

    by_case: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        by_case[row.case_id].append(row)
    considered = []
    counts: Counter[str] = Counter()
    for case_id, case_rows in by_case.items():
        first = case_rows[0]
        considered.append(ConsideredCase(
            title=first.title, field=field_label(first.field),
            score=await repo.level_score(session, case_id, first.level),
            decisions=tuple(_decision_text(r.decision, r.reason) for r in case_rows),
        ))
        counts.update({r.decision for r in case_rows})
    attendees = list(dict.fromkeys([*(r.actor for r in rows), *(s.reviewer for s in sheets)]))
    moments = [as_utc(r.decided_at) for r in rows] + [as_utc(s.scored_at) for s in sheets]
    known = [m for m in moments if m is not None]
    started, ended = (min(known), max(known)) if known else (None, None)
    made_at = ended or now or utc_now()
    return ReviewMinutes(
        letterhead=letterhead_for(tree, unit_id, kind="BB", made_at=made_at), unit_name=tree.get(unit_id).name,
        campaign_name=campaign_name, started_at=started, ended_at=ended, attendees=tuple(attendees),
        cases=tuple(considered), conclusion=_conclusion(counts),
    )


async def build_score_sheets(
    session: AsyncSession, tree: UnionTree, *, unit_id: str, campaign_id: str | None = None,
) -> list[ScoreSheet]:
    """One sheet per reviewer per case scored at the unit, on the campaign's rubric, oldest first."""
    query = (
        select(scores.c.case_id, scores.c.reviewer, scores.c.marks, scores.c.weighted_total, scores.c.scored_at,
               review_cases.c.campaign_id, initiatives.c.title, initiatives.c.field, initiatives.c.unit_id)
        .join(review_cases, review_cases.c.case_id == scores.c.case_id)
        .join(initiatives, initiatives.c.initiative_id == review_cases.c.initiative_id)
        .where(scores.c.unit_id == unit_id)
        .order_by(scores.c.scored_at, scores.c.case_id, scores.c.reviewer)
    )
    if campaign_id:
        query = query.where(review_cases.c.campaign_id == campaign_id)
    rows = list((await session.execute(query)).all())
    campaign_name, rubric = await _campaign(session, campaign_id, rows)
    sheets = []
    for row in rows:
        marks: dict[str, float] = row.marks or {}
        lines = tuple(
            ScoreLine(criterion=c.name, weight=c.weight, mark=marks.get(c.key),
                      points=round(float(marks.get(c.key) or 0) * c.weight * (100.0 / MAX_MARK) / rubric.total_weight,
                                   2))
            for c in rubric.criteria
        )
        scored_at = as_utc(row.scored_at) or utc_now()
        sheets.append(ScoreSheet(
            letterhead=letterhead_for(tree, unit_id, kind="", made_at=scored_at), campaign_name=campaign_name,
            title=row.title, field=field_label(row.field),
            unit_name=tree.get(row.unit_id).name if row.unit_id in tree else row.unit_id,
            reviewer=row.reviewer, scored_at=scored_at, lines=lines, total=row.weighted_total,
        ))
    return sheets


MINUTES_RENDERERS = {"docx": render_minutes_docx, "pdf": render_minutes_pdf}
SHEET_RENDERERS = {"docx": render_sheets_docx, "pdf": render_sheets_pdf}
