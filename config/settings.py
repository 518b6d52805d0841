"""Settings, validated once and passed down as one typed object.

Sources, later ones winning: defaults, the TOML config file (``--config`` / ``CPEC_WATCH_CONFIG``),
environment variables with the ``CPEC_WATCH_`` prefix, then command-line options.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from cpec_watch.parsers.items import Catalogue


class ConfigError(Exception):
    """A settings or config-file problem a user can fix; the message is one line."""


class FetchSettings(BaseModel):
    """How politely and patiently we talk to news sites."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = "CPEC-Watch/0.1 (+https://github.com/cpec-watch/cpec-watch; news monitor)"
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(60.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0)
    retries: int = Field(3, ge=0)
    backoff: float = Field(1.0, ge=0)
    max_retry_after: float = Field(60.0, ge=0)
    concurrency: int = Field(8, gt=0)
    per_host: int = Field(2, gt=0)


class Settings(BaseSettings):
    """Everything a run needs; built by :func:`load_settings`."""

    model_config = SettingsConfigDict(env_prefix="CPEC_WATCH_", extra="ignore")

    db: str = "sqlite:///data/cpec-watch.db"
    archive: Path = Path("data/articles")
    config: Path | None = None
    feeds: Path | None = None
    import_seeds: bool = True
    relevance_terms: list[str] = Field(default_factory=list)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    slack_webhook_url: str | None = None
    raw_config: dict[str, Any] = Field(default_factory=dict, exclude=True)


def read_config_file(path: Path) -> dict[str, Any]:
    """The user's TOML config as a dict, or a one-line ConfigError."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}") from None


def load_settings(**overrides: Any) -> Settings:
    """Settings from defaults, config file, environment and explicit overrides (None = not given)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        env_settings = Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None
    if env_settings.config is None:
        return env_settings
    raw = read_config_file(env_settings.config)
    from_file = {key: raw[key] for key in ("db", "import_seeds", "fetch") if key in raw}
    here = env_settings.config.parent
    for key in ("archive", "feeds"):  # paths in the file are relative to the file
        if isinstance(raw.get(key), str):
            from_file[key] = here / raw[key]
    db = raw.get("db")
    if isinstance(db, str) and db.startswith("sqlite:///") and not db.startswith("sqlite:////") and ":memory:" not in db:
        from_file["db"] = f"sqlite:///{here / raw['db'].removeprefix('sqlite:///')}"
    relevance = raw.get("relevance", {})
    if not isinstance(relevance, dict):
        raise ConfigError(f"{env_settings.config}: [relevance] must be a table with terms = [...]")
    from_file["relevance_terms"] = relevance.get("terms", [])
    merged = {**from_file, **env_settings.model_dump(exclude_unset=True, exclude={"raw_config"}), **given}
    try:
        settings = Settings(**merged, raw_config=raw)
    except ValidationError as exc:
        raise ConfigError(f"{env_settings.config}: {_first_error(exc)}") from None
    _check_sections(settings.config, raw)
    return settings


def user_catalogue(settings: Settings) -> Catalogue:
    """The shipped tracked-item catalogue plus the ``[[items]]`` of the user's config file."""
    from cpec_watch.parsers.items import load_catalogue

    return load_catalogue(settings.config) if settings.config is not None else load_catalogue()


def _check_sections(path: Path, raw: dict[str, Any]) -> None:
    """Fail now, not halfway through a run, on bad [[feeds]], [[items]] or [[subscriptions]]."""
    from cpec_watch.alerts.subscriptions import check_against, load_subscriptions
    from cpec_watch.parsers.feedlist import load_feed_list
    from cpec_watch.parsers.items import load_catalogue

    if isinstance(raw.get("feeds"), list):
        load_feed_list(path)
    catalogue = load_catalogue(path)
    check_against(load_subscriptions(raw), {item.slug for item in catalogue.items},
                  {item.category for item in catalogue.items})


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"invalid setting {where}: {error['msg']}"
