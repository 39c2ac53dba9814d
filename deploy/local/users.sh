#!/usr/bin/env bash
# Create or update each service's own user on the local servers (idempotent): RabbitMQ users with their vhost
# and topic permissions, PostgreSQL roles, Redis ACL users. The rights come from shared/grants.py, the local
# passwords from deploy/local/users.env. Redis keeps no ACL across a restart here, so servers.sh runs this
# every time. Usage: deploy/local/users.sh [redis] [rabbitmq] [postgres]   (default: all three)
set -uo pipefail
cd "$(dirname "$0")/../.."
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(redis rabbitmq postgres)
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "users:    skipped until 'make install' has made .venv (the grants live in shared/grants.py)"
  exit 0
fi
set -a; . deploy/local/users.env; set +a
NAMESPACE=${SANGKIEN_NAMESPACE:-sangkien}
REDIS_CLI=(redis-cli -h 127.0.0.1 -p 6379)
PSQL=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)

users_rabbitmq() {
  command -v rabbitmqctl >/dev/null || { echo "users:    rabbitmqctl not found, RabbitMQ users not made" >&2; return 1; }
  # One import (users with password hashes, vhost and topic permissions): one rabbitmqctl call, not a dozen.
  # Topic permissions name one exchange exactly: the local namespace's (tests set their own).
  local definitions status
  definitions=$(SANGKIEN_NAMESPACE=$NAMESPACE "$PY" -m shared.grants rabbitmq) || return 1
  rabbitmqctl -q import_definitions --format json <<<"$definitions" >/dev/null
  status=$?
  [ $status -eq 0 ] && echo "users:    RabbitMQ users and permissions set"
  return $status
}

users_redis() {
  local user var rules grants
  grants=$("$PY" -m shared.grants redis) || return 1
  while IFS=$'\t' read -r user var rules; do
    # shellcheck disable=SC2086  # the rules are separate ACL words
    "${REDIS_CLI[@]}" ACL SETUSER "$user" reset on ">${!var}" $rules </dev/null >/dev/null || return 1
  done <<<"$grants"
  echo "users:    Redis ACL users set"
}

users_postgres() {
  local role var grants
  grants=$("$PY" -m shared.grants postgres) || return 1
  while IFS=$'\t' read -r role var; do
    "${PSQL[@]}" -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE \"$role\"; END IF;
      END \$\$;" -c "ALTER ROLE \"$role\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${!var}'" \
      </dev/null >/dev/null || return 1
  done <<<"$grants"
  echo "users:    PostgreSQL roles set"
}

status=0
for name in "${wanted[@]}"; do
  "users_$name" || { echo "error: could not set the $name users (deploy/local/users.sh)" >&2; status=1; }
done
exit $status
