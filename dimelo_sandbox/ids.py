"""Identifiers and times shaped like Dimelo's: 24-hex object ids, UUIDs, RFC 3339 timestamps."""

import random
import time
import uuid
from datetime import UTC, datetime


class IdFactory:
    """Makes ids from one random generator, so a seed gives the same ids run after run."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def object_id(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def token(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"


def iso_seconds(timestamp: float) -> str:
    """ "2012-05-24T04:00:44Z", the REST API's format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def iso_millis(timestamp: float) -> str:
    """ "2017-06-25T22:00:41.339Z", the webhook's `issued_at` format."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def day(timestamp: float) -> str:
    """ "2017-06-26", the webhook metadata's `date`."""
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))
