"""Alembic environment of the submission service (run via ``sangkien submission migrate``)."""

from services.submission.adapters.tables import metadata
from shared.db import run_migrations_online

run_migrations_online(metadata)
