"""Word search: a folded search column (title + effectiveness summary) with a trigram index; authors by member.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.submission.domain.text import search_text

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def _fill_search_column() -> None:
    """Fold existing rows in Python, the one definition of the search text (domain.text.search_text)."""
    bind = op.get_bind()
    table = sa.table("initiatives", sa.column("id", sa.Uuid()), sa.column("title", sa.String()),
                     sa.column("effectiveness_summary", sa.Text()), sa.column("search_folded", sa.Text()))
    update = (
        sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(search_folded=sa.bindparam("folded"))
    )
    last: object = None
    while True:
        query = sa.select(table.c.id, table.c.title, table.c.effectiveness_summary).order_by(table.c.id).limit(BATCH)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        bind.execute(update, [{"row_id": r.id, "folded": search_text(r.title, r.effectiveness_summary)} for r in rows])
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("initiatives", sa.Column("search_folded", sa.Text(), nullable=False, server_default=""))
    _fill_search_column()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_initiatives_search_trgm", "initiatives", ["search_folded"], unique=False,
        postgresql_using="gin", postgresql_ops={"search_folded": "gin_trgm_ops"},
    )
    op.create_index("ix_authors_member_id", "authors", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_authors_member_id", table_name="authors")
    op.drop_index("ix_initiatives_search_trgm", table_name="initiatives")
    op.drop_column("initiatives", "search_folded")
