"""An open-loop HTTP/1.1 load generator light enough to share two cores with the service.

httpx spent more CPU per request than the service under test once thousands of requests
queued, so the generator, not the service, set the latency. This one writes requests as
bytes on a pool of keep-alive connections (asyncio streams) and parses only the status
line, the headers it needs and the body.

Open loop: request i is due at i / rate whatever happened before, and its latency counts
from that due time (as wrk2 does), so a stalled service cannot slow the generator down
and hide its own queueing ("coordinated omission").
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected.

    `closed`: the server had closed the connection before answering anything.
    """

    def __init__(self, reason: str, *, closed: bool = False) -> None:
        super().__init__(reason)
        self.closed = closed


@dataclass(frozen=True)
class Answer:
    """Status and body of one response."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.content)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> tuple[Answer, bool]:
        """Send one request; the answer and whether the connection may be reused."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError("no HTTP/1.x status line")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        keep = headers.get("connection", "").lower() != "close"
        return Answer(int(parts[1]), body), keep

    async def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(chunks)
            chunks.append(chunk[:-2])

    def close(self) -> None:
        self.writer.close()


class RawClient:
    """Keep-alive connections to one host; at most `limit` open at once."""

    def __init__(self, base_url: str, *, limit: int = 256, timeout: float = 10.0) -> None:
        url = urlsplit(base_url)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 80
        self.timeout = timeout
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(limit)
        self.opened = 0

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object = None,
    ) -> Answer:
        """One request; raises HttpError when the connection fails or times out."""
        body = b"" if json_body is None else json.dumps(json_body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if json_body is not None:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(body)}")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        async with self._slots:
            if self._idle:
                conn = self._idle.pop()
                try:
                    return await self._exchange(conn, payload)
                except HttpError as error:
                    # The server may close a keep-alive connection that sat idle (uvicorn:
                    # after 5 s) just as it is reused; like any HTTP client, try once more
                    # on a fresh connection. Anything else (a timeout) is not retried.
                    if not error.closed:
                        raise
            try:
                conn = await asyncio.wait_for(self._open(), self.timeout)
            except (OSError, TimeoutError) as exc:
                raise HttpError(type(exc).__name__) from exc
            return await self._exchange(conn, payload)

    async def _exchange(self, conn: _Connection, payload: bytes) -> Answer:
        try:
            answer, keep = await asyncio.wait_for(conn.exchange(payload), self.timeout)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as exc:
            conn.close()
            closed = isinstance(exc, ConnectionResetError | BrokenPipeError) or (
                isinstance(exc, asyncio.IncompleteReadError) and not exc.partial
            )
            raise HttpError(type(exc).__name__, closed=closed) from exc
        if keep:
            self._idle.append(conn)
        else:
            conn.close()
        return answer

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        return _Connection(reader, writer)

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> Awaitable[Answer]:
        """GET path."""
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, *, headers: dict[str, str] | None = None, json: object = None
    ) -> Awaitable[Answer]:
        """POST path with an optional JSON body."""
        return self.request("POST", path, headers=headers, json_body=json)

    def close(self) -> None:
        """Close the idle connections."""
        for conn in self._idle:
            conn.close()
        self._idle.clear()


Request = Callable[[RawClient], Awaitable[Answer]]


@dataclass
class Tally:
    """Latencies (ms) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def record(self, status: int, elapsed_ms: float) -> None:
        """Count one answer; 0 stands for a failed connection."""
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 0 or status >= 500:
            self.errors += 1
        else:
            self.latencies.append(elapsed_ms)

    def percentile(self, q: float) -> float:
        """The q-quantile of the latencies in ms (the median for q=0.5); inf without any."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("inf")
        if q == 0.5:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict[str, object]:
        """Count, errors, answers per status (0: no answer), p50 and p99 in milliseconds."""
        ordered = sorted(self.latencies)
        statuses = {str(k): v for k, v in sorted(self.statuses.items())}
        if not ordered:
            return {"count": 0, "errors": self.errors, "statuses": statuses}
        return {
            "count": len(ordered),
            "errors": self.errors,
            "statuses": statuses,
            "p50_ms": round(self.percentile(0.5), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "max_ms": round(ordered[-1], 2),
        }


@dataclass
class Run:
    """The tallies per kind, and how late the generator itself was in sending."""

    tallies: dict[str, Tally]
    max_send_lag_ms: float
    connections: int


async def open_loop(
    base: str, mix: Sequence[tuple[str, float, Request]], rate: float, seconds: float, seed: int
) -> Run:
    """Send `rate` requests a second for `seconds`, picking kinds by weight."""
    rng = random.Random(seed)
    names = [name for name, _, _ in mix]
    weights = [weight for _, weight, _ in mix]
    by_name = {name: request for name, _, request in mix}
    tallies = {name: Tally() for name in names}
    client = RawClient(base)
    lag = 0.0

    async def one(name: str, due: float) -> None:
        try:
            status = (await by_name[name](client)).status_code
        except HttpError:
            status = 0
        tallies[name].record(status, (time.perf_counter() - due) * 1000)

    tasks = []
    begin = time.perf_counter()
    for i in range(int(rate * seconds)):
        due = begin + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lag = max(lag, -delay)
        tasks.append(asyncio.create_task(one(rng.choices(names, weights)[0], due)))
    await asyncio.gather(*tasks)
    client.close()
    return Run(tallies, round(lag * 1000, 2), client.opened)


def run_load(
    base: str,
    mix: Sequence[tuple[str, float, Request]],
    *,
    rate: float,
    seconds: float,
    seed: int = 1,
) -> Run:
    """`open_loop` from synchronous code.

    The generator's heap (the harness imported and seeded the whole service) is frozen
    for the run: a full garbage collection over it stalled the generator for 100+ ms, and
    every request due meanwhile was then counted as late, a stall of the instrument and
    not of the service. A heap that was frozen before stays frozen.
    """
    thawed = gc.get_freeze_count() == 0
    gc.collect()
    gc.freeze()
    try:
        return asyncio.run(open_loop(base, mix, rate, seconds, seed))
    finally:
        if thawed:
            gc.unfreeze()
