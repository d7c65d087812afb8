"""A reconnecting client of the AI-Scientist-v2 WebSocket protocol (no Textual here).

creds = Credentials.from_env_or_files()
client = Client(ClientConfig(url=..., credentials=creds, subscriptions=[Subscription()]))
async for item in client:   # Event or Notice
    ...
"""

from aisci_tui.client.client import Client
from aisci_tui.client.config import DEFAULT_URL, ClientConfig, Subscription, check_url, redact_url
from aisci_tui.client.credentials import Credential, CredentialError, Credentials, NoCredentials
from aisci_tui.client.errors import AckTimeout, ClientClosed, SubscriptionError
from aisci_tui.client.records import ClientStats, SubscriptionRecord
from aisci_tui.protocol.models import DateRange, Filters, SubscribeOptions

__all__ = [
    "DEFAULT_URL",
    "AckTimeout",
    "Client",
    "ClientClosed",
    "ClientConfig",
    "ClientStats",
    "Credential",
    "CredentialError",
    "Credentials",
    "DateRange",
    "Filters",
    "NoCredentials",
    "SubscribeOptions",
    "Subscription",
    "SubscriptionError",
    "SubscriptionRecord",
    "check_url",
    "redact_url",
]
