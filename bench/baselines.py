"""The acknowledgement baselines, each run as its own process like the gateway:

- `bare`: a FastAPI endpoint that parses the delivery's JSON and answers 200;
- `grpc`: the same plus one grpc.aio unary call carrying the body to `echo`;
- `echo`: a grpc.aio server whose one method answers at once.

`python -m bench.baselines {bare|grpc|echo} --port N [--echo-addr HOST:PORT]`. Served by uvicorn exactly as
`python -m gateway` serves the gateway (uvloop, httptools, no access log); the echo on uvloop too, as the
orchestrator.
"""

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
import uvicorn
import uvloop
from fastapi import FastAPI, Request, Response

from service_kit.grpc_server import wait_for_termination_signal

ECHO_METHOD = "/bench.Echo/Call"
PATH = "/dimelo/webhook"


def bare_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.post(PATH)
    async def receive(request: Request) -> Response:
        json.loads(await request.body())
        return Response(status_code=200)

    return app


def grpc_app(echo_addr: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with grpc.aio.insecure_channel(echo_addr) as channel:
            app.state.call = channel.unary_unary(ECHO_METHOD)
            yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.post(PATH)
    async def receive(request: Request) -> Response:
        body = await request.body()
        json.loads(body)
        await request.app.state.call(body, timeout=5)
        return Response(status_code=200)

    return app


async def serve_echo(port: int) -> None:
    async def call(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return b""

    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Call": grpc.unary_unary_rpc_method_handler(call)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await wait_for_termination_signal()
    await server.stop(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["bare", "grpc", "echo"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--echo-addr", help="the echo server, for `grpc`")
    args = parser.parse_args()
    if args.kind == "echo":
        uvloop.run(serve_echo(args.port))
        return
    app = bare_app() if args.kind == "bare" else grpc_app(args.echo_addr)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
