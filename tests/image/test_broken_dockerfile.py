"""`make image-test` fails on a broken image. In: a variant of the Dockerfile that leaves one service's package
out of the image (it still builds: nothing imports it at build time), built from the cached layers by the same
tools/image_build.sh, then the start-up tests run against it as `make image-test` runs them. Out: they fail, and
the failure names the missing module."""

import os
import subprocess
import sys

import pytest

from .docker import REPO, docker

pytestmark = pytest.mark.image

BROKEN_TAG = "botbridge-broken:image-test"
LEFT_OUT = "COPY ai_service/ /app/ai_service/\n"


def test_an_image_missing_a_module_fails_the_image_tests(tmp_path) -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert LEFT_OUT in dockerfile, "the line this test removes is gone: choose another module to leave out"
    broken = tmp_path / "Dockerfile.broken"
    broken.write_text(dockerfile.replace(LEFT_OUT, ""))
    build = subprocess.run(
        ["bash", "tools/image_build.sh", "service", BROKEN_TAG],
        cwd=REPO,
        env={**os.environ, "DOCKERFILE": str(broken)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, f"the broken variant should still build:\n{build.stderr}"
    try:
        tests = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                "image",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/image/test_start_up.py",
            ],
            cwd=REPO,
            env={**os.environ, "BOTBRIDGE_IMAGE": BROKEN_TAG},
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        docker("rmi", "--force", BROKEN_TAG, check=False)
    assert tests.returncode == 1, tests.stdout[-3000:]
    assert "No module named ai_service" in tests.stdout, tests.stdout[-3000:]
