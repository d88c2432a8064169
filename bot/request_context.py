"""The Slack request a listener is running for, carried from Bolt's request thread to its pool.

`bot.work_process` hands that request to the work process, which replays the listener.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# The request whose listener is running: (raw body, headers), or None.
CURRENT: contextvars.ContextVar[tuple[str, dict[str, Any]] | None] = contextvars.ContextVar(
    "frontdesk_current_request", default=None
)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the context of the thread that submitted them."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)


def remember_request(req: Any, next: Callable[[], Any]) -> Any:  # noqa: A002 (Bolt's name)
    """Bolt middleware: note the request, for the listener's `ctx.after_ack`."""
    CURRENT.set((req.raw_body, dict(req.headers)))
    return next()
