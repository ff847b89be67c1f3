"""The Dockerfile and .dockerignore, read as text (no Docker daemon here): multi-stage on one slim Python base, a
numeric non-root user, no build tools or secrets in the final image, every service's package in it."""

import re
import tomllib

import pytest

from .tooling import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text()
DOCKERIGNORE = (REPO / ".dockerignore").read_text().splitlines()
SERVICE_UID = 10001
# Packages the project builds that the services' image does not run: the stubs come from gen/ (generated in the
# build), the sandbox goes to its own demo-only target, devstack runs local processes only, ai_conformance is a
# tool for AI teams run from the repository.
NOT_IN_SERVICE_IMAGE = {"botbridge", "dimelo_sandbox", "devstack", "ai_conformance"}


def stages() -> dict[str, list[str]]:
    """Each build stage's instructions (continuation lines joined), by stage name, in file order."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    result: dict[str, list[str]] = {}
    current = result.setdefault("(before the first FROM)", [])  # the base image's ARG
    for line in joined.splitlines():
        line = line.strip()
        if match := re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line, re.IGNORECASE):
            current = result.setdefault(match.group(2), [])
        elif line and not line.startswith("#"):
            current.append(line)
    return result


def from_images() -> dict[str, str]:
    return {name: base for base, name in re.findall(r"^FROM\s+(\S+)\s+AS\s+(\S+)", DOCKERFILE, re.MULTILINE)}


def test_stages_build_on_one_slim_python_and_the_service_image_is_the_default() -> None:
    """In: the FROM lines. Out: one base for build and run (the venv and byte-code match the interpreter), by
    default a slim Python 3.11 (BASE_IMAGE: tools/image_base.sh's local stand-in where no registry answers); the
    last stage, built by default, is the services' image."""
    images = from_images()
    assert list(images) == ["build", "runtime", "sandbox", "service"]
    assert images["build"] == images["runtime"] == "${BASE_IMAGE}"
    (default,) = re.findall(r"^ARG BASE_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11-slim-\w+", default)
    assert images["sandbox"] == images["service"] == "runtime"


def test_the_image_runs_as_a_numeric_non_root_user_unbuffered() -> None:
    """In: the runtime stage. Out: USER is the fixed UID:GID the Kubernetes pods run as; PYTHONUNBUFFERED=1."""
    runtime = stages()["runtime"]
    assert f"USER {SERVICE_UID}:{SERVICE_UID}" in runtime
    env = " ".join(line for line in runtime if line.startswith("ENV "))
    assert "PYTHONUNBUFFERED=1" in env and "PATH=/opt/venv/bin:" in env
    assert any(f"useradd --system --uid {SERVICE_UID}" in line for line in runtime)


def test_build_tools_stay_in_the_build_stage() -> None:
    """In: the runtime stages and the build stage's installs. Out: the runtime stages copy only the venv, the app
    tree and the probe from the build stage, and remove pip; the services' venv gets the runtime lock alone and the
    stub generator's the build lock, each with --require-hashes."""
    for name in ("runtime", "sandbox", "service"):
        for line in stages()[name]:
            assert not re.match(r"RUN .*pip install", line), (name, line)
            if line.startswith("COPY --from="):
                assert re.match(r"COPY --from=build /(opt/venv|app|sandbox) /(opt/venv|app)$", line), (name, line)
    assert any("pip uninstall --yes --quiet pip setuptools wheel" in line for line in stages()["runtime"])
    installs = re.findall(
        r"(/opt/\w+)/bin/pip (?:--python (\S+) )?install --quiet (--require-hashes) -r (\S+)",
        " ".join(stages()["build"]),
    )
    assert installs == [
        ("/opt/build", "", "--require-hashes", "requirements/build.txt"),
        ("/opt/build", "/opt/venv/bin/python", "--require-hashes", "requirements/runtime.txt"),
    ]


def test_every_service_package_is_copied_into_the_app_tree() -> None:
    """In: the packages pyproject.toml installs. Out: each one the services run is copied to /app/<package>/."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*") for p in patterns} - NOT_IN_SERVICE_IMAGE
    copied = set(re.findall(r"^COPY (\w+)/ /app/\1/$", DOCKERFILE, re.MULTILINE))
    assert copied == packages
    assert "cp -R gen/python/botbridge /app/botbridge" in DOCKERFILE


def test_the_build_context_is_an_allow_list_of_what_the_dockerfile_copies() -> None:
    """In: .dockerignore and every COPY from the context. Out: everything is excluded first, each copied path is
    let back in, and nothing else (no .env, tokens, databases or venvs can reach an image)."""
    rules = [line for line in DOCKERIGNORE if line and not line.startswith("#")]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    sources = set()
    for args in re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", DOCKERFILE, re.MULTILINE):
        sources.update(source.rstrip("/") for source in args.split())

    def within(path: str, folder: str) -> bool:
        return path == folder or path.startswith(folder + "/")

    for source in sources:
        assert any(within(source, a) or within(a, source) for a in allowed), f"{source} is copied but not let in"
    for entry in allowed:
        assert any(within(entry, source) for source in sources), f"{entry} is let in but never copied"
    # tools/ is copied whole, but only the gRPC generator buf.gen.yaml runs is let in.
    assert {a for a in allowed if within(a, "tools")} == {"tools/__init__.py", "tools/protoc_gen_grpc_python.py"}


@pytest.mark.parametrize("word", ["TOKEN", "SECRET", "PASSWORD", "DIMELO_API_URL"])
def test_no_setting_or_secret_is_baked_into_the_image(word: str) -> None:
    """In: ARG and ENV lines. Out: none names a secret or an account setting; those come at run time."""
    for line in DOCKERFILE.splitlines():
        if re.match(r"\s*(ARG|ENV)\b", line):
            assert word not in line.upper(), line
