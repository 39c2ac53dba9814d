"""Secrets a production ``Settings`` must have besides the one a test is about (tests of one rule add these)."""

PROD_SECRETS = {"cursor_secret": "c" * 32, "vote_id_key": "v" * 32}
