#!/usr/bin/env bash
# The web front end's tests: build the front end and run its unit tests (vitest), build the
# server, start an OpenID provider of the tests' own (issuer.mjs) and the server with it and with
# development tokens on a fresh SQLite database (the seed dataset), run browser.mjs in headless
# Chromium (Debian's; installed with apt-get when missing), stop the server. Exits with the
# checks' status. Screenshots, the CSV and a PDF of the print layout go to
# <cargo target dir>/browser-screenshots (or SCREENSHOT_DIR), as CI artefacts.
#
#   tests/browser/run.sh                          # from anywhere; needs cargo, node and npm
#   VESTEGN_BIN=/tmp/vestegn tests/browser/run.sh # a server binary built elsewhere
#   PORT=18080 tests/browser/run.sh               # a fixed port instead of a free one
#
# Every wait is bounded: apt-get and npm ci 600 s each, the build 300 s, the server 60 s to
# become ready, the checks 600 s.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# shellcheck source=../server.sh
source "$root/tests/server.sh"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "installing chromium (Debian's package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y --no-install-recommends chromium >&2 ||
    { timeout 300 apt-get update >&2 && timeout 600 apt-get install -y --no-install-recommends chromium >&2; }
fi

echo "building the web front end" >&2
if [[ ! -d web/node_modules ]]; then
  timeout 600 npm --prefix web ci --no-audit --no-fund
fi
# The page's GraphQL types against schema.graphql: fails when an operation asks for a field the
# schema lacks or when the generated types in web/src/gql/ are stale (`npm run codegen` renews them).
timeout 120 npm --prefix web run codegen:check >&2
timeout 300 npm --prefix web run build >&2
# The page's own logic first (numbers, CSV, PKCE, the organisation chart), without a browser.
timeout 300 npm --prefix web test >&2

target_dir="$(cargo_target_dir)"
if [[ -n "${VESTEGN_BIN:-}" ]]; then
  binary="$VESTEGN_BIN"
else
  echo "building the server" >&2
  cargo build -p vestegn-api --bin vestegn
  # A copy: another build in the same target directory may replace the binary meanwhile.
  cp "$target_dir/debug/vestegn" "$tmp/vestegn"
  binary="$tmp/vestegn"
fi
screenshots="${SCREENSHOT_DIR:-$target_dir/browser-screenshots}"
rm -rf "$screenshots"

port="${PORT:-$(free_port)}"
base="http://127.0.0.1:$port"

# An OpenID provider of the tests' own (issuer.mjs) for the sign-in with PKCE; up to 10 s to start.
issuer_port="$(free_port)"
issuer="http://127.0.0.1:$issuer_port"
node "$here/issuer.mjs" "$issuer_port" >"$tmp/issuer.log" 2>&1 &
helper_pids+=($!)
for _ in $(seq 1 100); do grep -q ready "$tmp/issuer.log" && break; sleep 0.1; done
grep -q ready "$tmp/issuer.log" || { echo "the test OpenID provider did not start" >&2; cat "$tmp/issuer.log" >&2; exit 1; }

echo "starting $binary on $base (OpenID provider $issuer, development tokens)" >&2
# In production mode for anonymous traffic: the page sends its registered documents only.
DATABASE_URL="sqlite://$tmp/browser.db?mode=rwc" BIND_ADDRESS="127.0.0.1:$port" WEB_DIR="$root/web/dist" \
  AUTH_ISSUER="$issuer" AUTH_PUBLIC_CLIENT_ID=vestegn-web REQUIRE_TRUSTED_DOCUMENTS=anonymous \
  "$binary" --dev-auth >"$tmp/server.log" 2>&1 &
server_pid=$!

wait_until_ready "$base"

# Signed with the development key the server made beside its database (browser.dev-key.pem).
dev_token="$(DATABASE_URL="sqlite://$tmp/browser.db?mode=rwc" "$binary" dev-token --municipality 183 --role viewer)"

cd "$here"
if [[ ! -d node_modules ]]; then
  timeout 600 npm ci --no-audit --no-fund
fi

status=0
DEV_TOKEN="$dev_token" ISSUER="$issuer" SCREENSHOT_DIR="$screenshots" CHROMIUM="$chromium" \
  timeout 600 node browser.mjs "$base" || status=$?
echo "screenshots: $screenshots" >&2
server_survived "the checks" || { [[ $status -ne 0 ]] || status=1; }
exit "$status"
