"""The digest as an email-safe HTML document (``templates/digest.html``, autoescaped)."""

from __future__ import annotations

from cpec_watch.alerts.render import render
from cpec_watch.models import Digest


def to_html(digest: Digest) -> str:
    """A complete HTML document for the text/html part of the email."""
    # markupsafe writes a quote as &#34; (it escapes every "&" of the text, so no other &#34; can occur);
    # the email part has always spelled it &quot;.
    return render("digest.html", digest).replace("&#34;", "&quot;")
