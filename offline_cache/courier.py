"""The courier (投递): carries leased submissions and their attachments to the platform over HTTP.

It decides nothing about storage: each delivery ends in an :class:`Outcome` that the sync worker records.
The rules come from ``docs/protocol.md``: only 201/202 with the protocol's envelope is "sent"; a bare 200
(a captive portal's page) never is.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests

from offline_cache.backoff import parse_retry_after
from offline_cache.deadline import DeadlineAdapter
from offline_cache.models import Delivery, StoredAttachment
from offline_cache.wire import protocol
from offline_cache.wire.protocol import Receipt

#: A bundle of small attachments stays well under the platform's batch body limit.
_BUNDLE_BYTES = 8 * 1024 * 1024
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})
_NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class Verdict(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    QUARANTINE = "quarantined"
    PAUSE = "paused"


@dataclass(frozen=True)
class Outcome:
    """How one delivery ended; ``network`` marks a retry caused by no connection at all."""

    verdict: Verdict
    message: str = ""
    receipt: Receipt | None = None
    retry_after: float | None = None
    network: bool = False


@dataclass(frozen=True)
class PlatformLink:
    """Where the platform is and who this terminal is to it (bearer token from enrollment)."""

    url: str
    token: str
    terminal_id: str
    verify_tls: bool = True
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    #: A whole exchange (send to last byte of the answer) ends by then, however the bytes trickle.
    answer_deadline: float = 300.0


class BatchUnsupportedError(Exception):
    """The platform has no batch endpoint; deliver one by one."""


def _server_message(content: bytes) -> str:
    try:
        body = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", "replace")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    return str(body)[:200]


def receipt_from(body: Mapping[str, Any], status: int) -> Receipt:
    return Receipt(
        submission_id=str(body.get("submission_id") or body.get("id") or ""),
        case_no=str(body.get("case_no") or ""),
        received_at=str(body.get("received_at") or ""),
        status=str(body.get("status") or ("accepted" if status == 201 else "pending")),
        replayed=bool(body.get("replayed", False)),
    )


def classify(  # noqa: PLR0911 (one return per row of the protocol's table reads best)
    status: int, headers: Mapping[str, str], body: object, raw: bytes = b"", receipt_kind: str = "submission_receipt"
) -> Outcome:
    """The protocol's table of answers for one idempotent item (``body``: parsed JSON or None).

    A submission's receipt is a ``submission_receipt`` envelope; a rating's is a ``rating_receipt``.
    """
    if status in (201, 202):
        if protocol.is_envelope(body, receipt_kind):
            assert isinstance(body, dict)
            return Outcome(Verdict.SENT, receipt=receipt_from(body, status))
        return Outcome(Verdict.RETRY, f"HTTP {status} without the protocol envelope (a proxy in the way?)")
    if status == 200:
        return Outcome(Verdict.RETRY, "HTTP 200 without a receipt: a captive portal or proxy, not the platform")
    if status in RETRYABLE:
        retry_after = parse_retry_after(headers.get("Retry-After"))
        return Outcome(Verdict.RETRY, f"HTTP {status} {_server_message(raw)}".strip(), retry_after=retry_after)
    if status in (409, 422):
        return Outcome(Verdict.QUARANTINE, f"HTTP {status} {_server_message(raw)}")
    if status == 413:
        return Outcome(Verdict.QUARANTINE, "HTTP 413 too large for the platform: " + _server_message(raw))
    if status in (401, 403):
        return Outcome(
            Verdict.PAUSE,
            f"HTTP {status} {_server_message(raw)}: check this terminal's enrollment token (platform.token)",
        )
    if status == 400:
        return Outcome(Verdict.QUARANTINE, f"HTTP 400 {_server_message(raw)}")
    # Redirects (a portal's login page), 404 from a wrong proxy, anything else: not delivered, try later.
    return Outcome(Verdict.RETRY, f"HTTP {status}: unexpected answer (check platform.url and the network)")


def network_outcome(exc: Exception) -> Outcome:
    """No answer at all: retry when the network is back; the message says what a technician can check."""
    if isinstance(exc, requests.exceptions.SSLError):
        # Mostly a wrong clock on the terminal (certificates look not yet valid) or a portal's own certificate.
        return Outcome(
            Verdict.RETRY,
            "network: TLS check failed — the platform's certificate is not trusted; check this terminal's date "
            "and time, and platform.url",
            network=True,
        )
    if isinstance(exc, requests.Timeout):
        return Outcome(Verdict.RETRY, "network: the platform did not answer in time", network=True)
    return Outcome(Verdict.RETRY, f"network: {type(exc).__name__}", network=True)


def for_submission(submission_id: str, outcome: Outcome) -> Outcome:
    """A receipt counts only for the submission it names: another id means a cache or proxy answered.

    (A receipt naming none is taken for this one: the request it answers carried this id alone.)
    """
    receipt = outcome.receipt
    named = receipt.submission_id if receipt is not None else ""
    if outcome.verdict is Verdict.SENT and named and named != submission_id:
        return Outcome(
            Verdict.RETRY,
            f"the receipt names submission {named}, not this one: a cache or proxy answered instead of the platform",
        )
    return outcome


def _json_or_none(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


class PlatformClient:
    """The terminal's one HTTP client to its platform: the courier, the heartbeat, the ratings and the catalog
    all go through it, so they share its keep-alive sessions (one per thread), bearer token, terminal header,
    TLS settings and the whole-exchange deadline."""

    def __init__(self, link: PlatformLink) -> None:
        self.link = link
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def session(self) -> requests.Session:
        """This thread's session (requests' sessions are not shared between threads)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            for scheme in ("http://", "https://"):
                session.mount(scheme, DeadlineAdapter(self.link.answer_deadline))
            # Read the environment (proxy variables and NO_PROXY, a CA bundle) once for this platform rather
            # than on every request: requests' per-request look-up cost more than a small upload (measured).
            session.trust_env = False
            session.proxies.update(requests.utils.get_environ_proxies(self.link.url))
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            session.verify = bundle if self.link.verify_tls and bundle else self.link.verify_tls
            session.headers["Authorization"] = f"Bearer {self.link.token}"
            session.headers[protocol.HEADER_TERMINAL_ID] = self.link.terminal_id
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.link.connect_timeout, self.link.read_timeout)

    def reachable(self, timeout: float = 2.0) -> bool:
        """A cheap check that the platform's host accepts connections (no HTTP, no credentials)."""
        parts = urlsplit(self.link.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
                return True
        except OSError:
            return False

    def request(
        self, method: str, path: str, *, timeout: float | tuple[float, float] | None = None, **kwargs: Any
    ) -> requests.Response:
        """One exchange with the platform at ``path``; redirects are answers, never followed (a portal's)."""
        return self.session().request(
            method, self.link.url + path, timeout=timeout or self.timeout, allow_redirects=False, **kwargs
        )

    def deliver_json(
        self, path: str, body: Mapping[str, Any], *, idempotency_key: str, receipt_kind: str, timeout: float
    ) -> Outcome:
        """POST one idempotent item as JSON and read the answer by the protocol's table (:func:`classify`)."""
        try:
            answer = self.request(
                "POST", path, json=body, headers={protocol.HEADER_IDEMPOTENCY_KEY: idempotency_key}, timeout=timeout
            )
        except _NETWORK_ERRORS as exc:
            return network_outcome(exc)
        return classify(answer.status_code, answer.headers, _json_or_none(answer), answer.content, receipt_kind)


class Courier:
    """Carries the outbox's submissions and attachments over the terminal's :class:`PlatformClient`."""

    def __init__(self, link: PlatformLink, client: PlatformClient | None = None) -> None:
        self.link = link
        self.client = client or PlatformClient(link)
        self._bundles = True  # False once the platform answers that it has no bundle path

    def session(self) -> requests.Session:
        return self.client.session()

    def close(self) -> None:
        self.client.close()

    def reachable(self, timeout: float = 2.0) -> bool:
        return self.client.reachable(timeout)

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.client.request(method, path, **kwargs)

    # -- attachments --------------------------------------------------------------------------------------

    def upload_attachment(  # noqa: PLR0911
        self, attachment: StoredAttachment, first_attempt: bool = False
    ) -> Outcome | None:
        """Send the chunks the platform lacks; None once it holds the whole file.

        After an earlier attempt it asks first (HEAD) and sends only what is missing. On the very first
        attempt nothing can be there yet except a finished copy, so it sends from the start at once: the
        platform answers 201 for content it already holds, or 409 with the offset to resume from.
        """
        path = protocol.PATH_ATTACHMENT.format(sha256=attachment.sha256)
        try:
            head = None if first_attempt else self._request("HEAD", path)
            if head is None or head.status_code == 404:
                offset = 0
            elif head.ok:
                offset = int(head.headers.get(protocol.HEADER_UPLOAD_OFFSET, "0"))
                if offset >= attachment.size and self._complete(head, attachment):
                    return None
            else:
                return self._attachment_failure(head)
            conflicts = 0
            with attachment.path.open("rb") as handle:
                while conflicts < 3:
                    handle.seek(offset)
                    answer = self._put_chunk(path, offset, attachment.size, handle.read(protocol.CHUNK_SIZE))
                    if answer.status_code == 201:
                        return None
                    if answer.status_code not in (202, 409) or protocol.HEADER_UPLOAD_OFFSET not in answer.headers:
                        return self._attachment_failure(answer)
                    # 202: the next chunk; 409: the platform holds a different amount, go on from there.
                    conflicts += answer.status_code == 409
                    offset = int(answer.headers[protocol.HEADER_UPLOAD_OFFSET])
            return Outcome(Verdict.RETRY, f"attachment {attachment.sha256[:12]}: upload offset keeps moving")
        except _NETWORK_ERRORS as exc:
            return network_outcome(exc)
        except FileNotFoundError:
            return Outcome(Verdict.QUARANTINE, f"sealed attachment file missing: {attachment.path}")

    @staticmethod
    def _complete(head: requests.Response, attachment: StoredAttachment) -> bool:
        length = head.headers.get(protocol.HEADER_UPLOAD_LENGTH)
        return length is None or int(length) == attachment.size

    def _put_chunk(self, path: str, offset: int, length: int, chunk: bytes) -> requests.Response:
        return self._request(
            "PUT",
            path,
            data=chunk,
            headers={
                protocol.HEADER_UPLOAD_OFFSET: str(offset),
                protocol.HEADER_UPLOAD_LENGTH: str(length),
                "Content-Type": "application/octet-stream",
            },
        )

    @staticmethod
    def _attachment_failure(answer: requests.Response) -> Outcome:
        outcome = classify(answer.status_code, answer.headers, None, answer.content)
        return Outcome(outcome.verdict, "attachment: " + outcome.message, retry_after=outcome.retry_after)

    def upload_bundles(self, deliveries: Sequence[Delivery]) -> set[str]:
        """Send the small attachments of first attempts whole, many per request; returns the SHA-256s the
        platform now holds. Whatever is not held (refused, being uploaded elsewhere, an older platform without
        the path, no network) then goes the resumable way, so a bundle only ever saves requests."""
        small = {
            a.sha256: a for d in deliveries if d.attempts <= 1 for a in d.attachments if a.size <= protocol.CHUNK_SIZE
        }
        if not self._bundles or len(small) < 2:
            return set()
        held: set[str] = set()
        group: list[StoredAttachment] = []
        for attachment in small.values():
            group.append(attachment)
            if len(group) == protocol.BATCH_MAX_ITEMS or sum(a.size for a in group) >= _BUNDLE_BYTES:
                held |= self._send_bundle(group)
                group = []
        return held | (self._send_bundle(group) if group else set())

    def _send_bundle(self, group: Sequence[StoredAttachment]) -> set[str]:
        manifest = json.dumps({"attachments": [{"sha256": a.sha256, "size": a.size} for a in group]}).encode()
        try:
            parts = [a.path.read_bytes() for a in group]
            answer = self._request(
                "POST",
                protocol.PATH_ATTACHMENTS_BATCH,
                data=b"".join([len(manifest).to_bytes(4, "big"), manifest, *parts]),
                headers={"Content-Type": "application/octet-stream"},
            )
        except (*_NETWORK_ERRORS, OSError):
            return set()
        if answer.status_code in (404, 405):
            self._bundles = False
            return set()
        body = _json_or_none(answer)
        if answer.status_code != 200 or not protocol.is_envelope(body, "attachment_batch_result"):
            return set()
        assert isinstance(body, dict)
        results = body.get("results")
        return {
            str(item.get("sha256"))
            for item in (results if isinstance(results, list) else [])
            if isinstance(item, dict) and item.get("complete") is True
        }

    def _upload_all(self, delivery: Delivery, held: set[str] | frozenset[str] = frozenset()) -> Outcome | None:
        for attachment in delivery.attachments:
            if attachment.sha256 in held:
                continue
            failed = self.upload_attachment(attachment, first_attempt=delivery.attempts <= 1)
            if failed is not None:
                return failed
        return None

    # -- submissions --------------------------------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> Outcome:
        """Attachments first, then the submission with its idempotency key."""
        failed = self._upload_all(delivery, self.upload_bundles([delivery]))
        if failed is not None:
            return failed
        try:
            answer = self._request(
                "POST",
                protocol.PATH_SUBMISSIONS,
                data=delivery.body,
                headers={protocol.HEADER_IDEMPOTENCY_KEY: delivery.id, "Content-Type": "application/json"},
            )
        except _NETWORK_ERRORS as exc:
            return network_outcome(exc)
        return for_submission(
            delivery.id, classify(answer.status_code, answer.headers, _json_or_none(answer), answer.content)
        )

    def deliver_batch(self, deliveries: Sequence[Delivery]) -> dict[str, Outcome]:
        """Many submissions in one request; each is still answered (and deduplicated) on its own."""
        outcomes: dict[str, Outcome] = {}
        ready = []
        held = self.upload_bundles(deliveries)
        for delivery in deliveries:
            failed = self._upload_all(delivery, held)
            if failed is None:
                ready.append(delivery)
            else:
                outcomes[delivery.id] = failed
        if not ready:
            return outcomes
        payload = b'{"submissions":[' + b",".join(d.body for d in ready) + b"]}"
        try:
            answer = self._request(
                "POST",
                protocol.PATH_SUBMISSIONS_BATCH,
                data=payload,
                headers={"Content-Type": "application/json"},
            )
        except _NETWORK_ERRORS as exc:
            outcome = network_outcome(exc)
            return outcomes | {d.id: outcome for d in ready}
        if answer.status_code in (404, 405):
            raise BatchUnsupportedError(f"HTTP {answer.status_code}")
        body = _json_or_none(answer)
        if answer.status_code in (200, 201, 202) and protocol.is_envelope(body, "batch_result"):
            assert isinstance(body, dict)
            return outcomes | self._batch_items(ready, body)
        outcome = classify(answer.status_code, answer.headers, None, answer.content)
        if outcome.verdict is Verdict.QUARANTINE:
            # The batch as a whole was refused (too large, malformed): retry its items one by one.
            outcome = Outcome(Verdict.RETRY, outcome.message)
        return outcomes | {d.id: outcome for d in ready}

    @staticmethod
    def _batch_items(ready: Sequence[Delivery], body: Mapping[str, Any]) -> dict[str, Outcome]:
        results = {str(item.get("id")): item for item in body.get("results", []) if isinstance(item, dict)}
        outcomes = {}
        for delivery in ready:
            item = results.get(delivery.id)
            if item is None:
                outcomes[delivery.id] = Outcome(Verdict.RETRY, "batch answer did not name this submission")
                continue
            status = int(item.get("status", 0))
            inner = item.get("body", item)
            raw = json.dumps(inner).encode() if status >= 400 else b""
            outcomes[delivery.id] = for_submission(delivery.id, classify(status, {}, inner, raw))
        return outcomes
