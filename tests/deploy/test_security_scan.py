"""The static security scan (checkov) of the Dockerfile and of every rendered kustomization passes, with only the
skips deploy/checkov.yaml lists and justifies. Checkov is slow to start: it runs once for the whole module."""

import json
import re
import shutil

import pytest
import yaml

from .tooling import DEPLOY, REPO, Rendered, deploy_tool, run

CONFIG = DEPLOY / "checkov.yaml"


@pytest.fixture(scope="module")
def scan(rendered: dict[str, Rendered], tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Checkov's JSON report, one entry per framework, for a folder holding the Dockerfile and the renderings."""
    folder = tmp_path_factory.mktemp("scan")
    shutil.copy(REPO / "Dockerfile", folder / "Dockerfile")
    for build in rendered.values():
        shutil.copy(build.path, folder / build.path.name)
    result = run(
        [
            deploy_tool("checkov"),
            "--config-file",
            str(CONFIG),
            "--directory",
            str(folder),
            "--output",
            "json",
            "--compact",
        ]
    )
    assert result.returncode in (0, 1), f"checkov could not run:\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    return report if isinstance(report, list) else [report]


def test_the_scan_covers_the_dockerfile_and_every_rendering(scan: list[dict], rendered: dict[str, Rendered]) -> None:
    """In: the scan's summary. Out: both frameworks ran, nothing failed to parse, every rendering was scanned."""
    by_type = {report["check_type"]: report for report in scan}
    assert set(by_type) == {"dockerfile", "kubernetes"}
    assert all(report["summary"]["parsing_errors"] == 0 for report in scan)
    scanned = {check["file_path"].lstrip("/") for check in by_type["kubernetes"]["results"]["passed_checks"]}
    assert scanned == {build.path.name for build in rendered.values()}


def test_no_check_fails(scan: list[dict]) -> None:
    """In: the scan. Out: no failed check; a failure is listed with its resource and file."""
    failed = [
        f"{check['check_id']} {check['check_name']}: {check['resource']} in {check['file_path']}"
        for report in scan
        for check in report["results"]["failed_checks"]
    ]
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)


def test_every_skipped_check_is_justified() -> None:
    """In: deploy/checkov.yaml. Out: each skipped check id has a comment just above it saying why."""
    skipped = yaml.safe_load(CONFIG.read_text())["skip-check"]
    lines = CONFIG.read_text().splitlines()
    for check_id in skipped:
        (index,) = [i for i, line in enumerate(lines) if re.fullmatch(rf"\s*-\s*{check_id}\s*", line)]
        assert lines[index - 1].strip().startswith("#"), f"{check_id} is skipped without a comment saying why"
