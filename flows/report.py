"""Run reports: what was new, skipped as duplicate or irrelevant, and which feeds failed and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cpec_watch.models import Outcome


@dataclass(frozen=True)
class FeedReport:
    """One feed's (or one backfill source's) outcome counts."""

    url: str
    name: str
    status: int | None = None
    error: str | None = None
    warning: str | None = None
    entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False  # the pass was stopped before this feed was (fully) handled
    resting_until: str | None = None  # failing again and again: not polled before then
    feed: bool = True  # False for a backfill's folder or URL list: no feed to poll

    @property
    def ok(self) -> bool:
        """A feed polled to the end that answered."""
        return self.feed and not (self.error or self.interrupted or self.resting_until)

    def add(self, outcome: str) -> FeedReport:
        return replace(self, counts={**self.counts, outcome: self.counts.get(outcome, 0) + 1})

    @property
    def stored(self) -> int:
        return self.counts.get(Outcome.STORED, 0)


@dataclass(frozen=True)
class RunSummary:
    """A whole monitoring pass or backfill."""

    kind: str
    reports: tuple[FeedReport, ...]
    seeds_imported: int = 0
    interrupted: str | None = None  # what stopped the pass early ("SIGINT", "SIGTERM"), if anything
    alerts: tuple[dict[str, Any], ...] = ()  # immediate digests sent at the end of the run

    def total(self, outcome: str) -> int:
        return sum(report.counts.get(outcome, 0) for report in self.reports)

    @property
    def failed_feeds(self) -> list[FeedReport]:
        return [report for report in self.reports if report.error]

    def to_json(self) -> dict[str, Any]:
        feeds = [report for report in self.reports if report.feed]
        return {
            "kind": self.kind,
            "new": self.total(Outcome.STORED),
            "duplicates": self.total(Outcome.DUPLICATE),
            "already_seen": self.total(Outcome.SEEN),
            "irrelevant": self.total(Outcome.IRRELEVANT) + self.total(Outcome.SCREENED),
            "screened_out": self.total(Outcome.SCREENED),  # pages the pre-filter saved
            "read_undecided": self.total("read_undecided"),  # pages it cost: entries that did not decide
            "failed_pages": self.total(Outcome.FAILED),
            "skipped": self.total(Outcome.SKIPPED) + self.total(Outcome.OUTSIDE_WINDOW),
            "seeds_imported": self.seeds_imported,
            "interrupted": self.interrupted,
            "feeds_not_finished": sum(1 for r in feeds if r.interrupted),
            "feeds_resting": [{"name": r.name, "until": r.resting_until} for r in feeds if r.resting_until],
            "feeds_polled": len(feeds),  # listed to be polled: the resting and the unfinished ones too
            "feeds_ok": sum(1 for r in feeds if r.ok),
            "feeds_failed": [
                {"url": r.url, "name": r.name, "status": r.status, "error": r.error} for r in self.failed_feeds
            ],
            "sources": [asdict(report) for report in self.reports],
            "alerts": list(self.alerts),
        }

    def to_text(self) -> str:
        return summary_text(self.to_json())

    def to_markdown(self) -> str:
        rows = [
            "| source | status | entries | new | duplicate | irrelevant | failed pages | error |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.reports:
            c = r.counts
            rows.append(
                f"| {r.name} | {r.status or '-'} | {r.entries} | {c.get('stored', 0)} | "
                f"{c.get('duplicate', 0)} | {c.get('irrelevant', 0) + c.get('screened', 0)} | {c.get('failed', 0)} | "
                f"{(r.error or '').replace('|', '/')} |"
            )
        return f"# CPEC Watch {self.kind}\n\n{self.to_text()}\n\n" + "\n".join(rows) + "\n"


def nothing_polled(data: dict[str, Any]) -> str | None:
    """Why a pass with feeds to poll polled none of them (every one failed or is resting), else None: an outage,
    not a quiet day, so ``run`` and ``backfill`` exit 3 and the Prefect flow run fails."""
    if not data["feeds_polled"] or data["feeds_ok"] or data.get("interrupted"):
        return None
    failed, resting = bool(data["feeds_failed"]), bool(data["feeds_resting"])
    which = "failed or is resting" if failed and resting else "failed" if failed else "is resting"
    return f"nothing polled: every feed {which}"


def summary_text(data: dict[str, Any]) -> str:
    """The summary a person reads, from a run's JSON (the same text in-process and from a Prefect flow).

    The lines about feeds (the pre-filter, the sources) appear only when the pass had feeds to poll."""
    lines = [
        f"{data['kind']}: {data['new']} new article(s), {data['duplicates']} duplicate(s), "
        f"{data['irrelevant']} irrelevant, {data['already_seen']} already seen, "
        f"{data['failed_pages']} page(s) failed",
    ]
    feeds = data["feeds_polled"]
    if feeds:
        lines.append(
            f"pre-filter: {data['screened_out']} off-topic entries left unread, "
            f"{data['read_undecided']} undecided entries read"
        )
    if data.get("interrupted"):
        left = f"{data['feeds_not_finished']} feed(s) not polled or not finished; the next run does them"
        lines.append(f"interrupted by {data['interrupted']}: " + (left if feeds else "the next run does what is left"))
    if data["seeds_imported"]:
        lines.append(f"imported {data['seeds_imported']} seed article(s) from seeds/")
    failed = data["feeds_failed"]
    resting = data["feeds_resting"]
    if feeds:
        ok = data["feeds_ok"]
        lines.append(f"sources: {ok} ok, {len(failed)} failed" + (f", {len(resting)} resting" if resting else ""))
    if why := nothing_polled(data):
        lines.append(why)
    lines += [f"  FAILED {f['name']} ({f['url']}): {f['error']}" for f in failed]
    lines += [f"  resting {r['name']}: failing again and again, next polled after {r['until']}" for r in resting]
    lines += [
        f"  warning {s['name']}: {s['warning']}" for s in data["sources"] if s.get("warning") and not s.get("error")
    ]
    lines += [
        f"alert {a['subscription']} ({a['channel']}): {a['status']}, {a['status_changes']} status change(s)"
        + (f": {a['error']}" if a.get("error") else "")
        for a in data["alerts"]
    ]
    return "\n".join(lines)
