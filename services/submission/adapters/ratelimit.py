"""Per-member and per-address vote rate limits in Redis: both counters in one script call (one round trip)."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.problems import RateLimitedError, UnavailableError

# Fixed one-minute windows. Returns 0 when allowed, else the seconds until the tightest window resets.
_SCRIPT = """
local window = tonumber(ARGV[3])
local retry = 0
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], window) end
  if n > tonumber(ARGV[i]) then
    local ttl = redis.call('TTL', KEYS[i])
    if ttl < 1 then
      redis.call('EXPIRE', KEYS[i], window)
      ttl = window
    end
    if ttl > retry then retry = ttl end
  end
end
return retry
"""
WINDOW_SECONDS = 60


class VoteRateLimiter:
    """Counts vote attempts per member and per client address; raises 429 with Retry-After when over."""

    def __init__(self, redis: Redis, *, namespace: str, per_member: int, per_address: int) -> None:
        self._script = redis.register_script(_SCRIPT)
        self._prefix = f"{namespace}:rl:vote"
        self._limits = (per_member, per_address)

    async def check(self, member_id: str, address: str) -> None:
        keys = [f"{self._prefix}:m:{member_id}", f"{self._prefix}:a:{address}"]
        try:
            retry = int(await self._script(keys=keys, args=[*self._limits, WINDOW_SECONDS]))
        except RedisError as exc:  # without the limiter no vote is accepted: stuffing must not slip through
            raise UnavailableError(
                "Tạm thời không nhận bình chọn; thử lại sau ít giây — rate limiter unavailable, retry shortly",
                retry_after=5,
            ) from exc
        if retry > 0:
            raise RateLimitedError(
                f"Bình chọn quá nhanh; thử lại sau {retry} giây — too many votes, retry after {retry} s",
                retry_after=retry,
            )
