#!/usr/bin/env bash
# Find the servers sangkien needs on localhost, start the ones that are installed but stopped, and give each
# service its own user on them (deploy/local/users.sh).
# Usage: deploy/local/servers.sh [redis] [rabbitmq] [postgres]   (default: all three)
set -uo pipefail
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(redis rabbitmq postgres)

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # name port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do port_open "$2" && return 0; sleep 0.25; done
  echo "error: $1 did not come up on port $2 within $3 s" >&2
  return 1
}

ensure_redis() {
  port_open 6379 && { echo "redis:    up (127.0.0.1:6379)"; return 0; }
  if command -v redis-server >/dev/null; then
    echo "redis:    starting"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
    wait_port Redis 6379 30
  else
    echo "error: Redis is not installed — install it with 'apt-get install redis-server' (or run it on 127.0.0.1:6379)" >&2
    return 1
  fi
}

ensure_rabbitmq() {
  if port_open 5672 && rabbitmq-diagnostics -q check_running >/dev/null 2>&1; then
    echo "rabbitmq: up (127.0.0.1:5672)"; return 0
  fi
  port_open 5672 && { echo "rabbitmq: up (127.0.0.1:5672)"; return 0; }
  if command -v rabbitmq-server >/dev/null; then
    echo "rabbitmq: starting"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    wait_port RabbitMQ 5672 90 || return 1
    rabbitmq-diagnostics -q check_running >/dev/null 2>&1 || sleep 2
  else
    echo "error: RabbitMQ is not installed — install it with 'apt-get install rabbitmq-server' (or run it on 127.0.0.1:5672, guest/guest)" >&2
    return 1
  fi
}

ensure_postgres() {
  port_open 5432 && { echo "postgres: up (127.0.0.1:5432)"; return 0; }
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "postgres: starting"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    wait_port PostgreSQL 5432 60
  else
    echo "error: PostgreSQL is not installed — install it with 'apt-get install postgresql' (trust auth on 127.0.0.1:5432 for tests)" >&2
    return 1
  fi
}

status=0
up=()
for name in "${wanted[@]}"; do
  if "ensure_$name"; then up+=("$name"); else status=1; fi
done
# Each service's own user on the servers that are up (Redis forgets its ACL users when it restarts). A PostgreSQL
# that answers gets its roles even when not asked for: `sangkien up` keeps its databases there, owned by them.
if [[ " ${up[*]} " != *" postgres "* ]] && port_open 5432; then
  up+=(postgres)
fi
if [ ${#up[@]} -gt 0 ]; then
  "$(dirname "$0")/users.sh" "${up[@]}" || status=1
fi
exit $status
