"""Any Apprise URL (Telegram, Matrix, Discord, ntfy, ...) as a digest channel, sent as Markdown.

apprise is an optional extra (``pip install 'cpec-watch[apprise]'``), imported only when the channel sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cpec_watch.alerts.errors import ChannelError
from cpec_watch.alerts.render import to_markdown
from cpec_watch.models import Digest


def send_apprise(digest: Digest, urls: Sequence[str]) -> None:
    """Notify every Apprise URL; ChannelError when a URL is not understood or any delivery fails.

    URLs may hold credentials, so errors name only their scheme.
    """
    if not urls:
        raise ChannelError("no Apprise URL given")
    apprise = _apprise()
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            raise ChannelError(f"not a valid Apprise URL (scheme {url.partition('://')[0]!r})")
    ok = notifier.notify(body=to_markdown(digest), title=digest.subject, body_format=apprise.NotifyFormat.MARKDOWN)
    if not ok:
        schemes = ", ".join(sorted({u.partition("://")[0] for u in urls}))
        raise ChannelError(f"Apprise could not deliver the digest to every URL ({schemes})")


def _apprise() -> Any:
    try:
        import apprise
    except ImportError:
        raise ChannelError("the apprise channel needs apprise: pip install 'cpec-watch[apprise]'") from None
    return apprise
