"""How fast the Slack double answers, and how fast it lets a bot post: both off by default.

Real Slack is 0.1-0.3 s away, and `chat.postMessage` allows about one message a second per
channel, with short bursts, answering more with HTTP 429 and a `Retry-After` header. The tests
that need either, and the benchmarks, turn them on; ordinary tests stay fast.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

POSTS_PER_SECOND = 1.0  # per channel (Slack: "about one message per second per channel")
BURST = 3  # posts a quiet channel takes at once before the pace applies


@dataclass
class ChannelRateLimit:
    """A token bucket per channel: `burst` posts at once, then `per_second` posts a second."""

    per_second: float = POSTS_PER_SECOND
    burst: int = BURST
    monotonic: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # tokens, at
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, channel: str) -> int | None:
        """Take a post for `channel`: None if allowed, else the seconds to wait (Retry-After)."""
        now = self.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
            if tokens >= 1.0:
                self._buckets[channel] = (tokens - 1.0, now)
                return None
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.per_second))
