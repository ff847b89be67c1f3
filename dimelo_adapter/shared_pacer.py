"""The call budget shared by every adapter replica: one PostgreSQL row per account, moved in one statement.

The row holds the budget's "theoretical arrival time" (GCRA, see budget.py) on the database's clock, so the
replicas' clocks never matter. Only the account's API URL and a time are stored; no token leaves the adapter. When
the database cannot be reached, the replica paces itself alone (LocalPacer) and tries again a few seconds later.
"""

import logging
import time

import psycopg

from dimelo_adapter.budget import LocalPacer, Pace

log = logging.getLogger(__name__)

RECONNECT_AFTER_SECONDS = 5.0
_CONNECT_TIMEOUT_SECONDS = 3
_NOW = "extract(epoch FROM clock_timestamp())::float8"
_CREATE = """
CREATE TABLE IF NOT EXISTS dimelo_call_budget (
    account text PRIMARY KEY,  -- the account's API URL
    arrival double precision NOT NULL  -- when the next call is due at the budget's pace, in Unix time
)
"""
_ADD_ACCOUNT = "INSERT INTO dimelo_call_budget (account, arrival) VALUES (%s, 0) ON CONFLICT DO NOTHING"
_RESERVE = f"""
UPDATE dimelo_call_budget SET arrival = GREATEST(arrival, {_NOW}) + %(interval)s
WHERE account = %(account)s
RETURNING arrival - %(interval)s - %(tolerance)s - {_NOW}
"""


class SharedPacer:
    """Slots of the account's budget, reserved in PostgreSQL (the URL is a secret: never logged nor raised)."""

    def __init__(self, database_url: str, account: str, pace: Pace) -> None:
        self._url = database_url
        self._account = account
        self._pace = pace
        self._alone = LocalPacer(pace)
        self._connection: psycopg.AsyncConnection | None = None
        self._retry_at = 0.0

    async def reserve(self) -> float:
        if time.monotonic() >= self._retry_at:
            try:
                return await self._reserve_shared()
            except psycopg.Error as error:
                await self._drop_connection()
                self._retry_at = time.monotonic() + RECONNECT_AFTER_SECONDS
                log.warning(
                    "the shared Dimelo call budget is out of reach: pacing this replica alone for a while",
                    extra={"error": type(error).__name__, "retry_in_seconds": RECONNECT_AFTER_SECONDS},
                )
        return await self._alone.reserve()

    async def _reserve_shared(self) -> float:
        if self._connection is None or self._connection.closed:
            self._connection = await self._connect()
        cursor = await self._connection.execute(
            _RESERVE,
            {"interval": self._pace.interval, "tolerance": self._pace.tolerance, "account": self._account},
        )
        row = await cursor.fetchone()
        if row is None:  # the row was deleted meanwhile: put it back
            await self._connection.execute(_ADD_ACCOUNT, (self._account,))
            return 0.0
        return max(0.0, float(row[0]))

    async def _connect(self) -> psycopg.AsyncConnection:
        connection = await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_SECONDS
        )
        async with connection.transaction():  # replicas starting together create the table once
            await connection.execute("SELECT pg_advisory_xact_lock(hashtext('dimelo_call_budget'))")
            await connection.execute(_CREATE)
            await connection.execute(_ADD_ACCOUNT, (self._account,))
        return connection

    async def _drop_connection(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def aclose(self) -> None:
        await self._drop_connection()
