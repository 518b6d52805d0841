"""Post digest payloads to a Slack incoming webhook.

Retries on 429 (honouring Retry-After, capped) and on 5xx or a refused connection (exponential
backoff). Any other failure raises ChannelError carrying ``delivered`` so a caller can resume with
``payloads[delivered:]``. The webhook URL is a secret: it never appears in an error message.
"""
from __future__ import annotations

import time

import httpx

from cpec_watch.alerts.errors import ChannelError

MAX_RETRY_AFTER = 30.0


def send_slack(
    payloads: list[dict[str, object]],
    webhook_url: str,
    *,
    client: httpx.Client | None = None,
    max_retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 15.0,
) -> int:
    """POST each payload in order; return how many were posted."""
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        for delivered, payload in enumerate(payloads):
            _post(http, webhook_url, payload, f"message {delivered + 1} of {len(payloads)}",
                  max_retries, backoff, delivered)
    finally:
        if own:
            http.close()
    return len(payloads)


def _post(http: httpx.Client, url: str, payload: dict[str, object], what: str,
          max_retries: int, backoff: float, delivered: int) -> None:
    for attempt in range(max_retries + 1):
        last = attempt == max_retries
        try:
            response = http.post(url, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing reached Slack, so a retry cannot post twice.
            if last:
                raise ChannelError(f"Slack webhook unreachable for {what}: {exc}", delivered=delivered) from exc
            time.sleep(backoff * 2**attempt)
            continue
        except httpx.HTTPError as exc:
            # The request may have arrived: do not retry, let the caller decide.
            raise ChannelError(f"Slack webhook failed for {what}: {type(exc).__name__}: {exc}",
                               delivered=delivered) from exc
        if response.is_success:
            return
        reason = f"HTTP {response.status_code} {response.text[:200]}".strip()
        if last or not (response.status_code == 429 or response.status_code >= 500):
            tries = f" after {attempt + 1} attempts" if attempt else ""
            raise ChannelError(f"Slack webhook refused {what}{tries}: {reason}", delivered=delivered)
        time.sleep(_retry_after(response) if response.status_code == 429 else backoff * 2**attempt)


def _retry_after(response: httpx.Response) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
