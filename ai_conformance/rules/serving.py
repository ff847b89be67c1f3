"""Rules on what any botbridge gRPC service serves beside its own: health and reflection."""

from collections.abc import Iterable

import grpc
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2

from ai_conformance.probe import SERVICE, Probe
from ai_conformance.verdict import Finding, Status, judge
from service_kit.health_client import health_stub

_SERVING = health_pb2.HealthCheckResponse.SERVING
_RESPOND = SERVICE.methods_by_name["Respond"]
_SIGNATURE = (f".{_RESPOND.input_type.full_name}", f".{_RESPOND.output_type.full_name}")


async def health(probe: Probe) -> Finding:
    """MUST serve grpc.health.v1 and answer SERVING for "" (the server) and for botbridge.ai.v1.AiService."""
    stub = health_stub(probe.channel)
    broken = []
    for service in ("", SERVICE.full_name):
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=probe.deadline)
        except grpc.aio.AioRpcError as error:
            broken.append(f"Check({service!r}) failed with {error.code().name}")
            continue
        if reply.status != _SERVING:
            broken.append(f"Check({service!r}) says {_status_name(reply.status)}, not SERVING")
    return judge(broken, [], f"SERVING for '' and {SERVICE.full_name!r}")


def _status_name(status: int) -> str:
    try:
        return health_pb2.HealthCheckResponse.ServingStatus.Name(status)
    except ValueError:
        return f"undefined status {status}"


async def reflection(probe: Probe) -> Finding:
    """MUST serve gRPC reflection (v1alpha) listing botbridge.ai.v1.AiService with Respond as the proto declares it."""
    # What grpc_reflection's stub calls (its published types take a blocking channel and leave the call untyped).
    info = probe.channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    asked = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE.full_name),
    ]
    try:
        replies = [reply async for reply in info(iter(asked), timeout=probe.deadline)]
    except grpc.aio.AioRpcError as error:
        return Finding(Status.FAIL, f"reflection failed with {error.code().name} ({error.details()})")
    if len(replies) != len(asked):
        return Finding(Status.FAIL, f"reflection answered {len(replies)} of {len(asked)} requests")
    listed = [service.name for service in replies[0].list_services_response.service]
    if SERVICE.full_name not in listed:
        return Finding(Status.FAIL, f"reflection lists {listed}, without {SERVICE.full_name}")
    if replies[1].HasField("error_response"):
        return Finding(Status.FAIL, f"no descriptor for {SERVICE.full_name}: {replies[1].error_response.error_message}")
    signature = _respond_signature(replies[1].file_descriptor_response.file_descriptor_proto)
    if signature != _SIGNATURE:
        expected = "Respond({}) returns ({})".format(*_SIGNATURE)
        return Finding(Status.FAIL, f"the served descriptor does not declare {expected}; it has {signature}")
    return Finding(Status.PASS, f"lists {SERVICE.full_name}; Respond({_SIGNATURE[0]}) returns ({_SIGNATURE[1]})")


def _respond_signature(files: Iterable[bytes]) -> tuple[str, str] | None:
    """Respond's (input, output) types in the served file that declares the service; None if none does."""
    for serialized in files:
        file = descriptor_pb2.FileDescriptorProto.FromString(serialized)
        if file.package != SERVICE.file.package:
            continue
        methods = [method for service in file.service if service.name == SERVICE.name for method in service.method]
        for method in methods:
            if method.name == _RESPOND.name:
                return method.input_type, method.output_type
    return None
