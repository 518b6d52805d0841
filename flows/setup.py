"""Settings checked against the data they name, and the catalogue a run uses.

``config`` only reads and validates settings; whether the feeds, tracked items and subscriptions a config
file names make sense together needs the parsers, so that check lives here, one stage up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpec_watch.config.errors import ConfigError
from cpec_watch.config.settings import Settings, load_settings
from cpec_watch.models import FeedSource
from cpec_watch.parsers.feedlist import default_feeds, load_feed_list
from cpec_watch.parsers.items import Catalogue, load_catalogue


def load_checked_settings(**overrides: Any) -> Settings:
    """:func:`load_settings`, then fail now (not halfway through a run) on bad feeds, items or subscriptions."""
    settings = load_settings(**overrides)
    if settings.config is not None:
        if isinstance(settings.raw_config.get("feeds"), list):
            load_feed_list(settings.config)
        catalogue = user_catalogue(settings)
        slugs, categories = {item.slug for item in catalogue.items}, {item.category for item in catalogue.items}
        for sub in settings.subscriptions:
            unknown = sorted(set(sub.items) - slugs) or sorted(set(sub.categories) - categories)
            if unknown:
                raise ConfigError(
                    f"subscription {sub.name!r}: unknown tracked item or category {unknown[0]!r} (see cpec-watch items)"
                )
    return settings


def user_catalogue(settings: Settings) -> Catalogue:
    """The shipped tracked-item catalogue plus the ``[[items]]`` of the user's config file."""
    return load_catalogue(settings.config) if settings.config is not None else load_catalogue()


def feed_sources(settings: Settings, feeds_file: Path | None = None) -> list[FeedSource]:
    """The feeds to poll: ``--feeds`` file, else ``[[feeds]]`` of the config file, else the shipped list."""
    path = feeds_file or settings.feeds
    if path is not None:
        return load_feed_list(path)
    if settings.config is not None and isinstance(settings.raw_config.get("feeds"), list):
        return load_feed_list(settings.config)  # the config file's [[feeds]] tables
    return default_feeds()
