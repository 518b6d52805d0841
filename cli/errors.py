"""The errors a user can cause, each printed by the CLI as one line (no traceback).

    ConfigError      config/settings.py    bad settings, config file, feed or URL list
    FeedListError    parsers/feedlist.py   unreadable OPML/TOML feed list
    StorageError     storage/db.py         bad database URL, unreachable database
"""
from config.settings import ConfigError
from parsers.feedlist import FeedListError
from storage.db import StorageError

USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, FeedListError, StorageError)
