"""Who gets which digest: ``[[subscriptions]]`` in the config file, or defaults from the environment.

    [[subscriptions]]
    name = "sez-team"            # unique; the outbox remembers what each subscription was sent
    channel = "slack"            # stdout | markdown | email | slack | apprise
    target = "https://hooks.slack.com/services/..."   # optional: webhook, addresses, file or Apprise URL
    items = ["rashakai-sez"]     # optional filter by tracked item ...
    categories = ["sez"]         # ... and/or by category; none = everything
    cadence = "daily"            # daily | weekly | immediate (status changes only, after each monitor run)
    no_news = false              # send a "no news" message when nothing is new
    per_item = 5                 # updates listed per tracked item; the rest are "and M more" (its timeline)
    first_window = 7             # days of reporting the first digest lists (older reporting: one line)

With no ``[[subscriptions]]``: stdout, plus email when an SMTP host is set (CPEC_WATCH_SMTP_HOST) and Slack
when a webhook is (CPEC_WATCH_SLACK_WEBHOOK_URL), all daily. Errors are one-line :class:`ConfigError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cpec_watch.config.errors import ConfigError

CHANNELS = ("stdout", "markdown", "email", "slack", "apprise")
CADENCES = ("daily", "weekly", "immediate")
KEYS = ("name", "channel", "target", "items", "categories", "cadence", "no_news", "per_item", "first_window")
PER_ITEM = 5  # updates a digest lists per tracked item
FIRST_WINDOW = 7  # days of reporting a subscription's first digest lists
WEEKLY_SLACK = timedelta(hours=12)  # a weekly digest is due a little early rather than a week late


@dataclass(frozen=True)
class Subscription:
    name: str
    channel: str
    target: str | None = None
    items: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    cadence: str = "daily"
    no_news: bool = False
    per_item: int = PER_ITEM
    first_window: int = FIRST_WINDOW

    def wants(self, item: str, category: str) -> bool:
        """Whether an update about ``item`` belongs in this subscription's digest."""
        if not self.items and not self.categories:
            return True
        return item in self.items or category in self.categories

    @property
    def wants_everything(self) -> bool:
        return not self.items and not self.categories

    def is_due(self, last_sent: datetime | None, now: datetime) -> bool:
        """Daily and immediate subscriptions are served whenever asked; a weekly one once a week."""
        return self.cadence != "weekly" or last_sent is None or now - last_sent >= timedelta(days=7) - WEEKLY_SLACK


def load_subscriptions(config: Mapping[str, Any], *, email: bool = False, slack: bool = False) -> list[Subscription]:
    """Subscriptions from the parsed config file, else stdout plus the channels that are configured."""
    entries = config.get("subscriptions")
    if not entries:
        found = [Subscription("stdout", "stdout")]
        if email:
            found.append(Subscription("email", "email"))
        if slack:
            found.append(Subscription("slack", "slack"))
        return found
    subscriptions = [_subscription(entry, number) for number, entry in enumerate(entries, start=1)]
    names = [s.name for s in subscriptions]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise ConfigError(f"subscription name {duplicate!r} is used twice")
    return subscriptions


def _subscription(entry: Any, number: int) -> Subscription:
    where = f"subscription #{number}"
    if not isinstance(entry, dict) or not entry.get("channel"):
        raise ConfigError(f"{where}: needs a channel ({', '.join(CHANNELS)})")
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        found = difflib.get_close_matches(unknown[0], KEYS, n=1)
        hint = f"did you mean {found[0]!r}?" if found else f"valid: {', '.join(KEYS)}"
        raise ConfigError(f"{where}: unknown setting {unknown[0]!r} ({hint})")
    channel, cadence = entry["channel"], entry.get("cadence", "daily")
    if channel not in CHANNELS:
        raise ConfigError(f"{where}: unknown channel {channel!r} (use {', '.join(CHANNELS)})")
    if cadence not in CADENCES:
        raise ConfigError(f"{where}: unknown cadence {cadence!r} (use {', '.join(CADENCES)})")
    if channel in ("markdown", "apprise") and not entry.get("target"):
        raise ConfigError(f"{where}: the {channel} channel needs a target")
    for key in ("items", "categories"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{where}: {key} must be a list of strings, e.g. {key} = ["sez"]')
    if not isinstance(entry.get("no_news", False), bool) or not isinstance(entry.get("target", ""), str):
        raise ConfigError(f"{where}: no_news must be true or false and target a string")
    for key in ("per_item", "first_window"):
        value = entry.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{where}: {key} must be a whole number of at least 1, e.g. {key} = 5")
    return Subscription(
        str(entry.get("name") or f"{channel}-{number}"),
        channel,
        entry.get("target"),
        tuple(entry.get("items", ())),
        tuple(entry.get("categories", ())),
        cadence,
        entry.get("no_news", False),
        entry.get("per_item", PER_ITEM),
        entry.get("first_window", FIRST_WINDOW),
    )
