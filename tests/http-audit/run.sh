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

# shellcheck source=../server.sh
source "$root/tests/server.sh"

echo "building the server" >&2
cargo build -p vestegn-api --bin vestegn
binary="$(cargo_target_dir)/debug/vestegn"

port="${PORT:-$(free_port)}"
base="http://127.0.0.1:$port"

echo "starting $binary on $base" >&2
DATABASE_URL="sqlite://$tmp/audit.db?mode=rwc" BIND_ADDRESS="127.0.0.1:$port" \
  "$binary" >"$tmp/server.log" 2>&1 &
server_pid=$!

wait_until_ready "$base"

cd "$here"
if [[ ! -d node_modules ]]; then
  timeout 300 npm ci --no-audit --no-fund
fi

status=0
timeout 300 node audit.mjs "$base/graphql" || status=$?
# The audit shows every failing request and response; the server's own log only matters if it
# died on the way.
server_survived "the audit" || { [[ $status -ne 0 ]] || status=1; }
exit "$status"
