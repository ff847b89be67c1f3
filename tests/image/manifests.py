"""What the Kubernetes manifests (deploy/base) promise each service's container: user, root filesystem,
capabilities, writable mounts and the preStop command. The image tests hold the running containers to the same."""

from dataclasses import dataclass

import yaml

from .docker import REPO

# The compose services that are Kubernetes Deployments (same names); the sandbox is compose-only.
DEPLOYED = ("gateway", "orchestrator", "dimelo-adapter", "ai-service")


@dataclass(frozen=True)
class PodPromise:
    """One Deployment's container, as its manifest declares it."""

    user: int
    group: int
    read_only_root: bool
    dropped_capabilities: tuple[str, ...]
    writable_paths: frozenset[str]
    pre_stop: tuple[str, ...]  # the preStop hook's command; empty without one


def promise(service: str) -> PodPromise:
    """The security context and volume mounts of deploy/base/<service>.yaml's Deployment (one container)."""
    objects = yaml.safe_load_all((REPO / "deploy" / "base" / f"{service}.yaml").read_text())
    (deployment,) = [o for o in objects if o and o["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    return PodPromise(
        user=security["runAsUser"],
        group=security["runAsGroup"],
        read_only_root=security.get("readOnlyRootFilesystem", False),
        dropped_capabilities=tuple(security.get("capabilities", {}).get("drop", [])),
        writable_paths=frozenset(mount["mountPath"] for mount in container.get("volumeMounts", [])),
        pre_stop=tuple(container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])),
    )
