#!/usr/bin/env bash
# Two replicas over one PostgreSQL behind HAProxy, checked as clients would (check.mjs): requests
# and writes spread over both, a write through one read through the other, a change-feed follower
# through both while writers on both run, a client's rate limit as one budget, and one replica
# killed mid-load without a lost read. Starts what it needs: HAProxy (Debian's package, installed
# with apt-get when missing), a fresh database on TEST_DATABASE_URL's server (dropped at the end),
# the tests' OpenID provider (../browser/issuer.mjs) and deploy/replicas/run.sh, the operators'
# script, with the server built here. Exits with the checks' status.
#
#   tests/replicas/run.sh
#   VESTEGN_BIN=/tmp/vestegn tests/replicas/run.sh   # a server binary built elsewhere
#
# Every wait is bounded: apt-get 600 s, the build 300 s, the replicas 60 s to become ready, the
# checks 300 s.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
# shellcheck source=../server.sh
source "$root/tests/server.sh"

server_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

haproxy="$(command -v haproxy || echo /usr/sbin/haproxy)"
if [[ ! -x "$haproxy" ]]; then
  echo "installing haproxy (Debian's package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y --no-install-recommends haproxy >&2 ||
    { timeout 300 apt-get update >&2 && timeout 600 apt-get install -y --no-install-recommends haproxy >&2; }
  haproxy=/usr/sbin/haproxy
fi

if [[ -n "${VESTEGN_BIN:-}" ]]; then
  binary="$VESTEGN_BIN"
else
  echo "building the server" >&2
  timeout 300 cargo build -p vestegn-api --bin vestegn
  # A copy: another build in the same target directory may replace the binary meanwhile.
  cp "$(cargo_target_dir)/debug/vestegn" "$tmp/vestegn"
  binary="$tmp/vestegn"
fi

database="vestegn_replicas_$$"
psql -q "$server_url" -c "CREATE DATABASE $database" >&2
drop_database() { psql -q "$server_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >&2 || true; }

issuer_port="$(free_port)"
issuer="http://127.0.0.1:$issuer_port"
node "$root/tests/browser/issuer.mjs" "$issuer_port" >"$tmp/issuer.log" 2>&1 &
helper_pids+=($!)
for _ in $(seq 1 100); do grep -q ready "$tmp/issuer.log" && break; sleep 0.1; done
grep -q ready "$tmp/issuer.log" || { echo "the test OpenID provider did not start" >&2; cat "$tmp/issuer.log" >&2; exit 1; }

balancer="127.0.0.1:$(free_port)"
stats="127.0.0.1:$(free_port)"
ports="$(free_port) $(free_port)"
metrics_ports="$(free_port) $(free_port)"
run_dir="$tmp/run"
echo "starting two replicas behind HAProxy on http://$balancer" >&2
DATABASE_URL="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.href)' "$server_url" "$database")" \
  VESTEGN_BIN="$binary" HAPROXY="$haproxy" BALANCER_ADDRESS="$balancer" STATS_ADDRESS="$stats" \
  REPLICA_PORTS="$ports" METRICS_PORTS="$metrics_ports" RUN_DIR="$run_dir" AUTH_ISSUER="$issuer" \
  "$root/deploy/replicas/run.sh" 2 >"$tmp/replicas.log" 2>&1 &
# The server.sh cleanup stops it (and it stops the replicas and HAProxy) before the database goes.
server_pid=$!
trap 'cleanup; drop_database' EXIT
for _ in $(seq 1 600); do
  grep -qx ready "$tmp/replicas.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
grep -qx ready "$tmp/replicas.log" || { echo "the replicas did not start" >&2; cat "$tmp/replicas.log" >&2; tail -n 30 "$run_dir"/*.log >&2; exit 1; }

status=0
read -r -a port_list <<<"$ports"
read -r -a metrics_list <<<"$metrics_ports"
BALANCER="http://$balancer" STATS="http://$stats" RUN_DIR="$run_dir" ISSUER="$issuer" \
  REPLICAS="http://127.0.0.1:${port_list[0]} http://127.0.0.1:${port_list[1]}" \
  METRICS="http://127.0.0.1:${metrics_list[0]} http://127.0.0.1:${metrics_list[1]}" \
  timeout 300 node "$here/check.mjs" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- replicas and HAProxy (last lines) ---" >&2
  tail -n 20 "$tmp/replicas.log" "$run_dir"/*.log >&2 || true
fi
exit "$status"
