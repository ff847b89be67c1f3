"""The image tests (`make image-test`: builds, then runs `pytest -m image tests/image`; `make test` leaves them
out). They need the engine and the images `make image` made; the figures they measure are printed at the end."""

import pytest

from .docker import IMAGE, REPORT, SANDBOX_IMAGE, docker


@pytest.fixture(scope="session", autouse=True)
def images_built() -> None:
    """Fails at once, saying how to build them, when the engine or an image under test is missing."""
    for image in (IMAGE, SANDBOX_IMAGE):
        found = docker("image", "inspect", image, check=False)
        if found.returncode != 0:
            pytest.fail(f"{image}: {found.stderr.strip()}; build it with `make image` (`make image-test` does)")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.write_sep("-", "botbridge image: measured")
        for line in REPORT:
            terminalreporter.write_line(line)
