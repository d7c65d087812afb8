"""The replay keys: play/pause, seek, start, end and speed of a recording, for sources that can."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from aisci_tui.sources.base import Ability, Source

if TYPE_CHECKING:
    _Base = App[int]
else:
    _Base = object

#: Replay actions and the source ability each needs.
REPLAY_CONTROLS = {
    "replay_pause": Ability.PAUSE,
    "replay_seek": Ability.SEEK,
    "replay_start": Ability.SEEK,
    "replay_end": Ability.SEEK,
    "replay_speed": Ability.PAUSE,
}


class ReplayKeys(_Base):
    """Mixed into the dashboard app, which hides these keys unless its source has the ability."""

    source: Source

    def action_replay_pause(self) -> None:
        self.source.toggle_pause()  # type: ignore[attr-defined]

    def action_replay_seek(self, seconds: float) -> None:
        self.source.seek(float(seconds))  # type: ignore[attr-defined]

    def action_replay_start(self) -> None:
        self.source.seek_start()  # type: ignore[attr-defined]

    def action_replay_end(self) -> None:
        self.source.seek_end()  # type: ignore[attr-defined]

    def action_replay_speed(self, factor: float) -> None:
        source = self.source
        speed = min(max(source.speed * float(factor), 1 / 64), 1024.0)  # type: ignore[attr-defined]
        source.set_speed(speed)  # type: ignore[attr-defined]
        self.notify(f"Replay speed ×{speed:g}", markup=False, timeout=2)
