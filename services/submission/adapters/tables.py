"""The submission service's SQL schema (SQLAlchemy Core), mirrored by its Alembic migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from shared.idempotency import idempotency_table
from shared.outbox import outbox_table

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("config", JSON, nullable=False),  # CampaignConfig as JSON (windows, fields, quotas)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("campaign_id", String(64), ForeignKey("campaigns.id"), nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows_total", Integer, nullable=False),
    Column("rows_created", Integer, nullable=False),
    Column("rows_invalid", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("campaign_id", String(64), ForeignKey("campaigns.id"), nullable=False),
    Column("unit_id", String(32), nullable=False),
    Column("unit_l2", String(32), nullable=False),  # denormalised for subtree filters
    Column("unit_l3", String(32), nullable=False),
    Column("unit_path", String(200), nullable=False),  # "VGCL/P24/P24-03/P24-03-012" at creation or last edit
    Column("field", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("title_folded", String(300), nullable=False),
    Column("search_folded", Text, nullable=False, server_default=""),  # domain.text.search_text of title + summary
    Column("description", Text, nullable=False),
    Column("date_first_applied", Date, nullable=True),
    Column("benefit_vnd", BigInteger, nullable=False),
    Column("effectiveness_summary", Text, nullable=False),
    Column("application_conditions", Text, nullable=False),
    Column("first_application_participants", Text, nullable=False),
    Column("investor", String(300), nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("confidential_details", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("owner_member_id", String(200), nullable=False),
    Column("withdrawal_reason", Text, nullable=False),
    Column("import_batch_id", Uuid, ForeignKey("import_batches.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
)
Index("ix_initiatives_campaign_created", initiatives.c.campaign_id, initiatives.c.created_at, initiatives.c.id)
Index("ix_initiatives_unit_l2", initiatives.c.unit_l2)
Index("ix_initiatives_unit_l3", initiatives.c.unit_l3)
Index("ix_initiatives_unit_id", initiatives.c.unit_id)
Index("ix_initiatives_owner", initiatives.c.owner_member_id)
# Word search is LIKE '% word %' per query word: pg_trgm's GIN index serves it (SQLite gets a plain index).
Index(
    "ix_initiatives_search_trgm", initiatives.c.search_folded,
    postgresql_using="gin", postgresql_ops={"search_folded": "gin_trgm_ops"},
)

authors = Table(
    "authors",
    metadata,
    Column("initiative_id", Uuid, ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("date_of_birth", Date, nullable=True),
    Column("workplace", String(300), nullable=False),
    Column("job_title", String(300), nullable=False),
    Column("qualification", String(300), nullable=False),
    Column("category", String(16), nullable=False),
    Column("share_basis_points", Integer, nullable=False),  # 100 % = 10,000: exact, no float or decimal type
    Column("member_id", String(200), nullable=True),
)

Index("ix_authors_member_id", authors.c.member_id)  # "drafts and full records I co-author"

attachments = Table(
    "attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("initiative_id", "sha256", name="uq_attachments_initiative_sha256"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Uuid, primary_key=True),  # vote_id_for(campaign, initiative, member)
    Column("campaign_id", String(64), nullable=False),
    Column("initiative_id", Uuid, ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign_id", "initiative_id", "member_id", name="uq_votes_one_per_member"),
)

outbox = outbox_table(metadata)
idempotency = idempotency_table(metadata)
