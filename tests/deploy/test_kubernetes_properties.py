"""What must hold in every rendered kustomization: probes, hardening, the token only in the adapter, who may talk
to whom, graceful stops, scaling rules, and the AI swap changing nothing else."""

import json

import pytest

from .tooling import DEPLOY, Rendered, env_of, kustomization_dirs, pod_spec

GRPC_SERVICES = {"orchestrator": 50051, "ai-service": 50052, "dimelo-adapter": 50053}
HTTP_SERVICES = {"gateway": 8080}
SERVICES = {**GRPC_SERVICES, **HTTP_SERVICES}
IMAGE_UID = 10001  # the Dockerfile's USER (tests/deploy/test_dockerfile.py checks it there)
# Each service's setting for its drain time on SIGTERM (the gateway's longest request is its submit timeout).
DRAIN_SETTINGS = {
    "gateway": "GATEWAY_SUBMIT_TIMEOUT_SECONDS",
    "orchestrator": "GRACE_SECONDS",
    "dimelo-adapter": "ADAPTER_GRACE_SECONDS",
    "ai-service": "AI_GRACE_SECONDS",
}
# Secrets are created by hand or by a secret manager, never rendered from this repository (deploy/README.md).
EXPECTED_SECRETS = {"gateway-webhook", "dimelo-api", "orchestrator-database", "gateway-tls", "grpc-tls"}
TOKEN_SECRET, TOKEN_ENV = "dimelo-api", "DIMELO_ACCESS_TOKEN"
# Peers in NetworkPolicies, besides our services.
OUTSIDE, ANYWHERE, DNS, CLUSTER = "outside the cluster", "anywhere", "cluster DNS", "any pod of the cluster"
MONITORING = "Prometheus (namespace monitoring), on metrics ports only"
MONITORING_PEER = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
METRICS_PORTS = {8080, 9464, 9465, 9466}
KUBE_DNS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}


@pytest.fixture(params=[folder.relative_to(DEPLOY).as_posix() for folder in kustomization_dirs()])
def build(request: pytest.FixtureRequest, rendered: dict[str, Rendered]) -> Rendered:
    return rendered[request.param]


def deployments(build: Rendered) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in build.find("Deployment")}


def test_exactly_the_four_services_are_deployed_and_never_the_sandbox(build: Rendered) -> None:
    """In: a rendering. Out: one Deployment per service; no container runs the Dimelo sandbox."""
    assert set(deployments(build)) == set(SERVICES)
    assert "dimelo_sandbox" not in json.dumps(build.objects)


def test_every_container_has_liveness_and_readiness_probes_of_its_protocol(build: Rendered) -> None:
    """In: each container. Out: native gRPC probes on the gRPC port (over TLS, which they cannot speak: the image's
    botbridge-healthcheck on the same port); HTTP /healthz and /readyz for the gateway."""
    intake = "botbridge.orchestrator.v1.OrchestratorService"
    for name, deployment in deployments(build).items():
        for container in pod_spec(deployment)["containers"]:
            live, ready = container["livenessProbe"], container["readinessProbe"]
            if name in GRPC_SERVICES and "GRPC_TLS_CERT_FILE" in env_of(container):
                # the orchestrator's intake needs only the store; a peer outage must not restart it
                expected = ["botbridge-healthcheck", "grpc", f"localhost:{GRPC_SERVICES[name]}"]
                expected += [intake] if name == "orchestrator" else []
                assert live["exec"]["command"] == ready["exec"]["command"] == expected, name
                assert "grpc" not in live and "grpc" not in ready, name
            elif name in GRPC_SERVICES:
                assert live["grpc"]["port"] == ready["grpc"]["port"] == GRPC_SERVICES[name], name
                if name == "orchestrator":
                    assert live["grpc"]["service"] == ready["grpc"]["service"] == intake
            else:
                assert (live["httpGet"]["path"], ready["httpGet"]["path"]) == ("/healthz", "/readyz"), name


def test_every_pod_runs_as_the_images_non_root_user_hardened(build: Rendered) -> None:
    """In: each pod and container. Out: non-root UID 10001, RuntimeDefault seccomp, read-only root filesystem,
    no privilege escalation, every capability dropped, no service account token."""
    for name, deployment in deployments(build).items():
        spec = pod_spec(deployment)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == IMAGE_UID, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert not context.get("privileged"), name


def test_every_container_has_resource_requests_and_limits(build: Rendered) -> None:
    """In: each container. Out: CPU and memory requests and limits, requests within limits."""
    units = {"m": 0.001, "Mi": 2**20, "Gi": 2**30}

    def amount(text: str) -> float:
        for suffix, factor in units.items():
            if text.endswith(suffix):
                return float(text[: -len(suffix)]) * factor
        return float(text)

    for name, deployment in deployments(build).items():
        for container in pod_spec(deployment)["containers"]:
            resources = container["resources"]
            for kind in ("cpu", "memory"):
                assert amount(resources["requests"][kind]) <= amount(resources["limits"][kind]), (name, kind)


def test_the_dimelo_token_reaches_the_adapter_only(build: Rendered) -> None:
    """In: every object. Out: the token's Secret and variable appear in the adapter's Deployment and nowhere else,
    and there only as the one key (never envFrom, which would pass every key of the Secret)."""
    adapter = deployments(build)["dimelo-adapter"]
    leaked = [
        f"{o['kind']}/{o['metadata']['name']}"
        for o in build.objects
        if o is not adapter and (TOKEN_SECRET in json.dumps(o) or TOKEN_ENV in json.dumps(o))
    ]
    assert not leaked, f"the Dimelo token is referenced outside the adapter: {leaked}"
    (container,) = pod_spec(adapter)["containers"]
    assert env_of(container)[TOKEN_ENV]["valueFrom"]["secretKeyRef"] == {"name": TOKEN_SECRET, "key": "access-token"}
    assert "envFrom" not in container
    assert TOKEN_SECRET not in json.dumps(pod_spec(adapter).get("volumes", []))


def test_settings_and_secrets_referenced_exist_or_are_the_documented_ones(build: Rendered) -> None:
    """In: every ConfigMap and Secret reference. Out: ConfigMaps are in the rendering (overlays) and Secrets are
    the ones deploy/README.md tells to create."""
    secrets = {o["metadata"]["name"] for o in build.find("Secret")}
    assert not secrets, f"Secrets must not be rendered from the repository: {secrets}"
    referenced_secrets, referenced_maps = set(), set()
    for deployment in deployments(build).values():
        for container in pod_spec(deployment)["containers"]:
            for entry in container.get("env", []):
                source = entry.get("valueFrom", {})
                if "secretKeyRef" in source:
                    referenced_secrets.add(source["secretKeyRef"]["name"])
                if "configMapKeyRef" in source:
                    referenced_maps.add(source["configMapKeyRef"]["name"])
    for ingress in build.find("Ingress"):
        referenced_secrets.update(tls["secretName"] for tls in ingress["spec"]["tls"])
    assert referenced_secrets <= EXPECTED_SECRETS, referenced_secrets - EXPECTED_SECRETS
    if build.name != "base":
        maps = {o["metadata"]["name"]: o for o in build.find("ConfigMap")}
        assert referenced_maps <= set(maps), f"missing ConfigMaps: {referenced_maps - set(maps)}"
        for config in maps.values():
            assert config["metadata"]["namespace"] == deployments(build)["gateway"]["metadata"]["namespace"]
            assert config["data"]["AGENT_CATEGORY_IDS"] and config["data"]["DIMELO_API_URL"].startswith("https://")


def network_policies(build: Rendered) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Who may reach each service, and where each service may go, read from the NetworkPolicies."""

    def peers(rules: list[dict], key: str) -> set[str]:
        found = set()
        for rule in rules:
            if key not in rule:
                found.add(ANYWHERE)
            for peer in rule.get(key, []):
                if "ipBlock" in peer:
                    found.add(OUTSIDE)
                elif peer == KUBE_DNS:
                    found.add(DNS)
                elif peer == {"namespaceSelector": {}}:
                    found.add(CLUSTER)
                elif peer == MONITORING_PEER:
                    assert {p["port"] for p in rule["ports"]} <= METRICS_PORTS, rule
                    found.add(MONITORING)
                else:
                    found.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
        return found

    sources = {name: set() for name in SERVICES}
    destinations = {name: set() for name in SERVICES}
    for policy in build.find("NetworkPolicy"):
        spec = policy["spec"]
        selected = spec["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for name in [selected] if selected else SERVICES:
            sources[name] |= peers(spec.get("ingress", []), "from")
            destinations[name] |= peers(spec.get("egress", []), "to")
    return sources, destinations


def test_network_policies_deny_by_default_and_allow_only_the_bridges_paths(build: Rendered) -> None:
    """In: the NetworkPolicies. Out: a default deny both ways; only the gateway reachable from anywhere; the AI
    only from the orchestrator; Prometheus on the metrics ports only; only the adapter leaves the cluster; DNS for
    all."""
    default_deny = [
        p
        for p in build.find("NetworkPolicy")
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert default_deny, "no default-deny NetworkPolicy"
    sources, destinations = network_policies(build)
    assert sources == {
        "gateway": {ANYWHERE, MONITORING},
        "orchestrator": {"gateway", MONITORING},
        "ai-service": {"orchestrator", MONITORING},
        "dimelo-adapter": {"orchestrator", MONITORING},
    }
    postgres = {CLUSTER} if build.find("NetworkPolicy", "orchestrator-postgres") else set()
    assert destinations == {
        "gateway": {DNS, "orchestrator"},
        "orchestrator": {DNS, "ai-service", "dimelo-adapter", *postgres},
        "ai-service": {DNS},
        "dimelo-adapter": {DNS, OUTSIDE},
    }


def test_only_the_adapter_may_leave_the_cluster_and_only_over_https(build: Rendered) -> None:
    """In: the egress rules with an ipBlock. Out: they select the adapter, allow port 443 only, and exclude the
    private ranges and the metadata endpoint."""
    for policy in build.find("NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            blocks = [peer["ipBlock"] for peer in rule.get("to", []) if "ipBlock" in peer]
            if not blocks:
                continue
            assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "dimelo-adapter"}}
            assert [p["port"] for p in rule["ports"]] == [443]
            ipv4 = next(b for b in blocks if b["cidr"] == "0.0.0.0/0")
            assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= set(ipv4["except"])


def test_termination_grace_covers_each_services_drain_time(build: Rendered) -> None:
    """In: each Deployment of our image. Out: terminationGracePeriodSeconds exceeds its preStop wait plus the
    service's drain setting. (Another team's AI image has its own settings: its contract is to stop within it.)"""
    for name, deployment in deployments(build).items():
        (container,) = pod_spec(deployment)["containers"]
        if "args" not in container:
            continue
        drain = pre_stop_seconds(container) + float(env_of(container)[DRAIN_SETTINGS[name]]["value"])
        assert drain < pod_spec(deployment)["terminationGracePeriodSeconds"] <= drain + 10, name


def test_the_gateway_keeps_serving_while_the_ingress_learns_it_is_leaving(build: Rendered) -> None:
    """In: the gateway's Deployment. Out: a preStop wait of at least 10 s before SIGTERM, so that ingress-nginx (which
    applies endpoint changes every few seconds) stops sending deliveries to a terminating pod before it closes its
    connections."""
    (container,) = pod_spec(build.one("Deployment", "gateway"))["containers"]
    assert pre_stop_seconds(container) >= 10


def pre_stop_seconds(container: dict) -> float:
    """How long the container's preStop hook waits (`sleep N`); 0 without one."""
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    return float(command[1]) if command[:1] == ["sleep"] else 0.0


def test_every_service_has_its_service_account_and_service(build: Rendered) -> None:
    """In: each Deployment. Out: its own ServiceAccount (no token mounted) and a Service on the container port;
    headless for the gRPC services, so their callers' round_robin channels reach every replica."""
    for name, deployment in deployments(build).items():
        account = build.one("ServiceAccount", pod_spec(deployment)["serviceAccountName"])
        assert account["metadata"]["name"] == name and account["automountServiceAccountToken"] is False
        service = build.one("Service", name)
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert (service["spec"].get("clusterIP") == "None") == (name in GRPC_SERVICES), name
        (port,) = service["spec"]["ports"]
        assert port["port"] == SERVICES[name]
        (container,) = pod_spec(deployment)["containers"]
        assert {p["name"]: p["containerPort"] for p in container["ports"]}[port["targetPort"]] == SERVICES[name]


def test_disruption_budgets_and_autoscaling_follow_the_state_backend(build: Rendered) -> None:
    """In: replicas, PDBs, HPAs. Out: every multi-replica service has a PDB that lets one pod go; the gateway
    autoscales; the orchestrator on SQLite is one replica on a volume, with Recreate and no HPA; with PostgreSQL
    it has several replicas, an HPA and a PDB."""
    budgets = {p["metadata"]["name"]: p for p in build.find("PodDisruptionBudget")}
    scalers = {h["spec"]["scaleTargetRef"]["name"]: h for h in build.find("HorizontalPodAutoscaler")}
    for name, deployment in deployments(build).items():
        replicas = deployment["spec"]["replicas"]
        if replicas > 1:
            assert budgets[name]["spec"]["minAvailable"] < replicas, name
        if name in scalers:
            assert scalers[name]["spec"]["minReplicas"] >= 2 and name in budgets, name
    assert "gateway" in scalers
    orchestrator = deployments(build)["orchestrator"]
    (container,) = pod_spec(orchestrator)["containers"]
    if "ORCHESTRATOR_DATABASE_URL" in env_of(container):
        assert orchestrator["spec"]["replicas"] >= 2 and "orchestrator" in scalers and "orchestrator" in budgets
        assert not build.find("PersistentVolumeClaim") and "ORCHESTRATOR_DB_PATH" not in env_of(container)
    else:
        assert orchestrator["spec"]["replicas"] == 1 and orchestrator["spec"]["strategy"]["type"] == "Recreate"
        assert "orchestrator" not in scalers
        claim = build.one("PersistentVolumeClaim", "orchestrator-data")
        volumes = {v["name"]: v for v in pod_spec(orchestrator)["volumes"]}
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        assert volumes["data"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
        assert env_of(container)["ORCHESTRATOR_DB_PATH"]["value"].startswith(mounts["data"] + "/")


def test_the_ingress_exposes_only_the_webhook_over_https(build: Rendered) -> None:
    """In: the Ingress. Out: TLS for its host, one exact path, the gateway's webhook, to the gateway Service."""
    (ingress,) = build.find("Ingress")
    (rule,) = ingress["spec"]["rules"]
    (tls,) = ingress["spec"]["tls"]
    assert tls["hosts"] == [rule["host"]]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/dimelo/webhook", "Exact")
    assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}


def test_the_postgres_component_lets_the_orchestrator_reach_postgres_only_inside_the_cluster(
    rendered: dict[str, Rendered],
) -> None:
    """In: overlays/production-postgres. Out: the orchestrator's DSN comes from its Secret; its extra egress is
    port 5432 to pods of the cluster, not an ipBlock."""
    build = rendered["overlays/production-postgres"]
    (container,) = pod_spec(deployments(build)["orchestrator"])["containers"]
    dsn = env_of(container)["ORCHESTRATOR_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert dsn == {"name": "orchestrator-database", "key": "url"}
    policy = build.one("NetworkPolicy", "orchestrator-postgres")
    (rule,) = policy["spec"]["egress"]
    assert rule["to"] == [{"namespaceSelector": {}}] and [p["port"] for p in rule["ports"]] == [5432]


def test_metrics_bind_to_the_pods_address(build: Rendered) -> None:
    """In: the gRPC services' containers. Out: METRICS_HOST is the pod's IP (status.podIP), where Prometheus scrapes;
    the default, loopback, would hide the metrics."""
    for name in GRPC_SERVICES:
        [container] = pod_spec(deployments(build)[name])["containers"]
        if name == "ai-service" and build.name == "overlays/custom-ai":
            continue  # another team's image, with its own settings
        assert env_of(container)["METRICS_HOST"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP", name


def test_the_grpc_tls_overlay_turns_mutual_tls_on_everywhere(rendered: dict[str, Rendered]) -> None:
    """In: overlays/grpc-tls. Out: every container reads the Secret grpc-tls, mounted read-only, through
    GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE and GRPC_TLS_CA_FILE, with client certificates required."""
    build = rendered["overlays/grpc-tls"]
    for name, deployment in deployments(build).items():
        spec = pod_spec(deployment)
        [volume] = [v for v in spec["volumes"] if v["name"] == "grpc-tls"]
        assert volume["secret"]["secretName"] == "grpc-tls", name
        [container] = spec["containers"]
        [mount] = [m for m in container["volumeMounts"] if m["name"] == "grpc-tls"]
        assert mount["readOnly"] is True, name
        env = env_of(container)
        files = {env[f"GRPC_TLS_{part}_FILE"]["value"] for part in ("CERT", "KEY", "CA")}
        assert files == {f"{mount['mountPath']}/{file}" for file in ("tls.crt", "tls.key", "ca.crt")}, name
        assert env["GRPC_TLS_CLIENT_AUTH"]["value"] == "true", name


def test_the_custom_ai_overlay_swaps_the_ai_image_and_nothing_else(rendered: dict[str, Rendered]) -> None:
    """In: overlays/custom-ai beside overlays/production. Out: only the ai-service container differs (image, no
    `python -m ai_service` argument, its own settings); probes, port and hardening stay."""
    production, custom = rendered["overlays/production"], rendered["overlays/custom-ai"]
    changed = [o["metadata"]["name"] for o in custom.objects if o not in production.objects]
    assert changed == ["ai-service"]
    (theirs,) = pod_spec(deployments(custom)["ai-service"])["containers"]
    (ours,) = pod_spec(deployments(production)["ai-service"])["containers"]
    assert theirs["image"] != ours["image"] and "args" not in theirs
    for field in ("livenessProbe", "readinessProbe", "ports", "securityContext", "resources"):
        assert theirs[field] == ours[field], field
