"""An item's state as the evidence has it, and when a new reading is a change worth announcing.

The state follows the evidence, not one reading: at each dated reading, every earlier dated reading of the item
votes for its status with its probability, halved every ``HALF_LIFE_DAYS`` of age, so recent reporting leads
and one misreading is outvoted by the readings around it (each reading is one story: copies were joined before).
A step back in a project's life (operational -> proposed) with no setback cue is almost always a misreading
(``../shared/STATUS-GUIDE.md``, decision 2): its votes count ``REGRESSION_WEIGHT`` as much, so it takes more than
one reading to turn the state back, but enough evidence does. Undated readings (and ``mentioned``) never move the
state. A change is announced when the state has moved away from the one last announced, to the status of the
reading at hand, and the weight of evidence for it (the decayed sum of its readings' probabilities) reaches the
announcement threshold, chosen on development data for 90% precision; until then the reading is recorded and
shown as unsure. The shipped threshold is above 1, so one story alone, however sure, is never enough: it takes
agreeing stories (``[status] announce`` below 1 lets one sure story through).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cpec_watch.models import Status

HALF_LIFE_DAYS = 30.0
REGRESSION_WEIGHT = 0.3
SETBACKS = frozenset({Status.DELAYED, Status.STALLED, Status.CANCELLED})
STAGE = {  # how far along its life a project is; statuses of one stage may follow each other either way
    Status.PROPOSED: 0,
    Status.UNDER_REVIEW: 1,
    Status.APPROVED: 2,
    Status.FINANCING: 2,
    Status.GROUNDBREAKING: 3,
    Status.UNDER_CONSTRUCTION: 3,
    Status.COMPLETED: 4,
    Status.INAUGURATED: 5,
    Status.OPERATIONAL: 5,
}


def is_regression(previous: str, status: str) -> bool:
    """A step back in the project's life that no setback cue explains."""
    return previous in STAGE and status in STAGE and STAGE[Status(status)] < STAGE[Status(previous)]


@dataclass(frozen=True)
class Step:
    """What one reading did to its item: the state readers were last told of, the state after it, and whether it
    is an announced change (from ``previous`` to ``state``)."""

    previous: str | None
    state: str | None
    change: bool


@dataclass
class ItemState:
    """An item's state, read forward through its readings in date order (undated ones anywhere)."""

    announce: float  # the weight of evidence from which a move of the state is announced
    state: str | None = None  # the state the evidence points to now
    told: str | None = None  # the state last announced (or first set)
    day: date | None = None  # the date of the last dated reading
    votes: dict[str, float] = field(default_factory=dict)

    def read(self, status: str, probability: float, day: date | None) -> Step:
        told = self.told
        if day is None or status == Status.MENTIONED:
            return Step(told, self.state, False)
        if self.day is not None and day > self.day:  # read in date order; a same-day or earlier one adds as is
            decay = 0.5 ** ((day - self.day).days / HALF_LIFE_DAYS)
            self.votes = {s: v * decay for s, v in self.votes.items()}
            self.day = day
        self.day = self.day or day
        self.votes[status] = self.votes.get(status, 0.0) + probability
        self.state = self._leader(self.state)
        if told is None:
            self.told = self.state  # a first state is news, not a change
            return Step(None, self.state, False)
        change = self.state != told and self.state == status and self.votes[status] >= self.announce
        if change:
            self.told = self.state
        return Step(told, self.state, change)

    def _leader(self, previous: str | None) -> str:
        def weight(status: str) -> float:
            vote = self.votes[status]
            regression = previous is not None and is_regression(previous, status) and status not in SETBACKS
            return vote * REGRESSION_WEIGHT if regression else vote

        best = max(self.votes, key=weight)
        return previous if previous in self.votes and weight(previous) >= weight(best) else best
