"""A timeline's status chart, laid out for inline SVG: one lane per status, the item's state as bands over time,
each dated update a point (a status change a larger one) that links to its evidence on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cpec_watch.parsers.status import STATUSES
from cpec_watch.storage.queries import transition

WIDTH, LEFT, RIGHT, TOP, LANE, AXIS = 720, 150, 16, 10, 26, 28


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


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lanes: list[tuple[float, str]]  # (y of the lane's middle, status)
    bands: list[Band]
    points: list[Point]
    ticks: list[tuple[float, str]]  # (x, date)
    undated: int  # updates left out: they have no date


def status_chart(rows: list[dict[str, Any]]) -> Chart | None:
    """The chart of one item's timeline rows (``timeline_rows`` order), None when none is dated."""
    dated = [(date.fromisoformat(r["date"]), r) for r in rows if r["date"] and r["state"]]
    if not dated:
        return None
    statuses = [s for s in STATUSES if s in {r["state"] for _, r in dated}]
    lane = {status: TOP + LANE * i + LANE / 2 for i, status in enumerate(statuses)}
    first, last = dated[0][0] - timedelta(days=7), dated[-1][0] + timedelta(days=7)
    span = (last - first).days

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    bands = []
    for (day, row), (following, _) in zip(dated, [*dated[1:], (last, None)], strict=True):
        if following > day:
            bands.append(Band(x(day), lane[row["state"]] - LANE / 2 + 4, round(x(following) - x(day), 1), row["state"]))
    points = [
        Point(
            x(day),
            lane[row["state"]],
            row["id"],
            row["change"],
            f"{day}: {transition(row)}",
        )
        for day, row in dated
    ]
    days = sorted({day for day, _ in dated})
    ticks = [(x(day), day.isoformat()) for day in ([days[0], days[-1]] if len(days) > 1 else days)]
    return Chart(
        WIDTH,
        TOP + LANE * len(statuses) + AXIS,
        [(y, s) for s, y in lane.items()],
        bands,
        points,
        ticks,
        len(rows) - len(dated),
    )
