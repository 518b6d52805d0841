"""Who gets which digest: ``[[subscriptions]]`` in the config file, or defaults from the environment.

    [[subscriptions]]
    name = "sez-team"            # unique; the outbox remembers what each subscription was sent
    channel = "slack"            # stdout | markdown | email | slack | apprise
    target = "https://hooks.slack.com/services/..."   # optional: webhook, addresses, file or Apprise URL
    items = ["rashakai-sez"]     # optional filter by tracked item ...
    categories = ["sez"]         # ... and/or by category; none = everything
    cadence = "daily"            # daily | weekly | immediate (status changes only, after each monitor run)
    no_news = false              # send a "no news" message when nothing is new

With no ``[[subscriptions]]``: stdout, plus email when CPEC_WATCH_SMTP_HOST is set and Slack when
CPEC_WATCH_SLACK_WEBHOOK_URL is set, all daily.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from cpec_watch.alerts.errors import ChannelError

CHANNELS = ("stdout", "markdown", "email", "slack", "apprise")
CADENCES = ("daily", "weekly", "immediate")


@dataclass(frozen=True)
class Subscription:
    name: str
    channel: str
    target: str | None = None
    items: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    cadence: str = "daily"
    no_news: bool = False

    def wants(self, item: str, category: str) -> bool:
        """Whether an update about ``item`` belongs in this subscription's digest."""
        if not self.items and not self.categories:
            return True
        return item in self.items or category in self.categories

    @property
    def wants_everything(self) -> bool:
        return not self.items and not self.categories


def load_subscriptions(config: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> list[Subscription]:
    """Subscriptions from the parsed config file, else the defaults the environment enables."""
    entries = config.get("subscriptions")
    if not entries:
        found = [Subscription("stdout", "stdout")]
        if environ.get("CPEC_WATCH_SMTP_HOST"):
            found.append(Subscription("email", "email"))
        if environ.get("CPEC_WATCH_SLACK_WEBHOOK_URL"):
            found.append(Subscription("slack", "slack"))
        return found
    subscriptions = [_subscription(entry, number) for number, entry in enumerate(entries, start=1)]
    names = [s.name for s in subscriptions]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise ChannelError(f"subscription name {duplicate!r} is used twice")
    return subscriptions


def _subscription(entry: Any, number: int) -> Subscription:
    where = f"subscription #{number}"
    if not isinstance(entry, dict) or not entry.get("channel"):
        raise ChannelError(f"{where}: needs a channel ({', '.join(CHANNELS)})")
    channel, cadence = entry["channel"], entry.get("cadence", "daily")
    if channel not in CHANNELS:
        raise ChannelError(f"{where}: unknown channel {channel!r} (use {', '.join(CHANNELS)})")
    if cadence not in CADENCES:
        raise ChannelError(f"{where}: unknown cadence {cadence!r} (use {', '.join(CADENCES)})")
    if channel in ("markdown", "apprise") and not entry.get("target"):
        raise ChannelError(f"{where}: the {channel} channel needs a target")
    for key in ("items", "categories"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ChannelError(f"{where}: {key} must be a list of strings, e.g. {key} = [\"sez\"]")
    if not isinstance(entry.get("no_news", False), bool) or not isinstance(entry.get("target", ""), str):
        raise ChannelError(f"{where}: no_news must be true or false and target a string")
    return Subscription(str(entry.get("name") or f"{channel}-{number}"), channel, entry.get("target"),
                        tuple(entry.get("items", ())), tuple(entry.get("categories", ())), cadence,
                        entry.get("no_news", False))


def check_against(subscriptions: list[Subscription], slugs: set[str], categories: set[str]) -> None:
    """Unknown items or categories would silently never match: refuse them."""
    for sub in subscriptions:
        unknown = sorted(set(sub.items) - slugs) or sorted(set(sub.categories) - categories)
        if unknown:
            raise ChannelError(f"subscription {sub.name!r}: unknown tracked item or category {unknown[0]!r} "
                               "(see cpec-watch items)")
