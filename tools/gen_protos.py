"""Generate the Python gRPC stubs (with .pyi types) from protos/ into gen/python in the image's build stage, which has
no buf; everywhere else `buf generate` (buf.gen.yaml) makes the same stubs."""

import pathlib
import shutil
import sys

import grpc_tools
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "gen" / "python"


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    sources = sorted(str(p.relative_to(PROTOS)) for p in PROTOS.rglob("*.proto"))
    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    code = protoc.main(
        [
            "protoc",
            f"-I{PROTOS}",
            f"-I{well_known}",
            f"--python_out={OUT}",
            f"--pyi_out={OUT}",
            f"--grpc_python_out={OUT}",
            *sources,
        ]
    )
    if code:
        return code
    for folder in [OUT, *(p for p in OUT.rglob("*") if p.is_dir())]:
        if folder != OUT:
            (folder / "__init__.py").touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
