"""Pure rules of the submission service: campaigns, initiatives, who sees what (no I/O)."""
