"""HTTP routers of the awards service."""
