"""The error every settings problem becomes: one line a user can act on."""


class ConfigError(Exception):
    """A settings or config-file problem a user can fix; the message is one line."""
