"""Use cases of the submission service, one module per aggregate; each runs one transaction."""
