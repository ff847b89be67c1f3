#!/usr/bin/env bash
# Installs what tests/deploy needs to validate Dockerfile, docker-compose.yml and deploy/ offline:
# a venv of its own, .venv-deploy, with the hashed lock of requirements/deploy.txt (kept apart from the
# services' pinned dependencies), and Debian's docker-compose for `docker-compose config` when it is missing.
# kubectl (with kustomize) comes with the machine. Re-running is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

"$PYTHON" -m venv .venv-deploy
.venv-deploy/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/deploy.txt

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is not installed and cannot be installed here: tests/deploy will skip 'docker-compose config'" >&2
  fi
fi
