"""The protos are the contract other teams build against: lint clean, and no breaking change to a released v1."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# buf from the build lock (buf-bin), beside the Python running the tests: the one `buf generate` runs too.
BUF = Path(sys.executable).parent / "buf"
# The released contract: rebuild it (`buf build -o tests/contracts/baseline.binpb`) only when a change is
# deliberately published; `buf breaking` compares every later version with it.
BASELINE = Path(__file__).with_name("baseline.binpb")


def buf(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BUF), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_protos_pass_buf_lint_standard():
    result = buf("lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_protos_have_no_breaking_change_against_the_released_baseline():
    result = buf("breaking", "--against", str(BASELINE))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def module_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "protos", tmp_path / "protos")
    shutil.copy(ROOT / "buf.yaml", tmp_path / "buf.yaml")
    return tmp_path


def test_buf_breaking_fails_when_a_field_is_removed(module_copy: Path):
    proto = module_copy / "protos" / "botbridge" / "ai" / "v1" / "ai.proto"
    text = proto.read_text()
    removed = "  bool conversation_finished = 2;\n"
    assert removed in text
    proto.write_text(text.replace(removed, ""))

    result = buf("breaking", "--against", str(BASELINE), cwd=module_copy)

    assert result.returncode != 0
    assert "conversation_finished" in result.stdout + result.stderr
