"""The wire protocol between a terminal and the central platform (中心平台), version 1.

Both ends import these names; ``docs/protocol.md`` explains them in prose. HTTP/JSON under ``/api/v1``.

Authentication: ``Authorization: Bearer <terminal token>`` issued at enrollment, plus ``X-Terminal-Id``.

Delivery is done only when the answer is 201 or 202 *and* the body is an :data:`ENVELOPE` object whose
``protocol`` equals :data:`PROTOCOL`. A bare 200 (a captive portal's login page) is never success.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

PROTOCOL = "hall-kiosk/1"
API_PREFIX = "/api/v1"

HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"
HEADER_TERMINAL_ID = "X-Terminal-Id"
HEADER_REPLAYED = "Idempotent-Replayed"
HEADER_UPLOAD_OFFSET = "Upload-Offset"
HEADER_UPLOAD_LENGTH = "Upload-Length"

#: Attachment chunk size for resumable uploads.
CHUNK_SIZE = 256 * 1024

# Paths (format with .format(**fields)).
PATH_CATALOG = API_PREFIX + "/catalog"
PATH_ATTACHMENT = API_PREFIX + "/attachments/{sha256}"
#: Many small attachments in one request: a 4-byte big-endian manifest length, the manifest (JSON
#: ``{"attachments": [{"sha256": …, "size": …}, …]}``), then each attachment's bytes in manifest order.
PATH_ATTACHMENTS_BATCH = API_PREFIX + "/attachments:batch"
PATH_SUBMISSIONS = API_PREFIX + "/submissions"
PATH_SUBMISSIONS_BATCH = API_PREFIX + "/submissions:batch"
PATH_CASE = API_PREFIX + "/cases/{case_no}"
PATH_RATINGS = API_PREFIX + "/ratings"
PATH_HEARTBEAT = API_PREFIX + "/terminals/{terminal_id}/heartbeat"
PATH_ENROLL = API_PREFIX + "/terminals/enroll"
PATH_PLATFORM_KEYS = API_PREFIX + "/platform-keys"
#: The terminal's audit log: new entries and a signed checkpoint in, the platform's cosignature out
#: (``offline_cache.wire.audit_sync``, ``docs/audit.md``).
PATH_AUDIT_APPEND = API_PREFIX + "/audit:append"
#: Most entries one audit append may carry (its body stays under ``MAX_SUBMISSION_BYTES``).
AUDIT_MAX_ENTRIES = 2048
#: Assisted handling (帮办代办, docs/protocol.md): the hall's staff accounts with their password hashes, and the
#: lifecycle of a staff member's cases, paged (``?staff=NO&since=ISO&cursor=…&limit=…``).
PATH_STAFF = API_PREFIX + "/staff"
PATH_CASES = API_PREFIX + "/cases"
CASES_PAGE_DEFAULT = 200
CASES_PAGE_MAX = 1000
#: A sealed payload's ``kind`` for a 回交 / 回访 recorded on a laptop: an event of an existing case, not a case.
KIND_CASE_EVENT = "case_event"
#: Staff roles: 代办员 and 审核.
STAFF_ROLES = ("agent", "reviewer")
#: 全程代办 / 环节帮办.
ASSISTED_MODES = ("full", "step")
#: A case's lifecycle at the platform: 受理 办理 中止 续办 办结 终止 回交 回访.
CASE_STATES = (
    "accepted",
    "processing",
    "suspended",
    "resumed",
    "concluded",
    "terminated",
    "handed_back",
    "followed_up",
)
#: Each lifecycle state as a staff member reads it (the laptop's case list, the console, the platform's errors).
CASE_STATE_LABELS = {
    "accepted": "受理",
    "processing": "办理",
    "suspended": "中止",
    "resumed": "续办",
    "concluded": "办结",
    "terminated": "终止",
    "handed_back": "回交",
    "followed_up": "回访",
}
#: What a laptop may record offline as a ``case_event``.
CASE_EVENT_STATES = ("handed_back", "followed_up")

#: Sealing algorithm name carried in every sealed object a terminal makes: the submission id *and the
#: terminal id* are bound into every AEAD (``offline_cache.wire.sealing``), so a copy of the body posted by
#: another terminal does not open.
SEAL_ALG = "X25519-HKDF-SHA256/A256GCM+terminal"
#: What earlier releases sealed with: only the submission id is bound. Still opened, for the submissions that
#: were queued before the upgrade (docs/protocol.md, "Sealing").
SEAL_ALG_UNBOUND = "X25519-HKDF-SHA256/A256GCM"

# Limits both ends apply: the platform refuses more (413 or 422), and the terminal refuses it at ``put`` so that
# nothing is queued that could never be delivered. A platform may be configured with a lower attachment limit
# (it says so in the heartbeat's ``config``); these are the protocol's defaults.
MiB = 1024 * 1024
#: Most bytes of one submission body (``POST /submissions``, and each item of a batch).
MAX_SUBMISSION_BYTES = 2 * MiB
#: Most bytes of one sealed attachment.
MAX_ATTACHMENT_BYTES = 20 * MiB
#: Most bytes of one batch request (submissions or attachments).
MAX_BATCH_BYTES = 64 * MiB
#: Most attachments one submission names.
MAX_ATTACHMENTS = 50
#: Longest terminal id, and summary fields, in characters: service code, service name, masked applicant name.
MAX_TERMINAL_ID_CHARS = 64
MAX_SERVICE_CODE_CHARS = 64
MAX_SERVICE_NAME_CHARS = 200
MAX_APPLICANT_MASKED_CHARS = 64
#: Deepest nesting of arrays and objects in any JSON document either end reads (a submission is 3 deep).
MAX_JSON_DEPTH = 32
#: The reserved service code of a batch of anonymous usage events (docs/usage.md): sealed and sent through the
#: outbox like a case, counted by the platform's usage rollup, never a case for the back office.
USAGE_SERVICE_CODE = "_usage"
#: The kinds of usage event a batch may hold.
USAGE_EVENT_KINDS = (
    "visit_started",
    "service_chosen",
    "step_done",
    "visit_abandoned",
    "outcome",
    "rating",
    "visit_ended",
)


@dataclass(frozen=True)
class SealedBlob:
    """A payload sealed to the platform: only the platform's private key opens it.

    ``epk``: the terminal's ephemeral X25519 public key (raw, 32 bytes) for this submission;
    ``wrapped_key``: the submission's AES-256 data key, AES-GCM-encrypted under HKDF(X25519(epk, platform));
    ``nonce`` + ``ciphertext``: the payload under the data key (AES-256-GCM, tag appended), with the
    submission id as associated data. All bytes travel as base64 in JSON.
    """

    alg: str
    epk: bytes
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment as the submission names it: content address of the sealed bytes, size, and kind."""

    sha256: str
    size: int
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SubmissionSummary:
    """The masked summary kept in clear: enough for a screen, nothing private ("张*三")."""

    service_code: str
    service_name: str
    applicant_masked: str
    created_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class Receipt:
    """The platform's acceptance of one submission (受理回执): what the envelope carries."""

    submission_id: str
    case_no: str
    received_at: str
    status: str  # "accepted" (201) or "pending" (202: stored, case number to follow)
    replayed: bool = False


def envelope(kind: str, **fields: Any) -> dict[str, Any]:
    """The protocol's success envelope: ``{"protocol": PROTOCOL, "kind": kind, ...fields}``."""
    return {"protocol": PROTOCOL, "kind": kind, **fields}


def error_body(code: str, message: str) -> dict[str, Any]:
    """The protocol's error body; ``message`` is readable by a technician."""
    return {"protocol": PROTOCOL, "error": {"code": code, "message": message}}


def is_envelope(body: object, kind: str) -> bool:
    """True when ``body`` is this protocol's envelope of ``kind`` (a captive portal's page never is)."""
    return isinstance(body, dict) and body.get("protocol") == PROTOCOL and body.get("kind") == kind


#: Most submissions one ``POST /submissions:batch`` may carry.
BATCH_MAX_ITEMS = 500


def canonical_json(value: Any) -> bytes:
    """The one byte form both ends sign and compare: sorted keys, no spaces, UTF-8 (receipts, dedupe).

    orjson writes strings, integers, lists and objects byte for byte as ``json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` does (tested), about fifteen times faster: the platform
    canonicalises every submission it receives. Values are JSON's own types; a float, which no signed or
    compared body holds, would be written in orjson's shortest form.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


class JsonTooDeepError(json.JSONDecodeError):
    """A JSON document nested deeper than allowed (a ``json.JSONDecodeError``, so callers treat it as bad JSON)."""


def load_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from an untrusted source: never a ``RecursionError`` or ``OverflowError``.

    orjson refuses numbers beyond a double (``1e400``), lone surrogates (``"\\udc80"``) and invalid UTF-8, and
    stops at 1024 levels; the walk below (iterative, so its own depth costs nothing) holds documents to
    ``max_depth`` levels, so nothing downstream (validation, ``json.dumps``) recurses deeply either. Raises a
    ``json.JSONDecodeError`` (a ``ValueError``) with a message that quotes nothing of the document.
    """
    value = orjson.loads(data)
    # Level by level: a batch of 500 submissions is a few thousand containers, walked in a few milliseconds.
    # orjson makes only plain dicts and lists, so ``type(...) is`` is exact (and faster than isinstance).
    level: list[Any] = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            raise JsonTooDeepError(f"nested deeper than {max_depth} levels", "", 0)
        level = [
            child
            for item in level
            for child in (item.values() if type(item) is dict else item)
            if type(child) is dict or type(child) is list
        ]
    return value
