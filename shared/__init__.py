"""Contracts and plumbing shared by the sangkien services (no service's business rules)."""
