"""The protocol server and its research simulator.

The server modules import ``websockets``; import this package only where a
server is wanted (commands import it inside their function body).
"""

from aisci_tui.server.app import ProtocolServer
from aisci_tui.server.config import ServerConfig

__all__ = ["ProtocolServer", "ServerConfig"]
