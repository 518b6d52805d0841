"""Digest content from the store, and the outbox that makes each digest go out once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cpec_watch.clock import utcnow
from cpec_watch.config.subscriptions import Subscription
from cpec_watch.models import Digest, DigestArticle, DigestUpdate, FeedProblem, OlderImports, SourceLink
from cpec_watch.parsers.items import Catalogue
from cpec_watch.parsers.status import excerpt
from cpec_watch.storage.feeds import failing_feeds
from cpec_watch.storage.models import ArticleRow, DigestRecord, UpdateRow
from cpec_watch.storage.tracking import TimelineEntry, timeline

FEED_PROBLEM_AFTER = timedelta(days=1)  # a feed failing this long is reported, so silence is not "no news"
GONE_OUT = ("sent", "sending", "partial")  # statuses whose period may have reached the reader
OLDER_THAN = timedelta(days=30)  # reporting dated this long before a digest's period is an import, not news
LATE_AFTER = timedelta(days=2)  # a change dated this long before the period corrects the history: not news


def last_period_end(sess: Session, subscription: str) -> datetime | None:
    """Where the subscription's previous digest (that may have gone out) ended."""
    return sess.exec(
        select(DigestRecord.period_end)
        .where(DigestRecord.subscription == subscription, col(DigestRecord.status).in_(GONE_OUT))
        .order_by(col(DigestRecord.period_end).desc())
    ).first()


def unfinished(sess: Session, subscription: str) -> list[DigestRecord]:
    """Digests only partly delivered (Slack), to resume before anything new is sent."""
    return list(
        sess.exec(
            select(DigestRecord)
            .where(DigestRecord.subscription == subscription, DigestRecord.status == "partial")
            .order_by(col(DigestRecord.id))
        ).all()
    )


def begin_send(
    sess: Session, sub: Subscription, digest: Digest, content: str, *, claim: bool = True
) -> DigestRecord | None:
    """Record the digest before sending it (status ``sending``); None when another run is sending this period.

    The claim ``<subscription>:<period start>`` is unique, so two scheduled runs at once cannot both
    send the period that follows the last digest (an explicit ``--since`` re-send claims nothing).
    """
    start = digest.period_start.isoformat() if digest.period_start and not digest.first else "beginning"
    record = DigestRecord(
        subscription=sub.name,
        channel=sub.channel,
        period_start=digest.period_start,
        period_end=digest.period_end,
        status="sending",
        content=content,
        updates=digest.update_count,
        claim=f"{sub.name}:{start}" if claim else None,
    )
    sess.add(record)
    try:
        sess.commit()
    except IntegrityError:
        sess.rollback()
        return None
    return record


def finish_send(
    sess: Session, record: DigestRecord, status: str, *, delivered: int = 0, error: str | None = None
) -> None:
    """Mark the outcome; a failed digest gives up its claim, so the next run covers its period again."""
    record.status, record.delivered, record.error = status, delivered, error
    record.claim = None if status == "failed" else record.claim
    record.sent_at = utcnow() if status == "sent" else None
    sess.add(record)
    sess.commit()


def collect_digest(
    sess: Session,
    catalogue: Catalogue,
    sub: Subscription,
    start: datetime | None,
    end: datetime,
    *,
    changes_only: bool = False,
    announce: float | None = None,
    base_url: str | None = None,
) -> Digest:
    """What is new for ``sub`` in (start, end]: status changes, other updates, other news, feed health.

    A first digest (``start`` None) lists the reporting of the subscription's ``first_window`` days only. Reporting
    recorded in the period but dated long before it (a backfill) is counted in one line, not listed; an item's
    updates past ``per_item`` (its latest reporting is kept) are counted as "and M more".
    """
    names = {item.slug: item for item in catalogue.items}
    period = start if start is not None else end - timedelta(days=sub.first_window)
    older_before = period.date() - (OLDER_THAN if start is not None else timedelta(0))
    fresh = [
        e
        for e in timeline(sess, announce=announce)
        if (start is None or e.created_at > start)
        and e.created_at <= end
        and sub.wants(e.item, names[e.item].category if e.item in names else "")
    ]
    announced = [e for e in fresh if e.is_change and not _late(e, period)]
    done = {e.id for e in announced}
    older = [] if changes_only else [e for e in fresh if e.id not in done and _older(e, period, older_before)]
    done |= {e.id for e in older}
    listed, more = _budget([e for e in fresh if e.id not in done], sub.per_item)
    changes = tuple(_update(e, catalogue) for e in announced)
    others = () if changes_only else tuple(_update(e, catalogue) for e in listed)
    every = () if changes_only or not sub.wants_everything else _other_news(sess, start, end)
    old_news = [n for n in every if n.date is not None and n.date < older_before]
    news = tuple(n for n in every if n.date is None or n.date >= older_before)
    old_urls = {u for e in older for _, u in e.sources} | {n.url for n in old_news}
    imports = OlderImports(len(old_urls), len(older), older_before) if old_urls else None
    problems = tuple(
        FeedProblem(f.name, f.last_error or "failing", f.failing_since)
        for f in failing_feeds(sess, end - FEED_PROBLEM_AFTER)
        if f.failing_since is not None
    )
    return Digest(
        "CPEC Watch digest",
        utcnow(),
        period,
        end,
        changes,
        others,
        news,
        problems,
        more=() if changes_only else more,
        older=imports,
        first=start is None,
        base_url=base_url,
    )


def _older(entry: TimelineEntry, period: datetime, before: date) -> bool:
    """Reporting dated long before the period (undated: recorded before it), so imported, not news."""
    return entry.date < before if entry.date is not None else entry.created_at <= period


def _budget(entries: list[TimelineEntry], per_item: int) -> tuple[list[TimelineEntry], tuple[tuple[str, int], ...]]:
    """At most ``per_item`` updates of each item, its latest reporting, in the given order; and per item how
    many are left out."""
    by_item: dict[str, list[TimelineEntry]] = {}
    for entry in entries:
        by_item.setdefault(entry.item, []).append(entry)
    kept: set[int] = set()
    more = []
    for item, own in by_item.items():
        latest = sorted(own, key=lambda e: (e.date or date.min, e.id), reverse=True)
        kept |= {e.id for e in latest[:per_item]}
        if len(own) > per_item:
            more.append((item, len(own) - per_item))
    return [e for e in entries if e.id in kept], tuple(more)


def _late(entry: TimelineEntry, start: datetime | None) -> bool:
    """A report dated well before the period began (yesterday's article fetched today is still news): it corrects
    the history, it is not news of a change."""
    return start is not None and entry.date is not None and entry.date < start.date() - LATE_AFTER


def _update(entry: TimelineEntry, catalogue: Catalogue) -> DigestUpdate:
    """The digest's view of an update: the part of the evidence that holds the item and its status cue."""
    known = {item.slug: item for item in catalogue.items}
    return DigestUpdate(
        entry.item,
        known[entry.item].name if entry.item in known else entry.item,
        entry.status,
        entry.previous_status,
        excerpt(entry.evidence, entry.item, catalogue),
        entry.date,
        tuple(SourceLink(o, u) for o, u in entry.sources),
        entry.times,
        entry.amounts,
        entry.confidence,
    )


def _other_news(sess: Session, start: datetime | None, end: datetime) -> tuple[DigestArticle, ...]:
    """One article per new story that reported no tracked item."""
    tracked = select(UpdateRow.story_id)
    query = select(ArticleRow).where(col(ArticleRow.story_id).not_in(tracked), col(ArticleRow.fetched_at) <= end)
    if start is not None:
        query = query.where(col(ArticleRow.fetched_at) > start)
    seen, news = set(), []
    for article in sess.exec(query.order_by(col(ArticleRow.id))).all():
        if article.story_id not in seen:
            seen.add(article.story_id)
            news.append(
                DigestArticle(article.title or article.body[:90], article.source, article.url, article.published)
            )
    return tuple(news)
