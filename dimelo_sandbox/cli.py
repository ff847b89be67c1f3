"""Command-line flags for `python -m dimelo_sandbox`; each flag overrides its SANDBOX_* environment variable."""

import argparse
from collections.abc import Sequence

from pydantic import ValidationError

from dimelo_sandbox.config import PERMISSIONS, SandboxConfig

_DESCRIPTION = """\
A local Dimelo Digital: the REST API under /1.0, webhook delivery to your endpoint,
and a control API under /_sandbox to drive it (see docs/sandbox.md).
Once it accepts connections it prints one line on stdout: SANDBOX_READY http://HOST:PORT"""

_EPILOG = f"""\
Permissions: {", ".join(sorted(PERMISSIONS))}, or "all"; join several with "+",
e.g. --token demo-token:read+reply. A token without ":PERMS" has all of them.
The first token belongs to the bot user; each further token to an API user of its own.
Time scale multiplies every sandbox wait (webhook retries, the rate-limit minute, the
failure window that disables the endpoint): 0.001 makes a retry schedule of hours last seconds."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dimelo_sandbox",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    add = parser.add_argument
    add("--host", help="listen address (SANDBOX_HOST, default 127.0.0.1)")
    add("--port", type=int, help="listen port, 0 for any free one (SANDBOX_PORT, default 8700)")
    add(
        "--token",
        dest="token_list",
        action="append",
        metavar="TOKEN[:PERMS]",
        help="an access token and its permissions; repeat for several "
        "(SANDBOX_TOKENS, comma-separated; default sandbox-bot-token with all permissions)",
    )
    add("--webhook-url", help="endpoint to deliver webhook events to; handshake at start-up (SANDBOX_WEBHOOK_URL)")
    add(
        "--webhook-events",
        help="comma-separated event types the start-up subscription registers "
        "(SANDBOX_WEBHOOK_EVENTS, default every type)",
    )
    add("--verify-token", help="hub.verify_token sent in the handshake (SANDBOX_VERIFY_TOKEN)")
    add("--webhook-secret", help="sent as X-Dimelo-Secret on every webhook request (SANDBOX_WEBHOOK_SECRET)")
    add("--time-scale", type=float, help="multiplier for sandbox waits (SANDBOX_TIME_SCALE, default 1.0)")
    add("--rate-limit", type=int, help="REST requests per minute, 0 for no limit (SANDBOX_RATE_LIMIT, default 500)")
    add("--seed", type=int, help="seed for ids and random faults, for repeatable runs (SANDBOX_SEED)")
    add(
        "--job-seconds",
        type=float,
        help="how long asynchronous jobs run: thread close, categorization, intervention close, "
        "export of API contents (SANDBOX_JOB_SECONDS, default 0.5)",
    )
    add(
        "--delivery-timeout",
        type=float,
        help="seconds to wait for the webhook endpoint (SANDBOX_DELIVERY_TIMEOUT, default 10)",
    )
    add("--log-level", help="SANDBOX_LOG_LEVEL, default INFO")
    add(
        "--record-path",
        help="append every REST exchange and webhook delivery to this file as JSON lines, for checking them "
        "against the API reference (SANDBOX_RECORD_PATH)",
    )
    return parser


def parse_command_line(argv: Sequence[str] | None = None) -> SandboxConfig:
    """Reads the environment, then the flags over it; exits with a usage message on a bad value."""
    parser = _parser()
    overrides = vars(parser.parse_args(argv))
    if "token_list" in overrides:
        overrides["tokens"] = ",".join(overrides.pop("token_list"))
    try:
        return SandboxConfig(**overrides)
    except ValidationError as error:
        # Without the input values, which may be tokens or secrets.
        parser.error("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
