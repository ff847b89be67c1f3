"""One running sandbox: the world, the webhook deliverer, faults, limits, jobs and logs, on one event loop."""

import logging
import random
import time
from collections.abc import Callable
from typing import Any

from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.default_world import build_default_world
from dimelo_sandbox.faults import Faults
from dimelo_sandbox.ids import IdFactory
from dimelo_sandbox.jobs import Jobs
from dimelo_sandbox.ratelimit import RateLimiter
from dimelo_sandbox.recorder import Recorder
from dimelo_sandbox.stats import Stats
from dimelo_sandbox.tunables import Tunables
from dimelo_sandbox.webhook import WebhookDeliverer
from dimelo_sandbox.world import World

log = logging.getLogger(__name__)


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.ids = IdFactory(self.rng)
        self.tunables = Tunables.from_config(config)
        self.stats = Stats()
        self.faults = Faults(self.rng)
        self.limiter = RateLimiter(self.tunables)
        self.jobs = Jobs()
        self.recorder = Recorder(config.record_path)
        self.world = self._new_world()
        self.webhook = WebhookDeliverer(
            self.tunables, self.ids, self.rng, self.stats, lambda: self.world.domain_id, self.recorder
        )

    def _new_world(self) -> World:
        return build_default_world(self.ids, time.time, self.config.token_specs())

    def publish(self, event: dict[str, Any]) -> None:
        self.webhook.publish(event)

    def after_job(self, job: Callable[[], None]) -> None:
        """Runs `job` once an asynchronous Dimelo job of the configured duration is over."""
        self.jobs.after(self.tunables.job_seconds, job)

    async def start(self) -> None:
        """Starts the deliverer, and handshakes with the endpoint given at start, if any."""
        await self.webhook.start()
        config = self.config
        if config.webhook_url:
            secret = config.webhook_secret.get_secret_value() if config.webhook_secret else None
            verify_token = config.verify_token.get_secret_value()
            await self.webhook.configure(config.webhook_url, verify_token, secret, config.registered_events())

    async def stop(self) -> None:
        self.jobs.cancel_all()
        await self.webhook.stop()

    def reset(self, keep_webhook: bool = True) -> None:
        """Back to the default world (same domain id), start-up settings, no faults, empty logs."""
        self.jobs.cancel_all()
        self.webhook.drop_pending()
        domain_id = self.world.domain_id
        self.world = self._new_world()
        self.world.domain_id = domain_id
        self.tunables.update(Tunables.from_config(self.config).as_dict())
        self.faults.clear()
        self.limiter.clear()
        self.stats.clear()
        if not keep_webhook:
            self.webhook.remove()
        log.info("sandbox reset to the default world")
