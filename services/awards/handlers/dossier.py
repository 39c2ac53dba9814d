"""Building a unit's nomination dossier from the cases it nominated and the submission service's full records.

The dossier is for the reviewing chain only: it carries author names and, for technology-secret
initiatives, the confidential details. Callers check ``can_export_dossier`` first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.awards.adapters import repository as repo
from services.awards.adapters.dossier_files import Dossier, DossierRow, render_docx, render_pdf, render_xlsx
from services.awards.adapters.submission_client import SubmissionClient
from services.awards.domain.field_labels import field_label
from services.awards.handlers import queries
from services.awards.handlers.letterhead import letterhead_for
from shared.events import utc_now
from shared.union_tree import UnionTree

RENDERERS = {"xlsx": render_xlsx, "docx": render_docx, "pdf": render_pdf}
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


async def build_dossier(
    session: AsyncSession, client: SubmissionClient, tree: UnionTree, *, unit_id: str,
    campaign_id: str | None = None, now: datetime | None = None,
) -> Dossier:
    unit = tree.get(unit_id)
    parent = tree.get(unit.parent_id) if unit.parent_id else unit
    rows = await queries.unit_nominations(session, unit_id=unit_id, campaign_id=campaign_id)
    campaign_name = campaign_id or ""
    if rows:
        config = await repo.load_campaign(session, rows[0].campaign_id)
        campaign_name = config.name if config else rows[0].campaign_id
    dossier_rows = []
    for row in rows:
        record = await client.full_record(row.initiative_id)
        score = await repo.level_score(session, row.case_id, row.from_level)
        dossier_rows.append(DossierRow(
            title=record.title,
            authors=", ".join(a.name for a in record.authors),
            unit_name=tree.get(record.unit_id).name if record.unit_id in tree else record.unit_id,
            field=field_label(record.field),
            description=record.description,
            effectiveness=record.effectiveness_summary,
            benefit_vnd=record.benefit_vnd,
            score=score,
            confidential_details=(record.confidential_details or "") if record.confidential else "",
            to_unit_name=tree.get(row.to_unit_id).name if row.to_unit_id in tree else row.to_unit_id,
        ))
    made_at = now or utc_now()
    return Dossier(
        unit_id=unit_id, unit_name=unit.name, parent_name=parent.name, campaign_name=campaign_name,
        made_at=made_at, rows=tuple(dossier_rows),
        letterhead=letterhead_for(tree, unit_id, kind="TTr", made_at=made_at),
    )


def render(dossier: Dossier, file_format: str) -> bytes:
    return RENDERERS[file_format](dossier)
