"""The platform's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Correctness lives in the database, not in a process: dedupe is the unique key (terminal, submission id), the
case number comes from the row's sequence number, an upload's offset moves only by compare-and-set. So
several stateless instances can share one PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: SQLite makes only an ``INTEGER PRIMARY KEY`` an auto-numbered row id; PostgreSQL wants a bigint identity.
_Seq = BigInteger().with_variant(Integer(), "sqlite")

terminals = Table(
    "terminals",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("last_heartbeat_at", String(40)),
    Column("last_heartbeat", Text),  # JSON as sent: device health, queue depth
)

alerts = Table(
    "alerts",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("terminal_id", String(64), nullable=False, index=True),
    Column("kind", String(64), nullable=False),
    Column("detail", Text, nullable=False),  # JSON as sent
    Column("received_at", String(40), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    # The idempotency key forever (not a 24-hour cache): a laptop may come back after days offline. A key is
    # its terminal's: unique with terminal_id (below), so another terminal's copy never blocks the owner's.
    Column("id", String(36), nullable=False, index=True),
    Column("case_no", String(32), unique=True),
    Column("terminal_id", String(64), nullable=False, index=True),
    Column("service_code", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON of the sealed body as received
    Column("payload", LargeBinary, nullable=False),  # the opened payload, for the back office
    Column("response", Text, nullable=False),  # the first answer, replayed byte for byte
    Column("received_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    UniqueConstraint("terminal_id", "id", name="uq_submissions_terminal_id_id"),
)

submission_attachments = Table(
    "submission_attachments",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("submission_id", String(36), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("media_type", String(128), nullable=False),
    ForeignKeyConstraint(
        ["terminal_id", "submission_id"],
        ["submissions.terminal_id", "submissions.id"],
        name="fk_submission_attachments_submission",
    ),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("upload_length", BigInteger, nullable=False),
    Column("upload_offset", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False, default=False),
    Column("started_at", String(40), nullable=False),
)

attachment_chunks = Table(
    "attachment_chunks",
    metadata,
    Column("sha256", String(64), ForeignKey("attachments.sha256"), primary_key=True),
    Column("start", BigInteger, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

ratings = Table(
    "ratings",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False),
    Column("case_no", String(32), nullable=False, index=True),
    Column("service_code", String(64), nullable=False),
    Column("level", Integer, nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("response", Text, nullable=False),
    Column("received_at", String(40), nullable=False),
    UniqueConstraint("terminal_id", "id", name="uq_ratings_terminal_id_id"),
)

# -- the terminals' audit logs (审计日志, docs/audit.md): entries as received, checkpoints, cosignatures, alarms --

#: One row per terminal whose audit log the platform holds: the key pinned at its first append, and the tree the
#: platform last cosigned (its size, root and frontier, so the next append costs O(new entries)).
audit_logs = Table(
    "audit_logs",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("public_key", String(256), nullable=False),  # C2SP verifier key: name+keyid+base64(0x01 || key)
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("frontier", LargeBinary, nullable=False),
    Column("pinned_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

#: The entries' bytes exactly as received: the leaves of the terminal's tree.
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("idx", BigInteger, primary_key=True),
    Column("body", LargeBinary, nullable=False),
)

#: Every checkpoint the platform accepted: the terminal's signed note, and the same with the platform's cosignature.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("size", BigInteger, primary_key=True),
    Column("note", Text, nullable=False),
    Column("cosigned", Text, nullable=False),
    Column("cosigned_at", String(40), nullable=False),
    Column("via", String(16), nullable=False),  # "sync" or "drive"
)

#: A refused append: a smaller tree, another root for a size the platform has, a failing proof or signature.
#: The same refusal again bumps ``times`` and ``last_seen_at``.
audit_alarms = Table(
    "audit_alarms",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("terminal_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: message, the refused checkpoint, how it came
    Column("raised_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
    Column("times", Integer, nullable=False),
)


# --- assisted handling: staff, authorizations, case lifecycle (migration 0004) ---

#: Staff of a hall (帮办代办员 ``agent``, 审核 ``reviewer``): the password only as its scrypt hash
#: (``offline_cache.wire.staff_hash``), which laptops of the hall receive to log in offline.
staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("staff_no", String(32), primary_key=True),
    Column("hall", String(128), nullable=False, default="", index=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("password_hash", String(256), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

#: Each 委托 once, as received (canonical JSON of the wire form), with the case that first carried it.
staff_authorizations = Table(
    "staff_authorizations",
    metadata,
    Column("authorization_id", String(36), primary_key=True),
    Column("body", Text, nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("submission_id", String(36), nullable=False),
    Column("received_at", String(40), nullable=False),
)

#: An assisted case: who handled it, under which 委托, and its lifecycle state now (paged by ``state_at``).
staff_cases = Table(
    "staff_cases",
    metadata,
    Column("submission_id", String(36), primary_key=True),
    Column("terminal_id", String(64), primary_key=True),
    Column("case_no", String(32), nullable=False, unique=True),
    Column("staff_no", String(32), nullable=False, index=True),
    Column("service_code", String(64), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("authorization_id", String(36)),
    Column("state", String(16), nullable=False),
    Column("state_at", String(40), nullable=False, index=True),
)

#: Every step of a case's lifecycle; a laptop's 回交/回访 by its own submission (recorded once).
staff_case_events = Table(
    "staff_case_events",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("case_no", String(32), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("by", String(32), nullable=False),
    Column("terminal_id", String(64)),
    Column("event_submission_id", String(36)),
    UniqueConstraint("terminal_id", "event_submission_id", name="uq_staff_case_events_submission"),
)


# --- fleet console: users, sessions, alerts, notices, catalog versions, state history (migration 0005) ---

#: Platform users of the web console (控制台): a role, an argon2id hash, failed logins and a lock.
console_users = Table(
    "console_users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(128), nullable=False),
    Column("role", String(32), nullable=False),  # hall_manager, technician, supervisor, admin
    Column("hall", String(128), nullable=False, default=""),  # a hall manager's hall ("" for every hall)
    Column("password_hash", String(256), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", String(40)),
    Column("created_at", String(40), nullable=False),
)

#: Console sessions, in the database so any worker answers any request: the cookie's SHA-256 and its CSRF token.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

#: Where a terminal stands (region, hall), its maintenance window and the state the console last computed.
console_terminals = Table(
    "console_terminals",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("region", String(64), nullable=False, default=""),
    Column("hall", String(128), nullable=False, default=""),
    Column("maintenance_until", String(40)),
    Column("state", String(16), nullable=False),
    Column("state_since", String(40), nullable=False),
    Column("last_seen_at", String(40)),
)

#: Every change of a terminal's state, for its 30-day history and uptime.
console_state_changes = Table(
    "console_state_changes",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("terminal_id", String(64), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("at", String(40), nullable=False),
)

#: Alerts the console shows: one open row per (terminal, kind, cause); cleared when the cause goes away.
console_alerts = Table(
    "console_alerts",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("terminal_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("cause", String(128), nullable=False),
    Column("detail", Text, nullable=False),
    Column("raised_at", String(40), nullable=False),
    Column("acknowledged_at", String(40)),
    Column("acknowledged_by", String(64)),
    Column("cleared_at", String(40)),
)

#: Policy notices (政策推送) for the attract screen, targeted by region and hall, scheduled and withdrawable.
console_notices = Table(
    "console_notices",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("title_zh", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("region", String(64), nullable=False),  # "" for every region
    Column("hall", String(128), nullable=False),  # "" for every hall
    Column("starts_at", String(40), nullable=False),
    Column("ends_at", String(40)),
    Column("withdrawn_at", String(40)),
    Column("created_by", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: Published service catalogs: the newest row is what terminals fetch (by its strong ETag).
console_catalogs = Table(
    "console_catalogs",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False, unique=True),
    Column("content", Text, nullable=False),
    Column("etag", String(80), nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", String(40), nullable=False),
)


# --- usage analytics and forecasts (migration 0006) ---

#: Usage batches already counted, per terminal: a batch sent twice (a replay, a new submission id for the same
#: batch after a crash) is counted once. ``seq`` is the submission row it came in.
usage_batches = Table(
    "usage_batches",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("batch_id", String(64), primary_key=True),
    Column("hall", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("events", Integer, nullable=False),
    Column("counted_at", String(40), nullable=False),
)

#: Hourly counts per hall (hall local time, ``YYYY-MM-DDTHH``) and service (``""``: the whole hall). ``measure``
#: is ``visits``, ``chosen``, ``completed``, ``abandoned:<step>``, ``outcome:<kind>``, ``rating:<level>``,
#: ``elder``, ``lang:<language>``, ``seconds:<step>`` (summed step durations) or ``steps:<step>``.
usage_counts = Table(
    "usage_counts",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("hour", String(13), primary_key=True),
    Column("service_code", String(64), primary_key=True),
    Column("measure", String(96), primary_key=True),
    Column("value", Float, nullable=False),
)

#: Which hall a terminal stands in (as its usage batches say), for its heartbeat's forecast.
usage_terminals = Table(
    "usage_terminals",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("hall", String(64), nullable=False),
    Column("seen_at", String(40), nullable=False),
)

#: A hall's own opening hours (``9-17`` or ``9-12,13-17``) and closed days (comma-separated ISO dates).
usage_halls = Table(
    "usage_halls",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("opening_hours", String(64), nullable=False),
    Column("closed_days", Text, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

#: The nightly forecast: expected arrivals in each open hour of the next days, with the 80 % interval.
usage_forecasts = Table(
    "usage_forecasts",
    metadata,
    Column("hall", String(64), primary_key=True),
    Column("hour", String(13), primary_key=True),
    Column("point", Float, nullable=False),
    Column("lower80", Float, nullable=False),
    Column("upper80", Float, nullable=False),
    Column("method", String(128), nullable=False),
    Column("made_at", String(40), nullable=False),
)

#: How far each job has read: ``rollup`` holds the last ``submissions.seq`` counted (moved by compare-and-set).
usage_cursors = Table(
    "usage_cursors",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)
