"""Run pyHanko's coroutines from synchronous code, even inside a running event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="signing-async")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``; when the caller's thread already runs a loop (an async server,
    Playwright's sync API), the coroutine runs on a helper thread instead.

    :param coro: the coroutine to run to completion.
    :returns: its result.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    return _pool.submit(asyncio.run, coro).result()
