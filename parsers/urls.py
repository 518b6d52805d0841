"""Article identity from URLs: unwrap redirectors, canonicalize, hash.

Two links name the same article when their canonical forms are equal: https only, host without ``www.``/``m.``/
``amp.``, no default port, fragment, trailing slash, tracking parameters or AMP markers, remaining query sorted.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "spm",
        "s_cid",
        "icid",
        "soc_src",
        "soc_trk",
        "at_medium",
        "at_campaign",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "mc_")
REDIRECT_PARAMS = ("url", "u", "q")  # where wrappers put the target, in order of preference
_HOST_PREFIXES = ("www.", "m.", "amp.")
_MAX_UNWRAP = 5
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9a-fA-F]{2})")


def unwrap_redirect(url: str) -> str:
    """The article behind redirect wrappers (Bing News apiclick, google.com/url, l.facebook.com, ...).

    A wrapper is any link whose ``url``, ``u`` or ``q`` parameter holds an absolute http(s) URL; nested and
    double-encoded wrappers are unwrapped too. Anything else is returned unchanged.
    """
    current = url.strip()
    for _ in range(_MAX_UNWRAP):
        target = _redirect_target(current)
        if target is None:
            break
        current = target
    return current


def is_undecodable_aggregator(url: str) -> bool:
    """True for Google News article links, whose target cannot be recovered offline."""
    parts = _split(url.strip())
    if parts is None or (parts.hostname or "") != "news.google.com":
        return False
    return any(marker in parts.path for marker in ("/articles/", "/read/"))


def canonical_url(url: str) -> str:
    """The identity URL of an article (see module docstring); unparseable input comes back stripped."""
    unwrapped = unwrap_redirect(url)
    if unwrapped.startswith("//"):
        unwrapped = "https:" + unwrapped
    parts = _split(unwrapped)
    if parts is None or not parts.netloc:
        return unwrapped
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = _canonical_host(parts)
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query)
    return urlunsplit((scheme, host, path, query, ""))


def url_key(url: str) -> str:
    """First 16 hex digits of the SHA-256 of the canonical URL (the archive file-name key)."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return None
    return parts


def _redirect_target(url: str) -> str | None:
    parts = _split(url)
    if parts is None or not parts.query:
        return None
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    for name in REDIRECT_PARAMS:
        value = params.get(name, "").strip()
        while value[:8].lower() in ("http%3a%", "https%3a"):  # double-encoded target
            value = unquote(value)
        target = _split(value)
        if target is not None and target.scheme.lower() in ("http", "https") and target.hostname:
            return value
    return None


def _canonical_host(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, stripped = rest, True
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return host if parts.port in (None, 80, 443) else f"{host}:{parts.port}"


def _canonical_path(path: str) -> str:
    path = _normalize_percent(quote(path, safe=_PATH_SAFE))
    segments = [segment for segment in path.split("/") if segment.lower() != "amp"]
    path = "/".join(segments)
    if path.lower().endswith(".amp.html"):
        path = path[: -len(".amp.html")] + ".html"
    path = re.sub(r"/{2,}", "/", path).rstrip("/")
    return path if path.startswith("/") else "/" + path


def _normalize_percent(text: str) -> str:
    """Upper-case percent escapes and decode the ones that stand for unreserved characters (RFC 3986 6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(fix, text)


def _canonical_query(query: str) -> str:
    kept = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True) if not _is_noise(key, value)]
    return urlencode(sorted(kept), quote_via=quote)


def _is_noise(key: str, value: str) -> bool:
    name = key.lower()
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
        return True
    if name == "amp":
        return value.lower() in ("", "1", "true")
    return name == "outputtype" and value.lower() == "amp"
