"""Sources of events: WebSocket client adapter, JSONL replay, run-directory bridge."""
