"""Alembic environment of the awards service (runs over the async engine from ``shared.db``)."""

from services.awards.adapters.tables import metadata
from shared.db import run_migrations_online

run_migrations_online(metadata)
