"""Errors raised by the alert channels.

    ChannelError          a channel could not deliver (bad settings, refused, unreachable)
      .delivered          how many messages of a multi-message send had already gone out

The message is always one line, safe to show at the CLI boundary (no secrets, no webhook URL).
"""

from __future__ import annotations


class ChannelError(Exception):
    """A digest channel failed; ``delivered`` counts messages sent before the failure."""

    def __init__(self, message: str, *, delivered: int = 0) -> None:
        super().__init__(" ".join(message.split()))
        self.delivered = delivered
