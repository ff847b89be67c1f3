"""A protoc plugin for buf (`local` in buf.gen.yaml): grpcio-tools' gRPC Python generator, which ships only inside
its protoc, run on the request buf sends, so `buf generate` needs no download."""

import pathlib
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def main() -> int:
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    with tempfile.TemporaryDirectory() as work:
        descriptors, out = pathlib.Path(work, "descriptors.binpb"), pathlib.Path(work, "out")
        descriptors.write_bytes(descriptor_pb2.FileDescriptorSet(file=request.proto_file).SerializeToString())
        out.mkdir()
        option = f"{request.parameter}:" if request.parameter else ""
        args = ["protoc", f"--descriptor_set_in={descriptors}", f"--grpc_python_out={option}{out}"]
        if protoc.main([*args, *request.file_to_generate]):
            response.error = "grpc_tools.protoc failed (its message is on stderr)"
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            response.file.add(name=str(path.relative_to(out)), content=path.read_text())
    sys.stdout.buffer.write(response.SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
