"""What the offline checks of Dockerfile, docker-compose.yml and deploy/ share: paths, tools, rendered manifests."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DEPLOY_VENV_BIN = REPO / ".venv-deploy" / "bin"
INSTALL_HINT = "install the deploy tools with tools/deploy_tools.sh (`make setup` runs it)"


def deploy_tool(name: str) -> str:
    """The path of a tool from .venv-deploy; fails (no skip: they install from PyPI anywhere) when missing."""
    path = DEPLOY_VENV_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: {INSTALL_HINT}")
    return str(path)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs a tool, capturing its output as text; the caller checks the exit code."""
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO, **kwargs)


def kustomization_dirs() -> list[Path]:
    """Every buildable kustomization under deploy/ (components are built through the overlays that use them)."""
    found = []
    for file in sorted(DEPLOY.rglob("kustomization.yaml")):
        if yaml.safe_load(file.read_text()).get("kind", "Kustomization") == "Kustomization":
            found.append(file.parent)
    return found


@dataclass(frozen=True)
class Rendered:
    """One kustomization built with `kubectl kustomize`: its name (path under deploy/), file and objects."""

    name: str
    path: Path
    objects: list[dict]

    def find(self, kind: str, name: str | None = None) -> list[dict]:
        return [o for o in self.objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]

    def one(self, kind: str, name: str) -> dict:
        (found,) = self.find(kind, name)
        return found


def pod_spec(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]


def env_of(container: dict) -> dict[str, dict]:
    """The container's env entries by name."""
    return {entry["name"]: entry for entry in container.get("env", [])}
