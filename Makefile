# `make run` starts the whole stack against the local Dimelo sandbox and plays a demo; `make test` runs the checks
# (`make lint`) and every test. Both install what they need first (a Python venv from the hashed lock, buf included;
# the generated stubs; the official Engage Digital JS client from npm, which tests run against the sandbox; for tests
# also the deployment validators); re-running is cheap.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PROTOS := $(shell find protos -name '*.proto')
# Validation tools for the deployment files (compose, kustomize, checkov), apart so they never pin our services.
DEPLOY_VENV := .venv-deploy

.PHONY: setup lock lint run test test-fast bench image image-test

setup: $(VENV)/.installed node_modules/.installed

# requirements/dev.txt: every package, with its hashes (README "Dependencies"); pip refuses anything unlisted.
$(VENV)/.deps: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

# `buf generate` (buf.gen.yaml), offline, as the image's build stage runs it: buf, protoc and the generators from the
# venv (requirements/build.in), first on PATH.
gen/python/.generated: $(VENV)/.deps $(PROTOS) buf.gen.yaml tools/protoc_gen_grpc_python.py
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" buf generate
	touch $@

# The venv imports our packages from the work tree and the stubs from gen/python, as the image does (PYTHONPATH).
$(VENV)/.installed: gen/python/.generated
	$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "botbridge-dev.pth").write_text("$(CURDIR)\n$(CURDIR)/gen/python\n")'
	touch $@

$(DEPLOY_VENV)/.installed: requirements/deploy.txt tools/deploy_tools.sh
	PYTHON=$(PYTHON) bash tools/deploy_tools.sh
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(PY) -m devstack

# Recompiles the hashed locks from requirements/*.in, keeping every pin that still fits; `make lock UPGRADE=1`
# moves every package to its newest version. Runtime first: the others are constrained to its versions.
LOCKS := requirements/runtime.txt requirements/build.txt requirements/dev.txt requirements/deploy.txt
lock: $(VENV)/.deps
	for lock in $(LOCKS); do \
	  $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	    --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) $${lock%.txt}.in -o $$lock || exit 1; \
	done

# The checks `make test` runs first, as pyproject.toml configures them: ruff's lint, mypy strict on every
# production package, ruff's format (`.venv/bin/ruff format` applies it).
lint: setup
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff format --check

# Worker processes (pytest-xdist): more than the cores, as most of a test's time is spent waiting on servers. Each
# module runs on one worker, so a module-scoped fixture (a process stack) starts once. (`--dist loadgroup` would let
# other modules spread, but xdist 3.8 cannot tag pytest 9's node ids with their group: it has no effect.)
# The inner loop waits less and pays each worker's start-up (~3 s of imports and collection) more: 3 is quickest.
TEST_WORKERS ?= 4
FAST_WORKERS ?= 3

# PYTHONDONTWRITEBYTECODE emptied: with it set (as on some machines), every worker rewrites every test module's
# asserts again instead of reading pytest's cache (~2 CPU-s a worker).
test: setup $(DEPLOY_VENV)/.installed lint
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope

# The inner loop: unit and contract tests with in-process servers; no process stacks (e2e, chaos, observability),
# no deployment validators, no sandbox or spec suites, no property or fuzz runs (marked slow), and the tests that
# run on both stores on SQLite only (TEST_STORES, tests/postgres.py). `make test` runs all, on both stores.
FAST_TESTS := tests/test_readme_configuration.py tests/contracts tests/service_kit tests/ai_service tests/ai_conformance \
	tests/gateway tests/dimelo_adapter tests/orchestrator tests/intake
test-fast: setup
	PYTHONDONTWRITEBYTECODE= TEST_STORES=sqlite $(PY) -m pytest -n $(FAST_WORKERS) --dist loadscope -m 'not e2e and not image and not slow' \
	  $(FAST_TESTS)

# Prints the benchmark table (a few minutes); bench/setup.sh, run by the bench itself, installs wrk when missing.
bench: setup
	$(PY) -m bench

# The services' image and the sandbox's (botbridge:local, botbridge-sandbox:local) from the Dockerfile users get.
# Starts a Docker engine and makes a local base image when none can be pulled (tools/image_build.sh says how).
image:
	bash tools/image_build.sh

# Builds the images, then runs them: the promises of the image and the demo through the containers (tests/image,
# a few minutes; `make test` leaves them out and .ci/run runs both: deploy/README.md, "Proven by running").
image-test: setup image
	$(PY) -m pytest -m image tests/image
