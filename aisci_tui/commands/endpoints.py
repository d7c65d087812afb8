"""Which servers a command connects to, each with its own credentials: one, or a fleet.

``--url`` may be repeated; a profile may be a table with its own token file or
token command; ``[fleets]`` names sets of profiles and URLs, chosen with
``--profile NAME`` like a profile. One endpoint gives a plain
:class:`~aisci_tui.client.Client`; several a :class:`~aisci_tui.sources.fanin.FanIn`
of clients, one per endpoint, each labelled with its profile name or host:port.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aisci_tui.commands.common import CommandError, ConnectionOptions

if TYPE_CHECKING:
    from aisci_tui.client import Client, Subscription
    from aisci_tui.settings import Settings
    from aisci_tui.sources.fanin import FanIn


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """One server to connect to: its label, URL, and the credential source of its own, if any."""

    label: str
    url: str
    token_file: Path | None = None
    token_command: str | None = None
    ca_file: Path | None = None


def url_label(url: str) -> str:
    """host:port of a URL (no credentials, no path): how an endpoint given by URL is named."""
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def from_urls(urls: list[str]) -> list[EndpointSpec]:
    """Endpoints for URLs, each labelled host:port (a repeated one numbered: host:port#2)."""
    specs: list[EndpointSpec] = []
    seen: dict[str, int] = {}
    for url in urls:
        label = url_label(url)
        seen[label] = seen.get(label, 0) + 1
        specs.append(EndpointSpec(label if seen[label] == 1 else f"{label}#{seen[label]}", url))
    return specs


def from_profile(settings: Settings, name: str) -> list[EndpointSpec]:
    """The endpoints a profile or a fleet names; raises :class:`~aisci_tui.settings.ConfigError`."""
    from aisci_tui.settings import ConfigError

    if name not in settings.fleets:
        return [_profile_spec(settings, name)]
    members = settings.fleets[name]
    if not members:
        raise ConfigError(f"The fleet {name!r} names no endpoint.")
    urls = [m for m in members if "://" in m]
    specs = [_profile_spec(settings, m) for m in members if "://" not in m] + from_urls(urls)
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"The fleet {name!r} names the same endpoint twice.")
    return specs


def _profile_spec(settings: Settings, name: str) -> EndpointSpec:
    from aisci_tui.settings import ConfigError

    if "/" in name or not name.strip():
        raise ConfigError(f"The profile name {name!r} cannot label an endpoint (no '/' allowed).")
    profile = settings.profile_entry(name)
    return EndpointSpec(name, profile.url, profile.token_file, profile.token_command, profile.ca_file)


def resolve(settings: Settings, urls: list[str] | None, default: str) -> list[EndpointSpec]:
    """The endpoints for the dashboard: several ``--url``, else the one URL or profile (or fleet)
    named at the highest level (flags, environment, config file), else ``default``."""
    if urls and len(urls) > 1:
        return from_urls(urls)
    for url, profile in settings._levels or [(settings.url, settings.profile)]:
        if url:
            return from_urls([str(url)])
        if profile:
            return from_profile(settings, str(profile))
    return from_urls([default])


def open_endpoints(
    specs: list[EndpointSpec],
    opts: ConnectionOptions,
    subscription: Callable[[str | None], Subscription],
    session_id: str | None,
    *,
    prefix_ids: bool,
    **overrides: Any,
) -> tuple[Client | FanIn, list[Client]]:
    """A source for ``specs`` (a client, or a fan-in of one client per endpoint) and its clients.

    ``subscription(session)`` makes the subscription for a session filter. With several
    endpoints, ``session_id`` is a tagged id (``LABEL/ID``): the endpoint it names filters on
    ``ID``, every other one on the tagged id, which names none of its sessions.
    Raises :class:`CommandError`, naming the endpoint at fault when there are several.
    """
    from aisci_tui.client import Client
    from aisci_tui.sources.fanin import FanIn, local_id

    several = len(specs) > 1
    clients: list[tuple[str, Client]] = []
    for spec in specs:
        session = local_id(spec.label, session_id) if several else session_id
        own = spec.token_file is not None or spec.token_command is not None
        endpoint_opts = dataclasses.replace(
            opts,
            url=spec.url,
            token_file=spec.token_file if own else opts.token_file,
            token_command=spec.token_command if own else opts.token_command,
            ca_file=spec.ca_file or opts.ca_file,
        )
        try:
            config = endpoint_opts.client_config([subscription(session)], session_id=session, **overrides)
        except CommandError as exc:
            if several:
                raise CommandError(f"{spec.label}: {exc.message}", exc.exit_code) from None
            raise
        clients.append((spec.label, Client(config)))
    if not several:
        return clients[0][1], [clients[0][1]]
    return FanIn(clients, prefix_ids=prefix_ids), [c for _, c in clients]
