#!/usr/bin/env bash
# Make sure a RabbitMQ answers at PARTYDAY_AMQP_URI: start the local one if it is
# installed and stopped, install it with apt when absent and running as root,
# otherwise say exactly what to do. With --management, also enable the management
# plugin the integration tests use to create a virtual host per test.
set -euo pipefail
uri="${PARTYDAY_AMQP_URI:-amqp://guest:guest@127.0.0.1:5672/}"
hostport=$(python3 -c "from urllib.parse import urlparse as u; p=u('$uri'); print(f'{p.hostname or \"127.0.0.1\"} {p.port or 5672}')")
read -r host port <<<"$hostport"
management=0; [ "${1:-}" = "--management" ] && management=1

reachable() { python3 -c "import socket,sys; socket.create_connection(('$host', $1), 2)" 2>/dev/null; }
wait_for() { for _ in $(seq 1 90); do reachable "$1" && return 0; sleep 1; done; return 1; }
local_host() { [ "$host" = "127.0.0.1" ] || [ "$host" = "localhost" ]; }

if ! reachable "$port"; then
  if ! local_host; then
    echo "RabbitMQ at $host:$port does not answer; start it or set PARTYDAY_AMQP_URI." >&2; exit 1
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing RabbitMQ with apt ..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    else
      echo "RabbitMQ is not installed. Install it (Debian: sudo apt-get install rabbitmq-server)," >&2
      echo "start it (sudo rabbitmq-server -detached), or point PARTYDAY_AMQP_URI at a running broker." >&2
      exit 1
    fi
  fi
  echo "starting RabbitMQ ..."
  if [ "$(id -u)" = 0 ]; then rabbitmq-server -detached || true
  else echo "RabbitMQ is stopped; start it as root: sudo rabbitmq-server -detached" >&2; exit 1; fi
  wait_for "$port" || { echo "RabbitMQ did not come up on $host:$port" >&2; exit 1; }
fi

if [ "$management" = 1 ] && local_host && ! reachable 15672; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_for 15672 || { echo "the RabbitMQ management plugin did not come up on 15672" >&2; exit 1; }
fi
echo "RabbitMQ answers at $host:$port"
