"""Use cases of the awards service: consuming initiative events, reviewer actions, reads."""
