"""Benchmark 2: the real dashboard, fed through the real client, under a steady 2,000 events/s.

The app runs headless (Textual's ``run_test``, 120x40) in this process; the
load generator paces frames from its own process. Measured:

* lag: every 50 ms, how long ago the server was due to send the oldest event
  the store has not received yet (0 when the store is level). Due times come
  from the pacing schedule, so back-pressure cannot hide a backlog.
* refreshes: screen updates Textual composes (each ``_display``), counted in
  the first half of the run, where no key is pressed: the most in any whole
  second (from one second after the stream started) (and, stricter, in any sliding one-second
  window, where timer jitter can bunch two frames together).
* key latency: in the second half, once a second, a view key (1-5) is sent
  through the driver as a terminal key would be; timed until the view has
  switched and until the first screen update showing the new view (each
  update notes which view was current when it was written).
* CPU: this process's CPU time per 1,000 events over the load window.

The garbage collector is set up as the dashboard command sets it
(``aisci_tui.client.gctune``) once the app is built, and restored afterwards.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks import frames as framegen
from benchmarks import project
from benchmarks.harness import LoadProcess, Result, cpu_seconds

VIEW_KEYS = (("2", "agents"), ("3", "experiments"), ("4", "ethics"), ("5", "events"), ("1", "research"), ("0", "home"))


async def _press(
    app: object, key: str, view: str, displays: list[float], views: list[str], timeout: float = 5.0
) -> tuple[float, float]:
    """Send ``key`` as the terminal would; seconds until handled and until painted.

    Painted is the first screen update written while ``view`` was current
    (``displays[i]`` was written showing ``views[i]``). Handled is when this
    coroutine saw the switch, which can be later than the paint when the
    loop was busy; it is capped at the paint.
    """
    from textual import events

    t0 = time.monotonic()
    first = len(displays)
    event = events.Key(key, key)
    event.set_sender(app)  # type: ignore[arg-type]
    app._driver.send_message(event)  # type: ignore[attr-defined]
    handled = painted = None
    while time.monotonic() - t0 < timeout:
        now = time.monotonic()
        if handled is None and app._switcher.current == view:  # type: ignore[attr-defined]
            handled = now
        painted = next((displays[i] for i in range(first, len(displays)) if views[i] == view), None)
        if handled is not None and painted is not None:
            break
        await asyncio.sleep(0.002)
    if handled is None or painted is None:
        return timeout, timeout
    return min(handled, painted) - t0, painted - t0


def _tune_gc() -> object:
    """The dashboard command's collector settings (if this version of the project has them)."""
    try:
        from aisci_tui.client.gctune import tune_for_ingest
    except ImportError:
        return None
    return tune_for_ingest()


def _untune_gc(before: object) -> None:
    if before is not None:
        from aisci_tui.client.gctune import untune

        untune(before)  # type: ignore[arg-type]


async def _stall_probe(stalls: list[float], period: float = 0.01) -> None:
    """Record how late a short sleep wakes up: the longest time the event loop was busy."""
    while True:
        t0 = time.monotonic()
        await asyncio.sleep(period)
        stalls.append(time.monotonic() - t0 - period)


def _lag(samples: list[tuple[float, int]], start: float, rate: float, total: int) -> list[float]:
    """For each (time, received) sample, seconds the store was behind the sending schedule."""
    out = []
    for t, received in samples:
        due = min(total, int((t - start) * rate) + 1)
        out.append(0.0 if received >= due else max(0.0, t - (start + received / rate)))
    return out


async def measure(rate: float, seconds: float, hz: float, *, keys: bool = True) -> dict[str, object]:
    from aisci_tui.settings import Settings
    from aisci_tui.tui.app import DashboardApp

    total = int(rate * seconds)
    stream = framegen.stream(total)
    out: dict[str, object] = {
        "rate": rate,
        "load_seconds": seconds,
        "refresh_hz": hz,
        "events": total,
        "population": framegen.population_summary(stream),
    }
    async with LoadProcess(stream, rate=rate, end_marker=False) as load:
        client = project.make_client(load.url)
        app = DashboardApp(client, settings=Settings(refresh_hz=hz))
        displays: list[float] = []
        views: list[str] = []
        original = app._display

        def counting(screen: object, renderable: object) -> None:
            if renderable is not None and not app._batch_count:
                displays.append(time.monotonic())
                switcher = getattr(app, "_switcher", None)  # set when the app has mounted
                views.append(switcher.current if switcher is not None else "")
            original(screen, renderable)  # type: ignore[arg-type]

        app._display = counting  # type: ignore[method-assign]
        gc_before = _tune_gc()
        try:
            async with app.run_test(size=(120, 40)):
                start = (await load.next_event("stream_start", timeout=30))["t"]
                cpu0 = cpu_seconds()
                samples: list[tuple[float, int]] = []
                latencies: list[tuple[float, float]] = []
                keys_pressed: list[str] = []
                stalls: list[float] = []
                probe = asyncio.create_task(_stall_probe(stalls))
                next_key = start + seconds / 2
                key_index = 0
                counters = app.store.counters
                deadline = start + seconds + 10
                cpu_half: float | None = None
                while counters.received < total and time.monotonic() < deadline:
                    now = time.monotonic()
                    samples.append((now, counters.received))
                    if cpu_half is None and now >= start + seconds / 2:
                        cpu_half, received_half, half_at = cpu_seconds() - cpu0, counters.received, now
                    if keys and now >= next_key and now < start + seconds:
                        key, view = VIEW_KEYS[key_index % len(VIEW_KEYS)]
                        key_index += 1
                        latencies.append(await _press(app, key, view, displays, views))
                        keys_pressed.append(key)
                        next_key = time.monotonic() + 1.0
                    await asyncio.sleep(0.05)
                end = time.monotonic()
                probe.cancel()
                samples.append((end, counters.received))
                cpu = cpu_seconds() - cpu0
                received = counters.received
        finally:
            _untune_gc(gc_before)
        await client.aclose()
    lag = _lag(samples, start, rate, total)
    window = [t for t in displays if start <= t <= end]
    settled = start + min(1.0, seconds / 4)  # the first rows arriving are not a steady state
    quiet = [t for t in window if settled <= t < start + seconds / 2]
    most, j = 0, 0
    for i, t in enumerate(quiet):
        while quiet[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    per_second: dict[int, int] = {}
    for t in quiet:
        per_second[int(t - settled)] = per_second.get(int(t - settled), 0) + 1
    full_seconds = [n for second, n in per_second.items() if settled + second + 1 <= start + seconds / 2]
    if cpu_half is None:
        cpu_half, received_half, half_at = cpu, received, end
    out.update(
        received=received,
        max_lag_s=round(max(lag), 3),
        p99_lag_s=round(sorted(lag)[int(len(lag) * 0.99)], 3),
        refreshes=len(window),
        refreshes_per_s_mean=round(len(window) / max(1e-9, end - start), 2),
        refreshes_in_any_1s_max=most,
        refreshes_per_whole_second_max=max(full_seconds, default=0),
        key_presses=len(latencies),
        key_painted_ms_each=[[k, round(p * 1000, 1)] for k, (_, p) in zip(keys_pressed, latencies, strict=True)],
        loop_stall_ms_max=round(max(stalls, default=0) * 1000, 1),
        loop_stall_ms_p99=round(sorted(stalls)[int(len(stalls) * 0.99)] * 1000, 1) if stalls else 0.0,
        key_handled_ms_max=round(max((h for h, _ in latencies), default=0) * 1000, 1),
        key_painted_ms_max=round(max((p for _, p in latencies), default=0) * 1000, 1),
        key_painted_ms_median=round(sorted(p for _, p in latencies)[len(latencies) // 2] * 1000, 1)
        if latencies
        else 0.0,
        cpu_s=round(cpu, 2),
        cpu_ms_per_1000_events=round(cpu / max(1, received) * 1e6, 1),
        cpu_share_of_core=round(cpu / (end - start), 3),
        cpu_ms_per_1000_events_no_keys=round(cpu_half / max(1, received_half) * 1e6, 1),
        cpu_share_of_core_no_keys=round(cpu_half / max(1e-9, half_at - start), 3),
    )
    return out


async def run(quick: bool = False) -> Result:
    res = Result("dashboard")
    hz = 10.0
    rate, seconds = (400.0, 2.5) if quick else (2000.0, 20.0)
    m = await measure(rate, seconds, hz)
    res.numbers.update(m)
    if m["received"] != m["events"]:
        res.notes.append(f"the store received {m['received']} of {m['events']} events")
    res.check("dashboard: store behind server (max)", m["max_lag_s"], "<=", 1.0, "s")  # type: ignore[arg-type]
    # a sliding window can hold both ends of a 1/hz period: one more than hz is still hz a second
    res.check("dashboard: screen updates per second (max)", m["refreshes_per_whole_second_max"], "<=", hz, "/s")  # type: ignore[arg-type]
    if m["key_presses"]:
        res.check("dashboard: key press to new view painted (max)", m["key_painted_ms_max"], "<=", 200, "ms")  # type: ignore[arg-type]
    res.notes.append(
        f"CPU per 1,000 events (headless, client included): {m['cpu_ms_per_1000_events_no_keys']} ms "
        f"without key presses, {m['cpu_ms_per_1000_events']} ms over the whole run (view switches "
        f"re-render a whole view); at most {m['refreshes_in_any_1s_max']} updates in a sliding second"
    )
    return res
