#!/usr/bin/env bash
# The deployment examples: deploy/kubernetes/*.yaml validated against Kubernetes' schemas
# (kubernetes-validate from PyPI, strict: an unknown field fails; installed into a virtual
# environment under the cargo target directory when missing), and every setting the ConfigMaps and
# Secrets name is one the server knows (`vestegn --help` lists them), so a renamed setting cannot
# leave the example silently unconfigured.
#
#   tests/deploy/run.sh
#   VESTEGN_BIN=/tmp/vestegn tests/deploy/run.sh   # a server binary built elsewhere
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
venv="$target_dir/deploy-venv"
if [[ ! -x "$venv/bin/kubernetes-validate" ]]; then
  echo "installing kubernetes-validate (PyPI)" >&2
  python3 -m venv "$venv"
  timeout 300 "$venv/bin/pip" install --quiet kubernetes-validate
fi
"$venv/bin/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
echo "deploy/kubernetes: valid against Kubernetes $("$venv/bin/kubernetes-validate" --version)" >&2

if [[ -n "${VESTEGN_BIN:-}" ]]; then
  binary="$VESTEGN_BIN"
else
  cargo build -q -p vestegn-api --bin vestegn
  binary="$target_dir/debug/vestegn"
fi
known="$("$binary" --help | grep -o 'env: [A-Z0-9_]*' | cut -d' ' -f2)"
# Read by the logging library rather than by the server's settings.
known+=$'\nRUST_LOG'
unknown="$("$venv/bin/python" - deploy/kubernetes/*.yaml <<'PY' | grep -vxF "$known" || true
import sys, yaml
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        if doc and doc.get("kind") in ("ConfigMap", "Secret"):
            for key in {**doc.get("data", {}), **doc.get("stringData", {})}:
                print(key)
PY
)"
if [[ -n "$unknown" ]]; then
  echo "deploy/kubernetes names settings the server does not know: $unknown" >&2
  exit 1
fi
echo "deploy/kubernetes: every setting is one the server knows" >&2
