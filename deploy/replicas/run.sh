#!/usr/bin/env bash
# N Vestegn API replicas (default 2) over one PostgreSQL, behind HAProxy, on this machine: the
# topology of a production deployment (see README, "Several replicas"), small enough to try. Loads
# the seed dataset once (`vestegn seed`, which also migrates) before the replicas start, starts
# each replica with its own port and metrics port, then HAProxy with haproxy.cfg beside this
# script and one `server` line per replica. Prints "ready" when every replica answers /readyz and
# HAProxy runs; stops them all on Ctrl-C or SIGTERM.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/vestegn deploy/replicas/run.sh [N]
#
# Settings (environment): VESTEGN_BIN (default target/release/vestegn, built when missing),
# BALANCER_ADDRESS (127.0.0.1:8080), STATS_ADDRESS (127.0.0.1:8404), REPLICA_PORTS and
# METRICS_PORTS (space-separated; default 8081… and 9465…), RUN_DIR (logs and pid files; default
# a new temporary directory), HAPROXY (default haproxy). Every other setting of the server
# (AUTH_ISSUER, RATE_LIMIT_POINTS_PER_MINUTE, …) is passed on to each replica as exported.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

replicas="${1:-2}"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database the replicas share}"
export BALANCER_ADDRESS="${BALANCER_ADDRESS:-127.0.0.1:8080}"
export STATS_ADDRESS="${STATS_ADDRESS:-127.0.0.1:8404}"
haproxy="${HAPROXY:-haproxy}"
run_dir="${RUN_DIR:-$(mktemp -d)}"
mkdir -p "$run_dir"
read -r -a replica_ports <<<"${REPLICA_PORTS:-$(seq -s ' ' 8081 $((8080 + replicas)))}"
read -r -a metrics_ports <<<"${METRICS_PORTS:-$(seq -s ' ' 9465 $((9464 + replicas)))}"
if [[ ${#replica_ports[@]} -ne $replicas || ${#metrics_ports[@]} -ne $replicas ]]; then
  echo "REPLICA_PORTS and METRICS_PORTS must name $replicas ports each" >&2
  exit 2
fi
command -v "$haproxy" >/dev/null || { echo "no $haproxy: apt-get install haproxy" >&2; exit 2; }

binary="${VESTEGN_BIN:-$root/target/release/vestegn}"
if [[ ! -x "$binary" ]]; then
  (cd "$root" && cargo build --release -p vestegn-api --bin vestegn)
fi

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "migrating and loading the seed dataset (once, before the replicas start)" >&2
"$binary" seed >"$run_dir/seed.log" 2>&1 || { cat "$run_dir/seed.log" >&2; exit 1; }

config="$run_dir/haproxy.cfg"
cp "$here/haproxy.cfg" "$config"
for i in $(seq 1 "$replicas"); do
  port="${replica_ports[$((i - 1))]}"
  BIND_ADDRESS="127.0.0.1:$port" METRICS_ADDRESS="127.0.0.1:${metrics_ports[$((i - 1))]}" \
    TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1}" LOAD_SEED=false \
    "$binary" >"$run_dir/replica$i.log" 2>&1 &
  pids+=($!)
  echo $! >"$run_dir/replica$i.pid"
  echo "    server replica$i 127.0.0.1:$port" >>"$config"
done

for i in $(seq 1 "$replicas"); do
  port="${replica_ports[$((i - 1))]}"
  ready=""
  for _ in $(seq 1 600); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$ready" ]] || { echo "replica$i did not become ready" >&2; tail -n 20 "$run_dir/replica$i.log" >&2; exit 1; }
  echo "replica$i on http://127.0.0.1:$port (metrics http://127.0.0.1:${metrics_ports[$((i - 1))]}/metrics)" >&2
done

"$haproxy" -f "$config" -db >"$run_dir/haproxy.log" 2>&1 &
pids+=($!)
echo $! >"$run_dir/haproxy.pid"
for _ in $(seq 1 100); do
  curl -fsS "http://$BALANCER_ADDRESS/readyz" >/dev/null 2>&1 && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$run_dir/haproxy.log" >&2; exit 1; }
  sleep 0.1
done
echo "HAProxy on http://$BALANCER_ADDRESS (status http://$STATS_ADDRESS/stats); logs and pids in $run_dir" >&2
echo ready

# Until interrupted, or until a process ends (a replica killed by hand stays down: HAProxy takes it
# out; the rest keep serving).
wait "${pids[-1]}"
