"""Settings, validated once and passed down as one typed object.

Sources, later ones winning: defaults, the TOML config file (``--config`` / ``CPEC_WATCH_CONFIG``),
environment variables with the ``CPEC_WATCH_`` prefix, then command-line options.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cpec_watch.config.errors import ConfigError
from cpec_watch.config.subscriptions import Subscription, load_subscriptions

__all__ = ["ConfigError", "FetchSettings", "ScheduleSettings", "Settings", "load_settings", "read_config_file"]


DEFAULT_DB = "sqlite:///data/cpec-watch.db"  # its folder is created on first use; any other store's must exist


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


class BackfillSettings(BaseModel):
    """How a folder backfill is split up: files per transaction, per Prefect run, and processes reading them."""

    model_config = ConfigDict(extra="forbid")

    batch: int = Field(500, gt=0)  # files stored per transaction
    chunk: int = Field(5000, gt=0)  # files per Prefect run of a folder backfill (one flow run each, on any worker)
    workers: int = Field(0, ge=0)  # processes that read and analyse files; 0 = CPUs - 1 (the main one stores)


class ScheduleSettings(BaseModel):
    """When ``cpec-watch serve`` runs the scheduled flows (cron expressions, in ``timezone``)."""

    model_config = ConfigDict(extra="forbid")

    monitor: str = "*/30 * * * *"
    digest: str = "0 8 * * *"
    timezone: str = "Asia/Karachi"

    @field_validator("monitor", "digest")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a cron expression of five fields (minute hour day month weekday)")
        return value


class StatusSettings(BaseModel):
    """[status]: how sure the evidence must be before a status change is announced."""

    announce: float | None = Field(None, gt=0)  # weight of evidence; None: the status reader's (90% precision)


class Settings(BaseSettings):
    """Everything a run needs; built by :func:`load_settings`."""

    model_config = SettingsConfigDict(env_prefix="CPEC_WATCH_", extra="ignore", env_ignore_empty=True)

    db: str = DEFAULT_DB
    archive: Path = Path("data/articles")
    config: Path | None = None
    feeds: Path | None = None
    import_seeds: bool = True
    base_url: str | None = None  # where the web view is served: digests link timelines there
    prefect: bool = False  # run and backfill as Prefect flows (the --prefect default)
    allow_private_networks: bool = False  # let feeds and pages on loopback/private addresses be fetched
    relevance_terms: list[str] = Field(default_factory=list)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    backfill: BackfillSettings = Field(default_factory=BackfillSettings)
    schedules: ScheduleSettings = Field(default_factory=ScheduleSettings)
    status: StatusSettings = Field(default_factory=StatusSettings)
    slack_webhook_url: SecretStr | None = None
    smtp_host: str | None = None
    smtp_port: int | None = Field(None, gt=0, lt=65536)  # default: by security, 25 / 587 / 465
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_timeout: float = Field(30.0, gt=0)
    email_from: str | None = None
    email_to: str = ""  # comma-separated addresses
    subscriptions: tuple[Subscription, ...] = ()  # from [[subscriptions]], else the configured channels
    raw_config: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


FILE_KEYS: tuple[str, ...] = ("db", "archive", "prefect", "import_seeds", "feeds", "relevance", "fetch", "backfill")
FILE_KEYS += ("schedules", "status", "items", "ignore", "subscriptions")  # items, ignore: the tracked-item catalogue's
FILE_KEYS += ("base_url",)
SECTIONS: dict[str, tuple[str, ...]] = {
    "fetch": tuple(FetchSettings.model_fields),
    "backfill": tuple(BackfillSettings.model_fields),
    "schedules": tuple(ScheduleSettings.model_fields),
    "status": tuple(StatusSettings.model_fields),
    "relevance": ("terms",),
}
ITEM_KEYS = ("slug", "name", "aliases", "weak_aliases", "requires", "excludes", "category")
ENV_PREFIX = "CPEC_WATCH_"
OTHER_VARIABLES = ("LOG_FORMAT", "CRASH_AT", "TEST_PG")  # the CLI's --log-format; the test suite's own two


def closest(word: str, choices: Iterable[str], prefix: str = "", suffix: str = "") -> str:
    """The hint " (did you mean 'X'?)" for the valid name nearest ``word`` (difflib), else the valid names."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if found:
        return f" (did you mean {prefix}{found[0]}{suffix}?)"
    return f" (valid: {', '.join(f'{prefix}{choice}{suffix}' for choice in sorted(choices))})"


def check_config_keys(raw: dict[str, Any], where: Path) -> None:
    """Every key of the config file is one we read: a typo is a one-line ConfigError, not a setting ignored."""
    env_only = {name for name in Settings.model_fields if name not in FILE_KEYS} - {"raw_config", "subscriptions"}
    for key, value in raw.items():
        if key in env_only:
            raise ConfigError(f"{where}: {key!r} is read from the environment: {ENV_PREFIX}{key.upper()}")
        if key not in FILE_KEYS:
            if isinstance(value, dict):
                tables = [name for name in FILE_KEYS if name in SECTIONS]
                raise ConfigError(f"{where}: unknown section [{key}]" + closest(key, tables, "[", "]"))
            raise ConfigError(f"{where}: unknown setting {key!r}" + closest(key, FILE_KEYS, "'", "'"))
        if key in SECTIONS and isinstance(value, dict):
            for name in value:
                if name not in SECTIONS[key]:
                    hint = closest(name, SECTIONS[key], "'", "'")
                    raise ConfigError(f"{where}: unknown setting {name!r} in [{key}]{hint}")
        if key == "items" and isinstance(value, list):  # [[items]] (its other checks are the catalogue's)
            for number, entry in enumerate(value, start=1):
                for name in entry if isinstance(entry, dict) else ():
                    if name not in ITEM_KEYS:
                        hint = closest(name, ITEM_KEYS, "'", "'")
                        raise ConfigError(f"{where}: item #{number}: unknown setting {name!r}{hint}")


def check_environment(environ: Mapping[str, str]) -> None:
    """Every ``CPEC_WATCH_*`` variable is one we read: a typo is a one-line ConfigError, not a setting ignored."""
    known = [name.upper() for name in Settings.model_fields if name not in ("raw_config", "subscriptions")]
    known += OTHER_VARIABLES
    for variable in sorted(environ):
        name = variable.upper()
        if name.startswith(ENV_PREFIX) and name.removeprefix(ENV_PREFIX) not in known:
            hint = closest(name.removeprefix(ENV_PREFIX), known, ENV_PREFIX)
            raise ConfigError(f"unknown environment variable {variable}{hint}")


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
    check_environment(os.environ)
    try:
        env_settings = Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None
    if env_settings.config is None:
        return _with_subscriptions(env_settings)
    raw = read_config_file(env_settings.config)
    check_config_keys(raw, env_settings.config)
    from_file: dict[str, Any] = {
        key: raw[key]
        for key in ("db", "import_seeds", "fetch", "backfill", "prefect", "schedules", "status", "base_url")
        if key in raw
    }
    here = env_settings.config.parent
    for key in ("archive", "feeds"):  # paths in the file are relative to the file
        if isinstance(raw.get(key), str):
            from_file[key] = here / raw[key]
    db = raw.get("db")
    if (
        isinstance(db, str)
        and db.startswith("sqlite:///")
        and not db.startswith("sqlite:////")
        and ":memory:" not in db
    ):
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
    return _with_subscriptions(settings)


def _with_subscriptions(settings: Settings) -> Settings:
    subs = load_subscriptions(
        settings.raw_config, email=bool(settings.smtp_host), slack=settings.slack_webhook_url is not None
    )
    return settings.model_copy(update={"subscriptions": tuple(subs)})


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"invalid setting {where}: {error['msg']}"
