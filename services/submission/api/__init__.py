"""HTTP routers of the submission service (versioned under /v1)."""
