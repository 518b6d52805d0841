"""The errors a user can cause, each printed by the CLI as one line (no traceback).

ConfigError      config/errors.py      bad settings, config file, subscriptions, feed or URL list
FeedListError    parsers/feedlist.py   unreadable OPML/TOML feed list
StorageError     storage/db.py         bad database URL, unreachable database
CatalogueError   parsers/items.py      invalid tracked-item catalogue in the config file
ChannelError     alerts/errors.py      a digest channel is missing its settings or failed
"""

from cpec_watch.alerts.errors import ChannelError
from cpec_watch.config.errors import ConfigError
from cpec_watch.parsers.feedlist import FeedListError
from cpec_watch.parsers.items import CatalogueError
from cpec_watch.storage.db import StorageError

USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, FeedListError, StorageError, CatalogueError, ChannelError)
