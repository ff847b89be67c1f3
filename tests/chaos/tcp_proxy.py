"""A TCP proxy to put between a service and its database, so a test can cut the network by killing it:
`python -m tests.chaos.tcp_proxy LISTEN_PORT TARGET_HOST TARGET_PORT` (port 0: any free one; prints "ready PORT"
once listening)."""

import asyncio
import contextlib
import subprocess
import sys
import time


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _serve(listen_port: int, host: str, port: int) -> None:
    async def connect(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))

    server = await asyncio.start_server(connect, "127.0.0.1", listen_port, reuse_address=True)
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


class Proxy:
    """The proxy as a child process: start() it (on a free port, the same one when started again), kill() it
    (SIGKILL: every connection through it breaks)."""

    def __init__(self, host: str, port: int) -> None:
        self.listen_port, self._target = 0, (host, str(port))
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.chaos.tcp_proxy", str(self.listen_port), *self._target],
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 10
        while not (line := self._process.stdout.readline()).startswith("ready "):
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError("the TCP proxy did not start")
        self.listen_port = int(line.split()[1])

    def kill(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
