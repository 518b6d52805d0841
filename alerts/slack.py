"""Post digest payloads to a Slack incoming webhook.

Retries on 429 (honouring Retry-After, capped) and on 5xx or a refused connection (exponential
backoff). Any other failure raises ChannelError carrying ``delivered`` so a caller can resume with
``payloads[delivered:]``. The webhook URL is a secret: it never appears in an error message.
"""

from __future__ import annotations

from functools import partial

import httpx

from cpec_watch.alerts.errors import ChannelError
from cpec_watch.retry import Retryable, RetryPolicy

DEFAULT_POLICY = RetryPolicy(retries=3, backoff=1.0, max_retry_after=30.0)


class _Refused(Exception):
    """Slack answered with an error status."""


def send_slack(
    payloads: list[dict[str, object]],
    webhook_url: str,
    *,
    client: httpx.Client | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    timeout: float = 15.0,
) -> int:
    """POST each payload in order; return how many were posted."""
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        for delivered, payload in enumerate(payloads):
            what = f"message {delivered + 1} of {len(payloads)}"
            try:
                policy.call(partial(_post_once, http, webhook_url, payload, policy))
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise ChannelError(f"Slack webhook unreachable for {what}: {exc}", delivered=delivered) from exc
            except httpx.HTTPError as exc:
                raise ChannelError(
                    f"Slack webhook failed for {what}: {type(exc).__name__}: {exc}", delivered=delivered
                ) from exc
            except _Refused as exc:
                attempts = getattr(exc, "attempts", 1)
                tries = f" after {attempts} attempts" if attempts > 1 else ""
                raise ChannelError(f"Slack webhook refused {what}{tries}: {exc}", delivered=delivered) from exc
    finally:
        if own:
            http.close()
    return len(payloads)


def _post_once(http: httpx.Client, url: str, payload: dict[str, object], policy: RetryPolicy, _attempt: int) -> None:
    try:
        response = http.post(url, json=payload)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise Retryable(exc) from None  # nothing reached Slack, so a retry cannot post twice
    # Any other transport error: the request may have arrived, so it is not retried.
    if response.is_success:
        return
    refused = _Refused(f"HTTP {response.status_code} {response.text[:200]}".strip())
    if response.status_code == 429:
        raise Retryable(refused, policy.retry_after(response.headers.get("Retry-After")) or 1.0)
    if response.status_code >= 500:
        raise Retryable(refused)
    raise refused
