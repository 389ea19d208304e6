#!/usr/bin/env bash
# GraphQL over HTTP conformance: build and start the real server on a fresh SQLite database, run
# every graphql-http server audit against it (audit.mjs), stop the server. Exits with the audit's
# status: 0 when every MUST and SHOULD audit passes.
#
#   tests/http-audit/run.sh            # from anywhere; needs cargo, node and npm
#   PORT=18080 tests/http-audit/run.sh # a fixed port instead of a free one picked at random
#
# Every wait is bounded: the server has 60 s to become ready (/readyz), npm ci and the audits 300 s each.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    # Up to 10 s for a graceful stop, then force it.
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$tmp/server.log" >&2 || true
}

echo "building the server" >&2
cargo build -p vestegn-api --bin vestegn
target_dir="$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
binary="$target_dir/debug/vestegn"

port="${PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}"
base="http://127.0.0.1:$port"

echo "starting $binary on $base" >&2
DATABASE_URL="sqlite://$tmp/audit.db?mode=rwc" BIND_ADDRESS="127.0.0.1:$port" \
  "$binary" >"$tmp/server.log" 2>&1 &
server_pid=$!

# Up to 60 s for /readyz to answer 200 (migrated and seeded); give up at once if the server exits.
ready=""
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before it was ready" >&2
    show_server_log
    exit 1
  fi
  if node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$base/readyz"; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  echo "the server did not become ready ($base/readyz) within 60 s" >&2
  show_server_log
  exit 1
fi

cd "$here"
if [[ ! -d node_modules ]]; then
  timeout 300 npm ci --no-audit --no-fund
fi

status=0
timeout 300 node audit.mjs "$base/graphql" || status=$?
# The audit shows every failing request and response; the server's own log only matters if it
# died on the way.
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server exited during the audit" >&2
  show_server_log
  [[ $status -ne 0 ]] || status=1
fi
exit "$status"
