"""Adapters of the awards service: SQL tables and repositories, the consumer, the submission client, files."""
