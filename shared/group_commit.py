"""Group commit: concurrent callers' items are handled together, one batch per call, each caller its own answer.

Up to ``in_flight`` drain tasks each take everything waiting (up to ``max_batch``), so batches grow with the load
by themselves: there is no timer and no added latency when items are rare, and while one batch waits for its
commit the next ones are already on their way. Used for votes (submission) and consumed events (awards).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from prometheus_client import Histogram

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """``handle`` takes a batch and returns, per item in order, its result or the exception that refused it."""

    def __init__(
        self, handle: Callable[[list[Item]], Awaitable[Sequence[Result | BaseException]]], *, max_batch: int,
        in_flight: int, sizes: Histogram | None = None,
    ) -> None:
        self._handle = handle
        self._max_batch = max_batch
        self._in_flight = in_flight
        self._sizes = sizes
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drains: set[asyncio.Task[None]] = set()

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if len(self._drains) < self._in_flight:
            task = asyncio.create_task(self._drain())
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            if self._sizes is not None:
                self._sizes.observe(len(batch))
            try:
                answers: Sequence[Result | BaseException] = await self._handle([item for item, _ in batch])
            except Exception as exc:  # the whole batch failed (a server away): each caller hears it
                answers = [exc] * len(batch)
            except BaseException:  # cancelled at shutdown: so are the callers of this batch
                for _, future in batch:
                    future.cancel()
                raise
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():  # the caller went away; what its item did stands
                    continue
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)
