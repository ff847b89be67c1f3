"""The Kubernetes manifests, rendered once per test session."""

import shutil

import pytest
import yaml

from .tooling import DEPLOY, Rendered, kustomization_dirs, run


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Every kustomization rendered once, by its path under deploy/ (e.g. "overlays/production")."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl (with its built-in kustomize) is not on PATH")
    out = tmp_path_factory.mktemp("rendered")
    result = {}
    for folder in kustomization_dirs():
        name = folder.relative_to(DEPLOY).as_posix()
        build = run([kubectl, "kustomize", str(folder)])
        assert build.returncode == 0, f"kubectl kustomize deploy/{name} failed:\n{build.stderr}"
        path = out / (name.replace("/", "--") + ".yaml")
        path.write_text(build.stdout)
        result[name] = Rendered(name, path, [o for o in yaml.safe_load_all(build.stdout) if o])
    return result
