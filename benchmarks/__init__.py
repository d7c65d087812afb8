"""Performance benchmarks for aisci-tui; run with ``python -m benchmarks`` (see README.md here)."""
