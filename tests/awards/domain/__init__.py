"""Tests of the pure review rules."""
