"""Formatting helpers and the small renderables the views are built from (no app needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console

from aisci_tui.tui import format as fmt
from aisci_tui.tui.widgets.badges import AGENT, ASSESSMENT, badge, lookup
from aisci_tui.tui.widgets.bars import bar_cells, labelled_bar, score_tone
from aisci_tui.tui.widgets.links import link, safe_url
from aisci_tui.tui.widgets.sparkline import status_sparkline
from aisci_tui.tui.widgets.tones import Palette, tone_css

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_durations():
    assert fmt.duration(0) == "0s"
    assert fmt.duration(45.4) == "45s"
    assert fmt.duration(725) == "12m 05s"
    assert fmt.duration(3 * 3600 + 20 * 60) == "3h 20m"
    assert fmt.duration(2 * 86400 + 4 * 3600) == "2d 04h"
    assert fmt.duration(-90) == "-1m 30s"
    for junk in (None, "12", True, float("nan"), float("inf")):
        assert fmt.duration(junk) == fmt.MISSING


def test_percent_number_seconds_count_size():
    assert fmt.percent(0.456) == "46%"
    assert fmt.percent(0.456, 1) == "45.6%"
    assert fmt.percent(1.5) == "150%"  # out-of-range values are shown, not hidden
    assert fmt.percent(None) == fmt.MISSING
    assert fmt.fraction(1.5) == 1.0 and fmt.fraction(-1) == 0.0 and fmt.fraction("x") is None
    assert fmt.number(10000) == "10,000"
    assert fmt.number(0.7512, 3) == "0.751"
    assert fmt.number(0.00042) == "0.00042"
    assert fmt.seconds(1.2) == "1.20s" and fmt.seconds(0.0042) == "4ms"
    assert fmt.count(2.0) == "2" and fmt.count(None) == fmt.MISSING
    assert fmt.size(512) == "512 B"
    assert fmt.size(2_300_000) == "2.3 MB"
    assert fmt.size(4.5e12) == "4.5 TB"


def test_ages_countdowns_and_clock_times():
    assert fmt.age(NOW - timedelta(seconds=12), NOW) == "12s ago"
    assert fmt.age(NOW + timedelta(seconds=5), NOW) == "in 5s"
    assert fmt.age(None, NOW) == fmt.MISSING
    assert fmt.countdown(NOW + timedelta(days=6, hours=23), NOW) == "in 6d 23h"
    assert fmt.countdown(NOW - timedelta(hours=2), NOW) == "overdue by 2h 00m"
    assert fmt.clock_time(NOW + timedelta(minutes=5), NOW) == "12:05:00"
    assert fmt.clock_time(NOW + timedelta(days=1), NOW) == "2026-01-02 12:00"
    assert fmt.eta(NOW + timedelta(hours=1, minutes=20), NOW) == "13:20:00 (in 1h 20m)"


def test_flags_and_words():
    assert (fmt.flag(True), fmt.flag(False), fmt.flag(None)) == ("yes", "no", fmt.MISSING)
    assert fmt.words("review_required") == "review required"
    assert fmt.words(None) == fmt.MISSING


def test_bars_fill_proportionally_with_eighths():
    assert bar_cells(0.5, 10) == ("█████", "░░░░░")
    filled, empty = bar_cells(0.55, 10)
    assert filled == "█████▌" and len(filled) + len(empty) == 10
    assert bar_cells(1.7, 4) == ("████", "")
    assert bar_cells(None, 4) == ("", "░░░░")
    assert labelled_bar(0.62, 10).plain.endswith(" 62%")
    assert [score_tone(v) for v in (0.9, 0.7, 0.3, None)] == ["success", "warning", "error", "muted"]


def test_badges_read_without_colour_and_keep_unknown_words():
    plain = Palette.plain()
    assert badge(AGENT, "busy", plain).plain == "● busy"
    assert badge(AGENT, "offline", plain).plain == "◌ offline"
    assert badge(ASSESSMENT, "review_required", plain).plain == "⚠ review required"
    symbol, word, tone = lookup(AGENT, "hibernating\x1b[31m")
    assert word == "hibernating\N{REPLACEMENT CHARACTER}" and tone == "neutral"
    assert badge(AGENT, None, plain).plain == "· —"


def test_links_only_for_safe_http_and_file_urls():
    assert safe_url("https://example.org/plot.png") == "https://example.org/plot.png"
    assert safe_url("file:///tmp/run/plot.png") == "file:///tmp/run/plot.png"
    for bad in (
        "javascript:alert(1)",
        "https://x.org/\x1b]8;;evil\x07",
        "https://x.org/a b",
        "ftp://x.org",
        "https://x.org/\\",
        None,
        42,
        "https://" + "a" * 3000,
    ):
        assert safe_url(bad) is None, bad
    linked = link("Plot [bold]1[/]", "https://example.org/p.png")
    assert linked.plain == "Plot [bold]1[/]"
    assert linked.style.link == "https://example.org/p.png"
    unlinked = link("evil\x1b[2J", "javascript:alert(1)")
    assert unlinked.style.link is None and "\x1b" not in unlinked.plain
    # the OSC 8 escape a terminal receives carries exactly the URL
    console = Console(force_terminal=True, color_system="truecolor", width=80)
    with console.capture() as cap:
        console.print(linked)
    assert "\x1b]8;" in cap.get() and "https://example.org/p.png" in cap.get()


def test_sparkline_has_one_symbol_per_change():
    history = [("t1", "idle"), ("t2", "busy"), ("t3", "error"), ("t4", "offline"), ("t5", "nap")]
    assert status_sparkline(history, Palette.plain()).plain == "○●✖◌?"
    assert len(status_sparkline(history * 30, Palette.plain(), width=60).plain) == 60


def test_tone_css_uses_theme_variables_only():
    css = tone_css("StoreView")
    assert "$text-success" in css and "$text-error" in css and "dim" in css
    assert "#" not in css.replace("StoreView", "")
