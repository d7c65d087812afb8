"""The dashboard's source over several servers, built as `aisci-tui --url A --url B` builds it."""

from __future__ import annotations

from collections.abc import Sequence

from aisci_tui.commands.common import ConnectionOptions
from aisci_tui.commands.dashboard import _dashboard_subscription
from aisci_tui.commands.endpoints import EndpointSpec, from_urls, open_endpoints
from aisci_tui.sources.base import Source


def fleet_source(servers: Sequence[str] | list[EndpointSpec]) -> Source:
    """One source for these URLs (labelled as the command labels them) or endpoint specs, ids
    prefixed by server, reconnecting quickly."""
    specs = [s for s in servers if isinstance(s, EndpointSpec)] or from_urls([str(s) for s in servers])
    source, _ = open_endpoints(
        specs,
        ConnectionOptions(),
        _dashboard_subscription,
        None,
        prefix_ids=True,
        backoff_base=0.05,
        backoff_cap=0.2,
    )
    return source
