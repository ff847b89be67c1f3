#!/usr/bin/env bash
# Builds the image users get, from the same Dockerfile: `tools/image_build.sh [TARGET TAG]...` (default: the
# services' image botbridge:local and the sandbox's botbridge-sandbox:local, the tags docker-compose.yml names).
# Starts the engine when none answers (tools/docker_engine.sh), takes the base from tools/image_base.sh, and gives
# the build this machine's pip index and CA bundle (its PIP_INDEX_URL and PIP_CERT, from the environment or pip's
# configuration; file:// indexes are not reachable from a build and are left out). Prints each build's time.
# DOCKERFILE names another Dockerfile (tests/image builds a broken variant with it).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/docker_engine.sh
base=$(bash tools/image_base.sh)

pip_setting() {  # $1: environment variable, $2: pip configuration key
  local value=${!1:-}
  if [ -z "$value" ] && command -v python3 >/dev/null; then
    value=$(python3 -m pip config get "$2" 2>/dev/null || true)
  fi
  echo "$value"
}
args=(--network host --build-arg "BASE_IMAGE=$base")
index=$(pip_setting PIP_INDEX_URL global.index-url)
case "$index" in http://* | https://*) args+=(--build-arg "PIP_INDEX_URL=$index") ;; esac
cert=$(pip_setting PIP_CERT global.cert)
if [ -n "$cert" ]; then
  args+=(--build-arg "PIP_CERT=$cert")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
[ $# -gt 0 ] || set -- service botbridge:local sandbox botbridge-sandbox:local
while [ $# -ge 2 ]; do
  start=$(date +%s%N)
  # The classic builder, as docker-compose v1 builds: the Dockerfile must work with it (and it works with BuildKit).
  if ! DOCKER_BUILDKIT=0 docker build "${args[@]}" --file "${DOCKERFILE:-Dockerfile}" --target "$1" --tag "$2" . >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "building $2 (target $1) failed" >&2
    exit 1
  fi
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  printf 'built %s (target %s, base %s) in %d.%d s\n' "$2" "$1" "$base" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
  shift 2
done
