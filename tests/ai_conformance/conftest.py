"""Our two AI services on loopback ports: the reference ai_service and the minimal example."""

from collections.abc import AsyncIterator

import pytest

from tests.ai_servers import serving_ai_service, serving_example_ai


@pytest.fixture
async def ai_service_address() -> AsyncIterator[str]:
    async with serving_ai_service() as address:
        yield address


@pytest.fixture
async def minimal_ai_address() -> AsyncIterator[str]:
    async with serving_example_ai() as address:
        yield address
