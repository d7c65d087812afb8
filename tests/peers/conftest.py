from tests.peers.fixtures import any_server, guide_peer  # noqa: F401
