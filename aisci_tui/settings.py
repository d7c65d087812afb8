"""Dashboard settings: defaults < config file < ``AISCI_*`` environment < command-line flags.

The config file is TOML, by default ``$XDG_CONFIG_HOME/aisci-tui/config.toml``
(``~/.config/aisci-tui/config.toml`` on most systems); ``--config PATH`` or
``AISCI_CONFIG`` name another one. Credentials are never settings: they come
from the environment or a token file/command (see ``aisci-tui events --help``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from aisci_tui.store import StoreLimits

APP_NAME = "aisci-tui"
ENV_PREFIX = "AISCI_"
ENV_CONFIG = "AISCI_CONFIG"
DEFAULT_THEME = "aisci-dark"

#: The endpoints named in the integration guide; a config file may add more.
DEFAULT_PROFILES: dict[str, str] = {
    "development": "ws://localhost:8080/ws",
    "staging": "wss://staging.ai-scientist.com/ws",
    "production": "wss://api.ai-scientist.com/ws",
}


class ConfigError(Exception):
    """The configuration cannot be used; the message is one sentence for a person."""


def config_dir() -> Path:
    """Where the config file and user themes live (XDG config dir)."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False, roaming=True)


def default_config_path() -> Path:
    return config_dir() / "config.toml"


class Profile(BaseModel):
    """A named endpoint given as a table: its URL and where its credential comes from.

    ``[profiles.lab-a] url = "wss://a/ws"`` with ``token_file`` or ``token_command`` (as the
    command-line options say); never a token itself: a config file is read by too many.
    """

    model_config = ConfigDict(extra="forbid")

    url: str
    token_file: Path | None = None
    token_command: str | None = None
    ca_file: Path | None = None


def _no_secret_in_profiles(value: Any) -> Any:
    if isinstance(value, dict):
        for name, entry in value.items():
            if isinstance(entry, dict) and {"token", "api_key"} & set(entry):
                raise ValueError(f"profile {name!r} holds a token; name a token_file or token_command instead")
    return value


_LIMITS = {f.name: f for f in dataclasses.fields(StoreLimits)}


def _cap(name: str) -> Any:
    """The setting for one of :class:`~aisci_tui.store.StoreLimits`' fields: its default and smallest value."""
    limit = _LIMITS[name]
    return Field(limit.default, ge=limit.metadata["minimum"])


class HistoryCaps(BaseModel):
    """How much the dashboard keeps in memory (``[history]``); the oldest entries go first. The same
    fields, in the same order, as :class:`~aisci_tui.store.StoreLimits`, each with its default and
    smallest value from there (tests/protocol/test_kinds.py checks the fields agree)."""

    model_config = ConfigDict(extra="forbid")

    agents: int = _cap("agents")
    sessions: int = _cap("sessions")
    experiments: int = _cap("experiments")
    assessments: int = _cap("assessments")
    log: int = _cap("log")
    agent_history: int = _cap("agent_history")
    dedupe: int = _cap("dedupe")

    def limits(self) -> StoreLimits:
        return StoreLimits(**self.model_dump())


_file_data: ContextVar[Mapping[str, Any]] = ContextVar("aisci_tui_config_file", default=MappingProxyType({}))


class _FileSource(PydanticBaseSettingsSource):
    """The already-parsed config file (read by :func:`load_settings`)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return _file_data.get().get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_data.get())


class Settings(BaseSettings):
    """Everything the dashboard can be told, except credentials."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    #: Server URL; wins over ``profile`` given at the same level.
    url: str | None = None
    #: Name of an entry in ``profiles`` (development, staging, production or your own).
    profile: str | None = None
    #: Extra or overriding named endpoints, merged over :data:`DEFAULT_PROFILES`.
    profiles: Annotated[dict[str, str | Profile], BeforeValidator(_no_secret_in_profiles)] = Field(default_factory=dict)
    #: Named sets of endpoints, each a list of profile names or URLs: ``lab = ["lab-a", "ws://b:8080/ws"]``.
    fleets: dict[str, list[str]] = Field(default_factory=dict)
    theme: str = DEFAULT_THEME
    refresh_hz: float = Field(10.0, gt=0, le=60)
    mouse: bool = True
    #: After this many quiet minutes (no key, or the terminal unfocused), the home screen says what
    #: changed meanwhile; 0 turns it off.
    catch_up_minutes: float = Field(10.0, ge=0)
    #: Binding id → key, e.g. ``pause = "space"`` (see the help screen for ids).
    keymap: dict[str, str] = Field(default_factory=dict)
    history: HistoryCaps = Field(default_factory=HistoryCaps)
    #: Where ``e`` (export) and ``ctrl+s`` (screenshot) write; the current directory if unset.
    export_dir: Path | None = None

    # (url, profile) named by the flags, the environment and the file, in that order.
    _levels: list[tuple[str | None, str | None]] = PrivateAttr(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def all_profiles(self) -> dict[str, str]:
        """Every profile's URL, by name."""
        return DEFAULT_PROFILES | {name: p if isinstance(p, str) else p.url for name, p in self.profiles.items()}

    def profile_url(self, name: str) -> str:
        return self.profile_entry(name).url

    def profile_entry(self, name: str) -> Profile:
        """The named profile as a table (a profile given as a URL has no credential of its own)."""
        entry = self.profiles.get(name, DEFAULT_PROFILES.get(name))
        if entry is None:
            known = ", ".join(sorted(self.all_profiles) + sorted(self.fleets))
            raise ConfigError(f"Unknown profile {name!r}; known profiles: {known}.")
        return Profile(url=entry) if isinstance(entry, str) else entry

    @property
    def export_path(self) -> Path:
        return (self.export_dir or Path.cwd()).expanduser()


def read_config_file(path: Path, *, required: bool) -> dict[str, Any]:
    """The parsed TOML file, ``{}`` if it is absent and not ``required``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"The config file {path} does not exist.") from None
        return {}
    except IsADirectoryError:
        raise ConfigError(f"The config file {path} is a directory, not a file.") from None
    except OSError as exc:
        raise ConfigError(f"Could not read the config file {path}: {exc.strerror or exc}.") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None


def _describe(err: ValidationError, path: Path) -> str:
    first = err.errors(include_url=False, include_input=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or "settings"
    kind = first.get("type", "")
    env_name = ENV_PREFIX + loc.replace(".", "__").upper()
    if kind == "extra_forbidden":
        return f"Unknown setting {loc!r} (in {path} or on the command line)."
    return f"Invalid setting {loc}: {first.get('msg', 'invalid value')} (check {path} and {env_name})."


def resolve_config_path(
    config: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None
) -> tuple[Path, bool]:
    """The config file to read and whether it must exist (it must when named explicitly)."""
    env = os.environ if env is None else env
    if config:
        return Path(config).expanduser(), True
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), True
    return default_config_path(), False


def load_settings(config: str | os.PathLike[str] | None = None, **flags: Any) -> Settings:
    """Settings from the file, the environment and ``flags`` (``None`` values are ignored).

    Raises :class:`ConfigError` with one readable sentence.
    """
    path, required = resolve_config_path(config)
    data = read_config_file(path, required=required)
    given = {k: v for k, v in flags.items() if v is not None}
    token = _file_data.set(data)
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    finally:
        _file_data.reset(token)
    settings._levels = [
        (given.get("url"), given.get("profile")),
        (os.environ.get(ENV_PREFIX + "URL"), os.environ.get(ENV_PREFIX + "PROFILE")),
        (data.get("url"), data.get("profile")),
    ]
    if settings.profile is not None and settings.profile not in settings.fleets:
        settings.profile_url(settings.profile)  # an unknown profile is a config error now, not later
    return settings


def server_url(settings: Settings, default: str | None = None) -> str | None:
    """The URL to connect to: at the highest level that names one, ``url`` beats ``profile``."""
    for url, profile in settings._levels or [(settings.url, settings.profile)]:
        if url:
            return str(url)
        if profile:
            return settings.profile_url(str(profile))
    return default
