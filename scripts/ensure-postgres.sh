#!/usr/bin/env bash
# Make sure the PostgreSQL the tests use answers: start the local cluster if it is
# stopped, install it with apt when absent and running as root.
set -euo pipefail
url="${PARTYDAY_TEST_POSTGRES_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/postgres}"
hostport=$(python3 -c "from urllib.parse import urlparse as u; p=u('$url'.replace('+psycopg2','')); print(f'{p.hostname or \"127.0.0.1\"} {p.port or 5432}')")
read -r host port <<<"$hostport"
reachable() { python3 -c "import socket; socket.create_connection(('$host', $port), 2)" 2>/dev/null; }
reachable && { echo "PostgreSQL answers at $host:$port"; exit 0; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is not installed; install it or set PARTYDAY_TEST_POSTGRES_URL." >&2; exit 1
  fi
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 60); do reachable && { echo "PostgreSQL answers at $host:$port"; exit 0; }; sleep 1; done
echo "PostgreSQL did not come up on $host:$port" >&2; exit 1
