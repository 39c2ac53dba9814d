"""Redis adapter of tally: the apply script, batched application, generations and snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import hiredis
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, ResponseError

from services.tally.domain.args import ScriptCall
from services.tally.domain.bulk import BulkState
from services.tally.domain.fold import Snapshot
from services.tally.keys import TallyKeys
from shared.settings import Settings

APPLY_LUA = (Path(__file__).parent / "apply.lua").read_text()
SKIPPED_SUFFIXES = ("ver", "days", "fields")
# Seen markers in bulk: one script call marks thousands of events (ARGV: prefix, ttl, ids…).
MARK_SEEN_LUA = """
local prefix, ttl = ARGV[1], ARGV[2]
for i = 3, #ARGV do redis.call('SET', prefix .. ARGV[i], '1', 'EX', ttl) end
return #ARGV - 2
"""
# hiredis' C packer; its stub types the argument as a one-item tuple.
pack_command = cast(Callable[[tuple[Any, ...]], bytes], hiredis.pack_command)
BULK_MEMBERS = 5000  # hash fields / sorted-set members / event ids per command
# Arguments per pipelined round trip: ≈ 2–4 MB and well under a second of Redis' time, so one round trip stays
# far inside the client's socket timeout (redis-py's default is 5 s). Bounded by command count alone, the seen
# markers of the full 2021 replay (2.3 M event ids) went in one 90 MB round trip and timed out writing.
BULK_ARGUMENTS = 100_000


def _round_trips(commands: list[tuple[Any, ...]], arguments: int) -> Iterator[list[tuple[Any, ...]]]:
    """Consecutive groups of commands of at most ``arguments`` arguments each (a larger command goes alone)."""
    group: list[tuple[Any, ...]] = []
    size = 0
    for command in commands:
        if group and size + len(command) > arguments:
            yield group
            group, size = [], 0
        group.append(command)
        size += len(command)
    if group:
        yield group


class TallyStore:
    """Applies events to Redis (one script call each, many per round trip) and reads whole states back."""

    def __init__(self, redis: aioredis.Redis, settings: Settings) -> None:
        self.redis = redis
        self.keys = TallyKeys(settings.namespace)
        self.ttl = settings.seen_ttl_days * 86_400
        self.script = redis.register_script(APPLY_LUA)

    async def apply_batch(self, calls: Sequence[ScriptCall], *, generation: str = "") -> list[int | Exception]:
        """Apply events in one pipelined round trip. Per call: 1 applied, 0 duplicate, or the script's error.

        A connection error raises (nothing acked, the batch is retried: re-applying is a no-op thanks to
        the seen markers). A lost script cache is reloaded and the whole batch re-sent, for the same reason.
        The calls are packed by hiredis into one write and the replies read straight off one pooled
        connection: redis-py's pipeline object costs more per call than the packing and reading themselves.
        """
        if not calls:
            return []
        head, ttl = ("EVALSHA", self.script.sha, 0, self.keys.root), self.ttl
        payload = b"".join([
            pack_command((*head, call.event_id, ttl, generation, call.campaign_id, call.code, *call.args))
            for call in calls
        ])
        for attempt in range(2):
            results = await self._round_trip(payload, len(calls))
            if attempt == 0 and any(isinstance(r, NoScriptError) for r in results):
                await self.redis.script_load(self.script.script)
                continue
            return results
        raise ResponseError("apply script could not be loaded")

    async def _round_trip(self, payload: bytes, replies: int) -> list[int | Exception]:
        """Send packed commands on one connection and read all their replies (an error reply stays in its slot)."""
        pool = self.redis.connection_pool
        connection = await pool.get_connection()
        try:
            await connection.send_packed_command(payload)
            results: list[int | Exception] = []
            for _ in range(replies):
                try:
                    results.append(int(await connection.read_response(disable_decoding=True)))
                except ResponseError as exc:
                    results.append(exc)
            return results
        except BaseException:
            # Unread replies must never reach the next user of this connection (also on cancellation).
            await connection.disconnect(nowait=True)
            raise
        finally:
            await pool.release(connection)

    async def write_bulk(self, state: BulkState, event_ids: Sequence[bytes], *, generation: str) -> None:
        """Write a folded generation (see ``domain.bulk``) and the seen markers of its events.

        Only for a generation no worker writes to yet (the rebuild sets the ``building`` pointer after this).
        """
        prefix = self.keys.gen_prefix(generation)
        commands: list[tuple[Any, ...]] = []
        for key, fields in state.hashes.items():
            flat = [x for pair in fields.items() for x in pair]
            for start in range(0, len(flat), 2 * BULK_MEMBERS):
                commands.append(("HSET", prefix + key, *flat[start:start + 2 * BULK_MEMBERS]))
        for key, members in state.zsets.items():
            items: list[str | int] = [x for member, score in members.items() for x in (score, member)]
            for start in range(0, len(items), 2 * BULK_MEMBERS):
                commands.append(("ZADD", prefix + key, *items[start:start + 2 * BULK_MEMBERS]))
        for key, values in state.sets.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), BULK_MEMBERS):
                commands.append(("SADD", prefix + key, *ordered[start:start + BULK_MEMBERS]))
        for key, value in state.strings.items():
            commands.append(("SET", prefix + key, value))
        mark_sha = await self.redis.script_load(MARK_SEEN_LUA)
        for start in range(0, len(event_ids), BULK_MEMBERS):
            commands.append(("EVALSHA", mark_sha, 0, prefix + "s:", self.ttl, *event_ids[start:start + BULK_MEMBERS]))
        for round_trip in _round_trips(commands, BULK_ARGUMENTS):
            pipe = self.redis.pipeline(transaction=False)
            for command in round_trip:
                pipe.execute_command(*command)
            await pipe.execute()  # an error raises: the rebuild stops, the live generation stays as it was

    async def ensure_generation(self) -> str:
        """Create the live-generation pointer on a fresh Redis; return the live generation."""
        await self.redis.set(self.keys.generation, "0", nx=True)
        live: Any = await self.redis.get(self.keys.generation)
        return (live or b"0").decode()

    async def generations(self) -> tuple[str | None, str | None]:
        """(live, building): live is None when Redis lost the pointer (counters must be rebuilt)."""
        pointers: list[Any] = await self.redis.mget(self.keys.generation, self.keys.building)
        live, building = pointers
        return (live.decode() if live else None, building.decode() if building else None)

    async def campaigns(self, generation: str) -> list[str]:
        members: set[Any] = await self.redis.smembers(self.keys.campaigns(generation))
        return sorted(m.decode() for m in members)

    async def snapshot(self, generation: str) -> Snapshot:
        """The counters of one generation in the fold's form (aggregates, seen markers and indexes left out)."""
        prefix = self.keys.gen_prefix(generation)
        campaigns = await self.campaigns(generation)
        snapshot: Snapshot = {"campaigns": {c: "1" for c in campaigns}} if campaigns else {"campaigns": {}}
        for campaign_id in campaigns:
            cprefix = self.keys.campaign(generation, campaign_id).prefix
            names = [k async for k in self.redis.scan_iter(match=_glob_escape(cprefix) + "*", count=2000)]
            relevant = [k.decode() for k in names
                        if not k.decode()[len(cprefix):].startswith("i:")
                        and k.decode()[len(cprefix):] not in SKIPPED_SUFFIXES]
            pipe = self.redis.pipeline(transaction=False)
            for name in relevant:
                pipe.type(name)
            types = await pipe.execute()
            pipe = self.redis.pipeline(transaction=False)
            for name, type_ in zip(relevant, types, strict=True):
                if type_ == b"zset":
                    pipe.zrange(name, 0, -1, withscores=True)
                else:
                    pipe.hgetall(name)
            for name, value in zip(relevant, await pipe.execute(), strict=True):
                rel = name[len(prefix):]
                if isinstance(value, list):
                    snapshot[rel] = {m.decode(): str(int(s)) for m, s in value}
                else:
                    snapshot[rel] = {f.decode(): v.decode() for f, v in value.items()}
        return {k: v for k, v in snapshot.items() if v or k == "campaigns"}

    async def delete_generation(self, generation: str) -> int:
        """Remove every key of one generation (after a rebuild replaced it)."""
        deleted = 0
        batch: list[bytes] = []
        async for key in self.redis.scan_iter(match=_glob_escape(self.keys.gen_prefix(generation)) + "*", count=5000):
            batch.append(key)
            if len(batch) >= 5000:
                deleted += await self.redis.unlink(*batch)
                batch = []
        if batch:
            deleted += await self.redis.unlink(*batch)
        return deleted


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


def diff_snapshots(expected: Snapshot, actual: Snapshot) -> list[tuple[str, str, str | None, str | None]]:
    """Every (key, field, expected, actual) that differs; empty when the two agree exactly."""
    differences = []
    for key in sorted(set(expected) | set(actual)):
        exp, act = expected.get(key, {}), actual.get(key, {})
        for name in sorted(set(exp) | set(act)):
            if exp.get(name) != act.get(name):
                differences.append((key, name, exp.get(name), act.get(name)))
    return differences
