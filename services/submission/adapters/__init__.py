"""Adapters of the submission service: SQL tables and queries, Redis rate limits, files, spreadsheets."""
