"""Redis backend of the live view: counts in hashes, holds in sorted sets, Lua for atomicity.

Keys (all under one prefix, so several deployments or test runs can share a Redis):
  {p}u:{unit}   hash  cap, occ, ver      the mirrored ledger state
  {p}h:{unit}   zset  hold id -> expiry in ms; the key's own TTL ends with the last hold
  {p}units      set   unit ids the view knows (to forget them on rebuild)
  {p}gen        string present while the view is complete; a flush removes it
  {p}changes    pub/sub channel of change events
Expiry is by score: a hold counts while its expiry lies after the caller's `now`, so the
view agrees with the ledger's predicate even under a test clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from uuid import uuid4

import redis
from redis.backoff import NoBackoff
from redis.client import PubSub
from redis.commands.core import Script
from redis.exceptions import NoScriptError
from redis.retry import Retry

from capacity.live import LiveCounts, LiveViewUnavailable, Subscription
from capacity.state import ChangeEvent, UnitState
from domain.vocabulary import HoldOutcome

T = TypeVar("T")
log = logging.getLogger("servicepunt.capacity")

# Store a state unless the stored version is at least as new; replace the hold set.
_APPLY = """
local cur = redis.call('HGET', KEYS[1], 'ver')
if cur and tonumber(cur) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'ver', ARGV[2], 'cap', ARGV[3], 'occ', ARGV[4])
redis.call('DEL', KEYS[2])
local now = tonumber(ARGV[5])
local last = 0
for i = 6, #ARGV, 2 do
  local exp = tonumber(ARGV[i + 1])
  if exp > now then
    redis.call('ZADD', KEYS[2], exp, ARGV[i])
    if exp > last then last = exp end
  end
end
if last > 0 then redis.call('PEXPIRE', KEYS[2], last - now) end
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""

# Drop expired holds, then add this one only if a place is free: one step, no interleaving.
_TRY_HOLD = """
local h = redis.call('HMGET', KEYS[1], 'cap', 'occ')
if not h[1] then return -1 end
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 1 end
if tonumber(h[1]) - tonumber(h[2]) - redis.call('ZCARD', KEYS[2]) <= 0 then return 0 end
local exp = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], exp, ARGV[1])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < exp - now then redis.call('PEXPIRE', KEYS[2], exp - now) end
return 1
"""

# cap, occ, ver and the holds active at now; nil when the unit is unknown.
_COUNTS = """
local h = redis.call('HMGET', KEYS[1], 'cap', 'occ', 'ver')
if not h[1] then return nil end
return {h[1], h[2], h[3], redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf')}
"""

_OUTCOME = {1: HoldOutcome.OK, 0: HoldOutcome.FULL, -1: HoldOutcome.UNKNOWN_UNIT}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class _RedisSubscription:
    def __init__(self, pubsub: PubSub) -> None:
        self._pubsub = pubsub

    def get(self, timeout: float = 0.0) -> ChangeEvent | None:
        try:
            message = self._pubsub.get_message(timeout=timeout)
        except redis.RedisError as exc:
            raise LiveViewUnavailable(type(exc).__name__) from None
        if message is None or message.get("type") != "message":
            return None
        try:
            return ChangeEvent.from_json(message["data"])
        except (ValueError, KeyError, TypeError):
            # A foreign or corrupt message on the channel must not stop a follower.
            log.warning("ignored a malformed change event")
            return None

    def close(self) -> None:
        self._pubsub.close()


class RedisLiveView:
    """The live view in Redis; safe to use from many processes at once."""

    def __init__(self, client: redis.Redis, *, prefix: str = "servicepunt:capacity:") -> None:
        self.client = client
        self.prefix = prefix
        self.channel = f"{prefix}changes"
        self._apply_script = client.register_script(_APPLY)
        self._try_hold_script = client.register_script(_TRY_HOLD)
        self._counts_script = client.register_script(_COUNTS)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "servicepunt:capacity:") -> RedisLiveView:
        """Connect by URL (redis://host:port/db), failing fast when Redis is down."""
        # redis-py retries ten times with backoff by default: seconds of stall per call while
        # Redis is down. The ledger decides, so one quick retry and short timeouts suffice.
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=1.0,
            socket_timeout=2.0,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=15,
        )
        return cls(client, prefix=prefix)

    def _unit_key(self, unit_id: str) -> str:
        return f"{self.prefix}u:{unit_id}"

    def _holds_key(self, unit_id: str) -> str:
        return f"{self.prefix}h:{unit_id}"

    def _call(self, action: Callable[[], T]) -> T:
        try:
            return action()
        except redis.RedisError as exc:
            # The type only: a message could echo arguments.
            raise LiveViewUnavailable(type(exc).__name__) from None

    def _fast(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        # EVALSHA straight away: Script.__call__ adds per-call work the hot path can skip.
        # After a Redis restart the script cache is empty; EVAL then loads it again.
        try:
            return self.client.evalsha(script.sha, len(keys), *keys, *args)
        except NoScriptError:
            source = script.script
            text = source if isinstance(source, str) else bytes(source).decode()
            return self.client.eval(text, len(keys), *keys, *args)

    def _apply_args(self, state: UnitState, now_ms: int) -> tuple[list[str], list[Any]]:
        keys = [self._unit_key(state.unit_id), self._holds_key(state.unit_id)]
        keys.append(f"{self.prefix}units")
        args: list[Any] = [state.unit_id, state.version, state.capacity, state.view.occupied]
        args.append(now_ms)
        for hold_id, expires in state.hold_expiries:
            args += [hold_id, _ms(expires)]
        return keys, args

    def apply(self, state: UnitState, *, now: datetime) -> bool:
        """Store a committed unit state unless a newer one is stored."""
        keys, args = self._apply_args(state, _ms(now))
        return bool(self._call(lambda: self._fast(self._apply_script, keys, args)))

    def begin_rebuild(self) -> None:
        """Mark stale and forget every unit of this prefix."""

        def run() -> None:
            self.client.delete(f"{self.prefix}gen")
            units_key = f"{self.prefix}units"
            members = [m.decode() for m in self.client.smembers(units_key)]  # type: ignore[union-attr]
            for start in range(0, len(members), 1000):
                chunk = members[start : start + 1000]
                keys = [self._unit_key(u) for u in chunk] + [self._holds_key(u) for u in chunk]
                self.client.delete(*keys)
            self.client.delete(units_key)

        self._call(run)

    def finish_rebuild(self, states: Iterable[UnitState], *, now: datetime) -> None:
        """Store the ledger's states (version-checked) and mark the view current."""
        now_ms = _ms(now)

        def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            for count, state in enumerate(states, start=1):
                keys, args = self._apply_args(state, now_ms)
                self._apply_script(keys=keys, args=args, client=pipe)
                if count % 1000 == 0:
                    pipe.execute()
            pipe.execute()
            self.client.set(f"{self.prefix}gen", uuid4().hex)

        self._call(run)

    def is_current(self) -> bool:
        """True while the generation key exists (a flush or mark_stale removes it)."""
        return bool(self._call(lambda: self.client.exists(f"{self.prefix}gen")))

    def mark_stale(self) -> None:
        """Remove the generation key."""
        self._call(lambda: self.client.delete(f"{self.prefix}gen"))

    @staticmethod
    def _parse(raw: Any) -> LiveCounts | None:
        if raw is None:
            return None
        cap, occ, ver, held = (int(x) for x in raw)
        return LiveCounts(cap, occ, held, ver)

    def counts(self, unit_id: str, *, now: datetime) -> LiveCounts | None:
        """The unit's counts at `now`."""
        keys = [self._unit_key(unit_id), self._holds_key(unit_id)]
        raw = self._call(lambda: self._fast(self._counts_script, keys, [_ms(now)]))
        return self._parse(raw)

    def all_counts(self, *, now: datetime) -> dict[str, LiveCounts]:
        """Counts of every unit the view knows."""
        now_ms = _ms(now)

        def run() -> dict[str, LiveCounts]:
            members = sorted(m.decode() for m in self.client.smembers(f"{self.prefix}units"))  # type: ignore[union-attr]
            pipe = self.client.pipeline(transaction=False)
            for unit_id in members:
                keys = [self._unit_key(unit_id), self._holds_key(unit_id)]
                self._counts_script(keys=keys, args=[now_ms], client=pipe)
            found = {}
            for unit_id, raw in zip(members, pipe.execute(), strict=True):
                parsed = self._parse(raw)
                if parsed is not None:
                    found[unit_id] = parsed
            return found

        return self._call(run)

    def try_hold(
        self, unit_id: str, hold_id: str, *, expires_at: datetime, now: datetime
    ) -> HoldOutcome:
        """Record a hold if a place is free at `now` (one Lua script: atomic)."""
        keys = [self._unit_key(unit_id), self._holds_key(unit_id)]
        args: list[str | int] = [hold_id, _ms(expires_at), _ms(now)]
        code = self._call(lambda: self._fast(self._try_hold_script, keys, args))
        return _OUTCOME[int(code)]

    def release(self, unit_id: str, hold_id: str) -> bool:
        """Drop a hold."""
        removed = self._call(lambda: self.client.zrem(self._holds_key(unit_id), hold_id))
        return bool(removed)

    def publish(self, event: ChangeEvent) -> None:
        """PUBLISH the event on the changes channel."""
        payload = event.to_json()
        self._call(lambda: self.client.publish(self.channel, payload))

    def subscribe(self) -> Subscription:
        """SUBSCRIBE to the changes channel."""

        def run() -> Subscription:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(self.channel)
            return _RedisSubscription(pubsub)

        return self._call(run)
