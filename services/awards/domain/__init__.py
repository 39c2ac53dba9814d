"""Pure review rules of the awards service: the case state machine, calendars, quotas, thresholds, scoring."""
