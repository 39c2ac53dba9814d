"""Helpers shared by tests that drive real servers and real processes."""
