"""The terminals' audit logs: entries as received, accepted checkpoints with the platform's cosignatures, the
pinned keys, and alarms (docs/audit.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: SQLite makes only an ``INTEGER PRIMARY KEY`` an auto-numbered row id; PostgreSQL wants a bigint identity.
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_logs",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=256), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("pinned_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("idx", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "idx"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cosigned", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.String(length=40), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "size"),
    )
    op.create_table(
        "audit_alarms",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.String(length=40), nullable=False),
        sa.Column("last_seen_at", sa.String(length=40), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_alarms_terminal_id", "audit_alarms", ["terminal_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_alarms_terminal_id", table_name="audit_alarms")
    op.drop_table("audit_alarms")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_entries")
    op.drop_table("audit_logs")
