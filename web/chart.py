"""A timeline's status chart, laid out for inline SVG: one lane per status, the item's state as bands over time
(one band per run of a state), each dated update a point (a status change a larger one) that links to its evidence.

A dense timeline (more than ``DENSE`` dated updates) is aggregated: the state bands, the status changes only, and
the updates per month as bars under the lanes. Lane names sit inside their lanes and the date labels inside the
chart, so the whole width is time and the stylesheet can enlarge the text on a phone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cpec_watch.parsers.status import STATUSES
from cpec_watch.storage.queries import transition

WIDTH, LEFT, RIGHT, TOP, LANE, AXIS, MONTHS = 720, 8, 8, 6, 42, 30, 64
BAND = 12  # a band's height, at the foot of its lane (the lane's name above it)
DENSE = 60  # dated updates from which the chart aggregates


@dataclass(frozen=True)
class Band:
    x: float
    y: float
    width: float
    status: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    update: int
    change: bool
    label: str
    href: str  # "#u<id>", or "?page=N#u<id>" when the update is listed on another page


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "2024-05: 12 update(s)"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lanes: list[tuple[float, float, str]]  # (y of the lane's top, y of its band's middle, status)
    bands: list[Band]
    points: list[Point]
    ticks: list[tuple[float, str, str]]  # (x, date, anchor: start or end)
    undated: int  # updates left out: they have no date
    bars: list[Bar]  # updates per month, when dense
    months_y: float  # the top of the monthly counts' strip


def status_chart(rows: list[dict[str, Any]], href: Callable[[int], str] = lambda u: f"#u{u}") -> Chart | None:
    """The chart of one item's timeline rows (``timeline_rows`` order), None when none is dated; ``href`` links a
    point to its update."""
    dated = [(date.fromisoformat(r["date"]), r) for r in rows if r["date"] and r["state"]]
    if not dated:
        return None
    dense = len(dated) > DENSE
    statuses = [s for s in STATUSES if s in {r["state"] for _, r in dated}]
    top = {status: TOP + LANE * i for i, status in enumerate(statuses)}
    middle = {status: y + LANE - BAND / 2 - 2 for status, y in top.items()}
    first, last = dated[0][0] - timedelta(days=7), dated[-1][0] + timedelta(days=7)
    span = (last - first).days

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    bands: list[Band] = []
    runs = [(day, row["state"]) for day, row in dated]
    for (day, state), (following, _) in zip(runs, [*runs[1:], (last, None)], strict=True):
        if bands and bands[-1].status == state:  # the same state goes on: the band grows
            previous = bands[-1]
            bands[-1] = Band(previous.x, previous.y, round(x(following) - previous.x, 1), state)
        elif following > day:
            bands.append(Band(x(day), middle[state] - BAND / 2, round(x(following) - x(day), 1), state))
    points = [
        Point(x(day), middle[row["state"]], row["id"], row["change"], f"{day}: {transition(row)}", href(row["id"]))
        for day, row in dated
        if row["change"] or not dense
    ]
    lanes_end = TOP + LANE * len(statuses)
    bars = _months(rows, x, lanes_end + 26) if dense else []
    days = sorted({day for day, _ in dated})
    ticks = [(x(days[0]), days[0].isoformat(), "start")]
    if len(days) > 1:
        ticks.append((x(days[-1]), days[-1].isoformat(), "end"))
    return Chart(
        WIDTH,
        lanes_end + (MONTHS if dense else 0) + AXIS,
        [(top[s], middle[s], s) for s in statuses],
        bands,
        points,
        ticks,
        len(rows) - len(dated),
        bars,
        lanes_end,
    )


def _months(rows: list[dict[str, Any]], x: Callable[[date], float], y: float) -> list[Bar]:
    """One bar per month with dated updates, its height the month's count against the busiest month's."""
    counts = Counter(r["date"][:7] for r in rows if r["date"])
    busiest = max(counts.values())
    height = MONTHS - 30
    bars = []
    for month, count in sorted(counts.items()):
        start = date.fromisoformat(f"{month}-01")
        end = (start + timedelta(days=32)).replace(day=1)
        tall = round(max(height * count / busiest, 1.5), 1)
        left, right = max(x(start), LEFT), min(x(end), WIDTH - RIGHT)
        bars.append(
            Bar(
                left,
                round(y + height - tall, 1),
                round(max(right - left - 1, 1), 1),
                tall,
                f"{month}: {count} update(s)",
            )
        )
    return bars
