"""The submission service: initiatives, their authors and attachments, votes, imports, and its event log."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SERVICE_NAME = "submission"
