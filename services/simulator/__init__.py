"""The campaign simulator: drives the running platform through its public HTTP APIs, then checks the counts."""
