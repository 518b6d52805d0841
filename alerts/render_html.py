"""The digest as an email-safe HTML document: inline styles only, no script, no external resources.

Every article-derived string goes through ``html.escape``; only http(s) URLs become links.
"""

from __future__ import annotations

from html import escape

from cpec_watch.alerts.render import (
    EMPTY_LINE,
    clean,
    extras,
    fmt_date,
    group_by_item,
    period_line,
    problem_line,
    safe_url,
    split_sources,
)
from cpec_watch.models import Digest, DigestArticle, DigestUpdate, SourceLink

_FONT = "font-family:Helvetica,Arial,sans-serif;"
_H2 = "font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #d1d5db;color:#111827;"
_CARD = "background:#ffffff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:0 0 12px;"
_CHANGE = (
    "background:#ffffff;border:1px solid #e5e7eb;border-left:4px solid #15803d;border-radius:6px;"
    "padding:12px 16px;margin:0 0 12px;"
)
_META = "margin:4px 0 0;font-size:13px;color:#6b7280;"
_LINK = "color:#1d4ed8;text-decoration:underline;"
_PILL = "display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:bold;"
_OLD = _PILL + "background:#f3f4f6;color:#4b5563;"
_NEW = _PILL + "background:#dcfce7;color:#166534;"
_STATUS = _PILL + "background:#e0e7ff;color:#3730a3;"


def _e(text: str) -> str:
    return escape(clean(text), quote=True)


def _link(label: str, url: str) -> str:
    target = safe_url(url)
    if target is None:
        return _e(label)
    return f'<a href="{escape(target, quote=True)}" style="{_LINK}">{_e(label)}</a>'


def _sources(sources: tuple[SourceLink, ...]) -> str:
    shown, hidden = split_sources(sources)
    html = ", ".join(_link(s.outlet, s.url) for s in shown)
    if hidden:
        others = ", ".join(clean(s.outlet) for s in hidden)
        html += f' <span title="{escape(others, quote=True)}">+{len(hidden)}</span>'
    return html


def _meta(update: DigestUpdate, *, with_status: bool) -> str:
    parts = [escape(fmt_date(update.date))]
    if with_status:
        parts.append(f'<span style="{_STATUS}">{_e(update.status)}</span>')
    if extra := extras(update):
        parts.append(_e(extra))
    if update.sources:
        parts.append(_sources(update.sources))
    return f'<p style="{_META}">{" · ".join(parts)}</p>'


def _change(update: DigestUpdate) -> str:
    old = _e(update.previous_status) if update.previous_status is not None else "new"
    return (
        f'<div style="{_CHANGE}">'
        f'<p style="margin:0 0 6px;font-size:15px;font-weight:bold;">{_e(update.item_name)} '
        f'<span style="font-weight:normal;color:#6b7280;">({_e(update.item_slug)})</span></p>'
        f'<p style="margin:0 0 8px;"><span style="{_OLD}">{old}</span> → '
        f'<span style="{_NEW}">{_e(update.status)}</span></p>'
        f'<p style="margin:0;">{_e(update.evidence)}</p>{_meta(update, with_status=False)}</div>'
    )


def _item(slug: str, name: str, updates: list[DigestUpdate]) -> str:
    rows = []
    for i, update in enumerate(updates):
        border = "" if i == 0 else "border-top:1px solid #f3f4f6;"
        rows.append(
            f'<div style="padding:8px 0;{border}"><p style="margin:0;">{_e(update.evidence)}</p>'
            f"{_meta(update, with_status=True)}</div>"
        )
    return (
        f'<div style="{_CARD}"><h3 style="font-size:15px;margin:0 0 4px;color:#111827;">{_e(name)} '
        f'<span style="font-weight:normal;color:#6b7280;">({_e(slug)})</span></h3>{"".join(rows)}</div>'
    )


def _article(article: DigestArticle) -> str:
    return (
        f'<li style="margin:0 0 8px;">{_link(article.title, article.url)}'
        f'<br><span style="font-size:13px;color:#6b7280;">{_e(article.outlet)} · '
        f"{escape(fmt_date(article.date))}</span></li>"
    )


def to_html(digest: Digest) -> str:
    """A complete HTML document for the text/html part of the email."""
    body = [
        f'<h1 style="font-size:22px;margin:0 0 4px;color:#111827;">{_e(digest.title)}</h1>',
        f'<p style="margin:0;font-size:13px;color:#6b7280;">{_e(period_line(digest))} · {_e(digest.summary)}</p>',
    ]
    if digest.is_empty:
        body.append(f'<p style="margin:24px 0;">{escape(EMPTY_LINE)}</p>')
    if digest.status_changes:
        body.append(f'<h2 style="{_H2}">Status changes ({len(digest.status_changes)})</h2>')
        body += [_change(u) for u in digest.status_changes]
    if digest.updates:
        body.append(f'<h2 style="{_H2}">Updates ({len(digest.updates)})</h2>')
        body += [_item(slug, name, ups) for slug, name, ups in group_by_item(digest.updates)]
    if digest.other_news:
        body.append(f'<h2 style="{_H2}">Other CPEC news ({len(digest.other_news)})</h2>')
        body.append(f'<ul style="margin:0;padding-left:20px;">{"".join(map(_article, digest.other_news))}</ul>')
    if digest.feed_problems:
        body.append(f'<h2 style="{_H2}">Feed health</h2>')
        items = "".join(f'<li style="margin:0 0 4px;">{_e(problem_line(p))}</li>' for p in digest.feed_problems)
        body.append(f'<ul style="margin:0;padding-left:20px;color:#b45309;">{items}</ul>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(digest.subject)}</title></head>\n"
        f'<body style="margin:0;padding:0;background:#f3f4f6;">'
        f'<div style="max-width:680px;margin:0 auto;padding:24px 16px;{_FONT}color:#1f2937;'
        f'font-size:15px;line-height:1.5;">\n' + "\n".join(body) + "\n</div></body></html>\n"
    )
