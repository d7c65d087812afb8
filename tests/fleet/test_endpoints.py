"""Which endpoints a command connects to, each with its own credentials; a server refusing for good."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aisci_tui.commands.common import ConnectionOptions
from aisci_tui.commands.dashboard import _dashboard_subscription
from aisci_tui.commands.endpoints import from_urls, open_endpoints, resolve
from aisci_tui.settings import ConfigError, load_settings
from aisci_tui.sources.base import ConnectionState
from aisci_tui.sources.fanin import FanIn
from tests.client.conftest import API_KEY, Collector, running
from tests.fleet.sources import fleet_source
from tests.fleet.test_fanin import progress
from tests.waiting import until


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def token_file(tmp_path: Path, name: str, value: str) -> Path:
    path = tmp_path / name
    path.write_text(value + "\n")
    os.chmod(path, 0o600)
    return path


def test_a_fleet_names_profiles_and_urls_each_with_its_own_credentials(tmp_path, monkeypatch):
    monkeypatch.delenv("AISCI_URL", raising=False)
    monkeypatch.delenv("AISCI_PROFILE", raising=False)
    key_a = token_file(tmp_path, "a.key", "key-of-a")
    config = write_config(
        tmp_path,
        f"""
[profiles]
lab-a = {{ url = "ws://host-a:8080/ws", token_file = "{key_a}" }}
lab-c = "ws://host-c:8080/ws"

[fleets]
lab = ["lab-a", "lab-c", "ws://host-b:9000/ws"]
""",
    )
    settings = load_settings(config, profile="lab")
    specs = resolve(settings, [], "ws://127.0.0.1:8080/ws")
    assert [(s.label, s.url) for s in specs] == [
        ("lab-a", "ws://host-a:8080/ws"),
        ("lab-c", "ws://host-c:8080/ws"),
        ("host-b:9000", "ws://host-b:9000/ws"),
    ]
    assert specs[0].token_file == key_a and specs[1].token_file is None
    monkeypatch.setenv("AISCI_API_KEY", "key-from-env")
    source, clients = open_endpoints(
        specs, ConnectionOptions(), _dashboard_subscription, "lab-a/ses-1", prefix_ids=True
    )
    assert isinstance(source, FanIn) and source.label == "lab-a, lab-c, host-b:9000"
    assert clients[0].config.credentials.source == f"token file {key_a}"
    assert clients[1].config.credentials.source == "AISCI_API_KEY"
    # --session names a tagged id: its own server filters on the id it knows, the others on the tagged id
    assert [c.config.session_id for c in clients] == ["ses-1", "lab-a/ses-1", "lab-a/ses-1"]


def test_a_single_profile_or_url_is_one_plain_client(tmp_path, monkeypatch):
    monkeypatch.setenv("AISCI_API_KEY", "key-from-env")
    settings = load_settings(write_config(tmp_path, ""), url="ws://one:1/ws")
    specs = resolve(settings, ["ws://one:1/ws"], "ws://127.0.0.1:8080/ws")
    source, clients = open_endpoints(specs, ConnectionOptions(), _dashboard_subscription, "ses-1", prefix_ids=True)
    assert source is clients[0] and clients[0].config.session_id == "ses-1"
    assert [s.label for s in from_urls(["ws://h:1/ws", "ws://h:1/ws"])] == ["h:1", "h:1#2"]


@pytest.mark.parametrize("entry", ['{ url = "ws://a/ws", token = "abc" }', '{ url = "ws://a/ws", api_key = "abc" }'])
def test_a_profile_never_holds_a_token(tmp_path, entry):
    config = write_config(tmp_path, f"[profiles]\nlab-a = {entry}\n")
    with pytest.raises(ConfigError, match="token_file or token_command"):
        load_settings(config)


def test_a_fleet_naming_an_unknown_profile_says_so(tmp_path):
    config = write_config(tmp_path, '[fleets]\nlab = ["nowhere", "ws://b:1/ws"]\n')
    settings = load_settings(config, profile="lab")
    with pytest.raises(ConfigError, match="Unknown profile 'nowhere'"):
        resolve(settings, [], "ws://127.0.0.1:8080/ws")


async def test_a_server_refusing_the_credential_never_stops_the_other(tmp_path, monkeypatch):
    monkeypatch.setenv("AISCI_API_KEY", API_KEY)
    async with running() as a, running() as b:
        await a.publish(progress("ses-1", "writing", "a-1"))
        specs = from_urls([a.url, b.url])
        wrong = token_file(tmp_path, "b.key", "not-the-key")
        specs[1] = type(specs[1])(specs[1].label, specs[1].url, token_file=wrong)  # B's own, wrong, credential
        source = fleet_source(specs)
        col = Collector(source).start()  # type: ignore[arg-type]
        try:
            await until(
                lambda: any(n.kind == "error" and n.text.startswith(specs[1].label) for n in col.notices),
                what="B's refusal, named",
            )
            await a.publish(progress("ses-1", "analysis", "a-2"))
            await until(lambda: {e.id for e in col.events} >= {"a-1", "a-2"}, what="A's events")
            assert not any(n.fatal for n in col.notices) and source.fatal is None
            last = [n for n in col.notices if n.kind == "state"][-1]
            assert last.state is ConnectionState.OPEN and last.text == "1/2 open"
        finally:
            await col.close()
