"""Fixtures for the whole suite."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(autouse=True)
def _restore_aisci_logger():
    """Commands run in-process configure the ``aisci_tui`` logger for a whole program (own
    handlers, no propagation); put it back afterwards so later tests' log capture still works."""
    logger = logging.getLogger("aisci_tui")
    saved = (logger.level, logger.propagate, list(logger.handlers), logger.disabled)
    yield
    for handler in list(logger.handlers):
        if handler not in saved[2]:
            logger.removeHandler(handler)
            handler.close()
    logger.level, logger.propagate, logger.disabled = saved[0], saved[1], saved[3]
    for handler in saved[2]:
        if handler not in logger.handlers:
            logger.addHandler(handler)
