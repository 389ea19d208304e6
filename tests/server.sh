# Shared by the scripts that run checks against the real server (http-audit/run.sh,
# browser/run.sh): a temporary directory, cleanup on exit (helper processes, then the server:
# 10 s for a graceful stop, then forced), free ports, and bounded waits for readiness.
# Source it after `set -euo pipefail`; start the server with its output in "$tmp/server.log" and
# its pid in `server_pid`, and add other background processes to `helper_pids`.

tmp="$(mktemp -d)"
server_pid=""
helper_pids=()
cleanup() {
  for pid in "${helper_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
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

# A TCP port on loopback that is free now.
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# Cargo's target directory (CARGO_TARGET_DIR or the workspace's).
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))'
}

# Up to 60 s for $1/readyz to answer 200 (migrated and seeded); gives up at once if the server
# exits.
wait_until_ready() {
  local base="$1" deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server exited before it was ready" >&2
      show_server_log
      exit 1
    fi
    if node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "$base/readyz"; then
      return 0
    fi
    sleep 0.5
  done
  echo "the server did not become ready ($base/readyz) within 60 s" >&2
  show_server_log
  exit 1
}

# Fails, with the server's log, if the server died while the checks ran ($1 names them).
server_survived() {
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited during $1" >&2
    show_server_log
    return 1
  fi
}
