"""The benchmarks' load generator: HTTP/1.1 answers parsed right, connections reused,
failures counted as errors, and the open loop keeps its rate while the server stalls."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from benchmarks.loadgen import Answer, HttpError, RawClient, Run, Tally, open_loop, run_load

Handler = Callable[[bytes], bytes | None]
T = TypeVar("T")


async def _serve(handler: Handler, run: Callable[[str], Awaitable[T]]) -> tuple[T, int]:
    """A tiny HTTP server on loopback answering each request with handler(request head)."""
    connections = 0

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                await reader.readexactly(length)
                answer = handler(head)
                if answer is None:
                    writer.close()
                    return
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        result = await run(f"http://127.0.0.1:{port}")
    return result, connections


def _ok(body: bytes = b'{"ok": true}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def test_answers_are_parsed_and_one_connection_is_reused() -> None:
    async def run(base: str) -> list[Answer]:
        client = RawClient(base)
        answers = [await client.get("/x") for _ in range(5)]
        answers.append(await client.post("/y", json={"a": 1}))
        client.close()
        return answers

    answers, connections = asyncio.run(_serve(lambda head: _ok(), run))
    assert [a.status_code for a in answers] == [200] * 6
    assert answers[0].json() == {"ok": True}
    assert connections == 1


def test_chunked_bodies_and_connection_close() -> None:
    chunked = (
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    closing = _ok(b"bye", b"Connection: close\r\n")
    replies = iter([chunked, closing, _ok()])

    async def run(base: str) -> list[Answer]:
        client = RawClient(base)
        answers = [await client.get("/") for _ in range(3)]
        client.close()
        return answers

    answers, connections = asyncio.run(_serve(lambda head: next(replies), run))
    assert [(a.status_code, a.content) for a in answers] == [
        (201, b"abcde"),
        (200, b"bye"),
        (200, b'{"ok": true}'),
    ]
    assert connections == 2  # the server's "Connection: close" was honoured


def test_a_dropped_connection_is_an_error() -> None:
    async def run(base: str) -> None:
        client = RawClient(base, timeout=2.0)
        await client.get("/")

    with pytest.raises(HttpError):
        asyncio.run(_serve(lambda head: None, run))


def test_a_keep_alive_connection_closed_by_the_server_is_retried_once_on_a_new_one() -> None:
    replies = iter([_ok(), None, _ok(b"again")])

    async def run(base: str) -> list[Answer]:
        client = RawClient(base)
        answers = [await client.get("/"), await client.get("/")]
        client.close()
        return answers

    answers, connections = asyncio.run(_serve(lambda head: next(replies), run))
    assert [a.content for a in answers] == [b'{"ok": true}', b"again"]
    assert connections == 2


def test_errors_and_latencies_are_tallied_apart() -> None:
    tally = Tally()
    for status, ms in ((200, 5.0), (409, 7.0), (503, 1.0), (0, 1.0), (200, 9.0)):
        tally.record(status, ms)
    summary = tally.summary()
    assert summary["errors"] == 2 and summary["count"] == 3
    assert summary["p50_ms"] == 7.0 and summary["max_ms"] == 9.0
    assert tally.statuses == {200: 2, 409: 1, 503: 1, 0: 1}


def test_a_stall_counts_in_the_latency_of_every_request_due_during_it() -> None:
    # The 10th request stalls the (shared) event loop for 300 ms. Latency counts from each
    # request's due time, so the ~30 requests due during the stall show it too; measured
    # from the moment they were sent, they would look fast ("coordinated omission").
    seen = 0

    def handler(head: bytes) -> bytes:
        nonlocal seen
        seen += 1
        if seen == 10:
            time.sleep(0.3)
        return _ok()

    async def run(base: str) -> Run:
        return await open_loop(base, [("get", 1.0, lambda c: c.get("/"))], 100.0, 1.0, 1)

    result, _ = asyncio.run(_serve(handler, run))
    tally = result.tallies["get"]
    assert tally.errors == 0 and len(tally.latencies) == 100
    assert sum(ms > 100.0 for ms in tally.latencies) >= 20
    assert result.max_send_lag_ms >= 250.0


@pytest.mark.usefixtures("thawed_heap")
def test_the_generators_heap_is_frozen_for_the_run_and_thawed_after() -> None:
    # A full collection over the harness's heap stalled the generator for 100+ ms in a
    # benchmark; frozen objects are not scanned. The freeze must not outlive the run.
    frozen_during: list[int] = []

    async def request(_: RawClient) -> Answer:
        frozen_during.append(gc.get_freeze_count())
        return Answer(200, b"{}")

    run = run_load("http://127.0.0.1:9", [("x", 1.0, request)], rate=200.0, seconds=0.05)
    assert run.tallies["x"].statuses == {200: 10}
    assert frozen_during and min(frozen_during) > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("thawed_heap")
def test_a_heap_frozen_before_the_run_stays_frozen() -> None:
    gc.freeze()
    before = gc.get_freeze_count()
    run_load("http://127.0.0.1:9", [("x", 1.0, _answer_ok)], rate=200.0, seconds=0.02)
    assert gc.get_freeze_count() >= before > 0


async def _answer_ok(_: RawClient) -> Answer:
    return Answer(200, b"{}")
