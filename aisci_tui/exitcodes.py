"""Exit codes shared by every command that connects (listed in --help and the README)."""

OK = 0
ERROR = 1
USAGE = 2
AUTH_FAILED = 3
GAVE_UP = 4
NOT_WEBSOCKET = 5
TLS_FAILED = 6
HOST_NOT_FOUND = 7

HELP = (
    "Exit codes: 0 done (also after Ctrl-C), 1 unexpected error, 2 bad usage, "
    "3 authentication failed, 4 gave up connecting, 5 URL is not a WebSocket endpoint, "
    "6 TLS/certificate failure, 7 host not found."
)
