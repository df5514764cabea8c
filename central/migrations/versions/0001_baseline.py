"""The platform's schema as the release before migrations made it with ``metadata.create_all``.

Written out here, not derived from ``central.schema``: a revision stays what it was when the schema moves on.
A database from that release (these tables, no ``alembic_version``) is stamped with this revision.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: SQLite makes only an ``INTEGER PRIMARY KEY`` an auto-numbered row id; PostgreSQL wants a bigint identity.
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_alerts_terminal_id", "alerts", ["terminal_id"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("upload_length", sa.BigInteger(), nullable=False),
        sa.Column("upload_offset", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "ratings",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id", name="uq_ratings_id"),
    )
    op.create_index("ix_ratings_case_no", "ratings", ["case_no"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=True),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("case_no"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("ix_submissions_terminal_id", "submissions", ["terminal_id"], unique=False)

    op.create_table(
        "terminals",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("enrolled_at", sa.String(length=40), nullable=False),
        sa.Column("last_heartbeat_at", sa.String(length=40), nullable=True),
        sa.Column("last_heartbeat", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("terminal_id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["attachments.sha256"]),
        sa.PrimaryKeyConstraint("sha256", "start"),
    )
    op.create_table(
        "submission_attachments",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"]),
        sa.PrimaryKeyConstraint("submission_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("submission_attachments")
    op.drop_table("attachment_chunks")
    op.drop_table("terminals")
    op.drop_index("ix_submissions_terminal_id", table_name="submissions")

    op.drop_table("submissions")
    op.drop_index("ix_ratings_case_no", table_name="ratings")

    op.drop_table("ratings")
    op.drop_table("attachments")
    op.drop_index("ix_alerts_terminal_id", table_name="alerts")

    op.drop_table("alerts")
