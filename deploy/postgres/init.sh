#!/bin/sh
# One database per service (DESIGN.md), each owned by its service's role (LOGIN, no superuser, no CREATEDB,
# no CREATEROLE; shared/grants.py), which alone may connect to it and runs its migrations.
# Run once by the postgres image on an empty data directory, with the services' passwords in its environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v submission_password="$SUBMISSION_PASSWORD" -v awards_password="$AWARDS_PASSWORD" <<'SQL'
CREATE ROLE sangkien_submission LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'submission_password';
CREATE ROLE sangkien_awards LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'awards_password';
CREATE DATABASE submission OWNER sangkien_submission;
CREATE DATABASE awards OWNER sangkien_awards;
REVOKE ALL ON DATABASE submission FROM PUBLIC;
REVOKE ALL ON DATABASE awards FROM PUBLIC;
SQL
