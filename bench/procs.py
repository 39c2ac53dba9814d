"""Run a load-generating function in its own process, so the client does not share the measuring event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _call(func: Callable[..., T], args: tuple[Any, ...]) -> T:
    import uvloop

    uvloop.install()
    return func(*args)


async def in_process(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a fresh (spawned) process; its result comes back pickled."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return await asyncio.get_running_loop().run_in_executor(pool, _call, func, args)
