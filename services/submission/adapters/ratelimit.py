"""Per-member and per-address vote rate limits in Redis: both counters in one script call, many calls pipelined."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.client_address import address_bucket
from shared.problems import RateLimitedError, UnavailableError

# Fixed one-minute windows. Returns 0 when allowed, else the seconds until the window that refused resets.
# The address is counted only once the member's own limit passed: a member over their limit must not spend the
# budget of everyone behind the same address (a carrier-grade NAT, a factory's Wi-Fi).
_SCRIPT = """
local window = tonumber(ARGV[3])
local function spend(key, limit)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, window) end
  if n <= limit then return 0 end
  local ttl = redis.call('TTL', key)
  if ttl < 1 then
    redis.call('EXPIRE', key, window)
    ttl = window
  end
  return ttl
end
local retry = spend(KEYS[1], tonumber(ARGV[1]))
if retry > 0 then return retry end
return spend(KEYS[2], tonumber(ARGV[2]))
"""
WINDOW_SECONDS = 60


def _limited(retry: int) -> RateLimitedError:
    return RateLimitedError(
        f"Bình chọn quá nhanh; thử lại sau {retry} giây — too many votes, retry after {retry} s",
        retry_after=retry,
    )


class VoteRateLimiter:
    """Counts vote attempts per member and per client address; over the limit means 429 with Retry-After."""

    def __init__(self, redis: Redis, *, namespace: str, per_member: int, per_address: int) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)
        self._prefix = f"{namespace}:rl:vote"
        self._limits = (per_member, per_address)

    def _keys(self, member_id: str, address: str) -> list[str]:
        return [f"{self._prefix}:m:{member_id}", f"{self._prefix}:a:{address_bucket(address)}"]

    async def check(self, member_id: str, address: str) -> None:
        """One attempt; raises ``RateLimitedError`` when over a limit."""
        refusal = (await self.check_many([(member_id, address)]))[0]
        if refusal is not None:
            raise refusal

    async def check_many(self, attempts: Sequence[tuple[str, str]]) -> list[RateLimitedError | None]:
        """Count many (member, address) attempts in one pipelined round trip; per attempt the refusal or None.

        Without the limiter no vote is accepted (stuffing must not slip through): a Redis failure raises 503.
        """
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for member_id, address in attempts:
                    await self._script(keys=self._keys(member_id, address),
                                       args=[*self._limits, WINDOW_SECONDS], client=pipe)
                retries = await pipe.execute()
        except RedisError as exc:
            raise UnavailableError(
                "Tạm thời không nhận bình chọn; thử lại sau ít giây — rate limiter unavailable, retry shortly",
                retry_after=5,
            ) from exc
        return [_limited(int(r)) if int(r) > 0 else None for r in retries]


# One fixed window: returns 0 when allowed, else the seconds until the window resets.
_WINDOW_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return ttl
"""
IMPORT_WINDOW_SECONDS = 3600


class ImportRateLimiter:
    """Counts import uploads per officer in hourly windows; over the limit means 429 with Retry-After."""

    def __init__(self, redis: Redis, *, namespace: str, per_officer_hour: int) -> None:
        self._script = redis.register_script(_WINDOW_SCRIPT)
        self._prefix = f"{namespace}:rl:import"
        self.limit = per_officer_hour

    async def check(self, officer_id: str) -> None:
        """One upload; raises ``RateLimitedError`` past the hourly limit (refused uploads count too)."""
        try:
            retry = int(await self._script(keys=[f"{self._prefix}:{officer_id}"],
                                           args=[self.limit, IMPORT_WINDOW_SECONDS]))
        except RedisError as exc:
            raise UnavailableError(
                "Tạm thời không nhận tệp nhập; thử lại sau ít giây — rate limiter unavailable, retry shortly",
                retry_after=5,
            ) from exc
        if retry > 0:
            raise RateLimitedError(
                f"Mỗi cán bộ được nhập tối đa {self.limit} tệp mỗi giờ; thử lại sau {retry} giây — "
                f"at most {self.limit} import files per officer per hour, retry after {retry} s",
                retry_after=retry, limit=self.limit, limit_name="imports_per_officer_hour",
            )
