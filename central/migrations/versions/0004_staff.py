"""Staff accounts, authorizations (委托) and the case lifecycle for the assisted client (issue 15).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: SQLite makes only an ``INTEGER PRIMARY KEY`` an auto-numbered row id; PostgreSQL wants a bigint identity.
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("staff_no", sa.String(length=32), nullable=False),
        sa.Column("hall", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("staff_no"),
    )
    op.create_index("ix_staff_accounts_hall", "staff_accounts", ["hall"])
    op.create_table(
        "staff_authorizations",
        sa.Column("authorization_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("authorization_id"),
    )
    op.create_table(
        "staff_cases",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("staff_no", sa.String(length=32), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("authorization_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "terminal_id"),
        sa.UniqueConstraint("case_no"),
    )
    op.create_index("ix_staff_cases_staff_no", "staff_cases", ["staff_no"])
    op.create_index("ix_staff_cases_state_at", "staff_cases", ["state_at"])
    op.create_table(
        "staff_case_events",
        sa.Column("seq", SEQ, autoincrement=True, nullable=False),
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=32), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=True),
        sa.Column("event_submission_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("terminal_id", "event_submission_id", name="uq_staff_case_events_submission"),
    )
    op.create_index("ix_staff_case_events_case_no", "staff_case_events", ["case_no"])


def downgrade() -> None:
    op.drop_index("ix_staff_case_events_case_no", table_name="staff_case_events")
    op.drop_table("staff_case_events")
    op.drop_index("ix_staff_cases_state_at", table_name="staff_cases")
    op.drop_index("ix_staff_cases_staff_no", table_name="staff_cases")
    op.drop_table("staff_cases")
    op.drop_table("staff_authorizations")
    op.drop_index("ix_staff_accounts_hall", table_name="staff_accounts")
    op.drop_table("staff_accounts")
