"""SQL tables of the awards service (one metadata; Alembic migrations are generated from it)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from shared.db import BigIntKey
from shared.idempotency import idempotency_table
from shared.outbox import outbox_table

metadata = MetaData()

campaigns = Table(
    "campaigns", metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(500), nullable=False),
    Column("submission_opens_at", DateTime(timezone=True), nullable=False),
    Column("submission_closes_at", DateTime(timezone=True), nullable=False),
    Column("review_opens_at", DateTime(timezone=True), nullable=True),
    Column("national_selection_opens_at", DateTime(timezone=True), nullable=True),
    Column("rubric", JSON, nullable=True),  # None: the default rubric
    Column("quotas", JSON, nullable=True),  # None: the default quota policy
    Column("write_lock", Integer, nullable=False, default=0),  # bumped to serialise quota-counted writes
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

initiatives = Table(
    "initiatives", metadata,
    Column("initiative_id", Uuid, primary_key=True),
    Column("campaign_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("unit_path", JSON, nullable=False),
    Column("unit_id", String(32), nullable=False),
    Column("field", String(64), nullable=False),
    Column("title", String(500), nullable=False),
    Column("effectiveness_summary", Text, nullable=False),
    Column("benefit_vnd", BigInteger, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("author_count", Integer, nullable=False),
    Column("author_categories", JSON, nullable=False),
    Column("record_complete", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

review_cases = Table(
    "review_cases", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, nullable=False, unique=True),
    Column("campaign_id", String(64), nullable=False),
    Column("unit_path", JSON, nullable=False),
    Column("grassroots_unit_id", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("current_level", Integer, nullable=False),
    Column("current_unit_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("recognised_levels", JSON, nullable=False),
    Column("returned_at_version", Integer, nullable=True),
    Column("grade", String(16), nullable=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_review_cases_queue", review_cases.c.current_unit_id, review_cases.c.opened_at, review_cases.c.case_id)

decisions = Table(
    "decisions", metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, nullable=False, index=True),
    Column("campaign_id", String(64), nullable=False),
    Column("level", Integer, nullable=False),
    Column("unit_id", String(32), nullable=False),
    Column("decision", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("case_version", Integer, nullable=False),
    Column("score", Float, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

scores = Table(
    "scores", metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("level", Integer, primary_key=True),
    Column("reviewer", String(200), primary_key=True),
    Column("unit_id", String(32), nullable=False),
    Column("marks", JSON, nullable=False),
    Column("weighted_total", Float, nullable=False),
    Column("scored_at", DateTime(timezone=True), nullable=False),
)

nominations = Table(
    "nominations", metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("from_unit_id", String(32), nullable=False),
    Column("from_level", Integer, nullable=False),
    Column("to_unit_id", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("nominated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "from_level", name="uq_nominations_case_level"),
)
Index("ix_nominations_from", nominations.c.campaign_id, nominations.c.from_unit_id)

awards = Table(
    "awards", metadata,
    Column("award_id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, nullable=False, index=True),
    Column("case_id", Uuid, nullable=False),
    Column("campaign_id", String(64), nullable=False),
    Column("unit_path", JSON, nullable=False),
    Column("level", Integer, nullable=False),
    Column("granting_unit_id", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("grade", String(16), nullable=True),
    Column("theme", String(64), nullable=True),
    Column("year", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoke_reason", Text, nullable=True),
)
Index("ix_awards_theme", awards.c.kind, awards.c.theme, awards.c.year, awards.c.active)

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigIntKey, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, nullable=False, index=True),
    Column("unit_id", String(32), nullable=False, index=True),  # the acting unit (grassroots for consumed events)
    Column("actor", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)

processed_events = Table(
    "processed_events", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("type", String(64), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
