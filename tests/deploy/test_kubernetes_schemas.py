"""Every kustomization under deploy/ renders, and every rendered object is valid for the Kubernetes versions we
support (kubernetes-validate's bundled schemas, strict: an unknown or misspelt field fails)."""

import yaml

from .tooling import DEPLOY, Rendered, deploy_tool, kustomization_dirs, run

# The oldest version we support (native gRPC probes are GA since 1.27; 1.30 is the oldest most clouds still run)
# and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")


def test_every_overlay_and_component_is_rendered(rendered: dict[str, Rendered]) -> None:
    """In: the folders under deploy/. Out: base and each overlay render; each component is used by an overlay."""
    overlays = {"overlays/production", "overlays/production-postgres", "overlays/custom-ai", "overlays/grpc-tls"}
    assert {"base", *overlays} <= set(rendered)
    used = set()
    for folder in kustomization_dirs():
        kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
        used.update((folder / component).resolve() for component in kustomization.get("components", []))
    components = {p.parent for p in (DEPLOY / "components").rglob("kustomization.yaml")}
    assert components and components <= used, f"components no overlay renders: {sorted(map(str, components - used))}"


def test_rendered_objects_validate_against_the_kubernetes_schemas(rendered: dict[str, Rendered]) -> None:
    """In: every rendered file. Out: kubernetes-validate --strict passes for each supported version."""
    tool = deploy_tool("kubernetes-validate")
    files = [str(r.path) for r in rendered.values()]
    for version in KUBERNETES_VERSIONS:
        result = run([tool, "--strict", "--quiet", "--kubernetes-version", version, *files])
        assert result.returncode == 0, f"invalid for Kubernetes {version}:\n{result.stdout}{result.stderr}"


def test_the_schema_check_rejects_a_misspelt_field(rendered: dict[str, Rendered], tmp_path) -> None:
    """In: the base with one probe field misspelt. Out: the validator fails on it (so the check above bites)."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(rendered["base"].path.read_text().replace("timeoutSeconds:", "timeoutSecond:", 1))
    result = run([deploy_tool("kubernetes-validate"), "--strict", "--quiet", str(broken)])
    assert result.returncode != 0 and "timeoutSecond" in result.stdout + result.stderr
