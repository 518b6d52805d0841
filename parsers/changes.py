"""When a new reading of an item's status is a change a reader can trust.

A change is announced only when the new status is reported firmly (its confidence is at least ``FIRM``), and a
step back in a project's life (operational -> proposed, inaugurated -> approved) only with an explicit setback
cue (delayed, stalled, cancelled): without one it is almost always a misreading (``../shared/STATUS-GUIDE.md``,
decision 2), so it neither announces a change nor moves the item's state.
"""

from __future__ import annotations

FIRM = 0.5  # the confidence from which a status counts as reported firmly (a headline or lead reading)
UNINFORMATIVE = "mentioned"
SETBACKS = frozenset({"delayed", "stalled", "cancelled"})
STAGE = {  # how far along its life a project is; statuses of one stage may follow each other either way
    "proposed": 0,
    "under-review": 1,
    "approved": 2,
    "financing": 2,
    "groundbreaking": 3,
    "under-construction": 3,
    "completed": 4,
    "inaugurated": 5,
    "operational": 5,
}


def is_regression(previous: str, status: str) -> bool:
    """A step back in the project's life that no setback cue explains."""
    return previous in STAGE and status in STAGE and STAGE[status] < STAGE[previous]


def moves_state(previous: str | None, status: str, confidence: float) -> bool:
    """Whether this reading becomes the item's state: informative, and (for an item with a state) firm and not
    a regression."""
    if status == UNINFORMATIVE:
        return False
    return previous is None or (confidence >= FIRM and not is_regression(previous, status))


def is_change(previous: str | None, status: str, confidence: float) -> bool:
    """A status change to announce: it moves an existing state to a different one."""
    return previous is not None and status != previous and moves_state(previous, status, confidence)
