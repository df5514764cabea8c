"""Anonymous usage events, hourly counts and forecasts per hall (issue 19): counted batches, hourly counts, the
terminals' halls, the halls' own hours and closed days, the nightly forecast and the rollup's cursor.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "usage_batches",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", "batch_id"),
    )
    op.create_table(
        "usage_counts",
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=96), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "hour", "service_code", "measure"),
    )
    op.create_table(
        "usage_terminals",
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id"),
    )
    op.create_table(
        "usage_halls",
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("opening_hours", sa.String(length=64), nullable=False),
        sa.Column("closed_days", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("hall"),
    )
    op.create_table(
        "usage_forecasts",
        sa.Column("hall", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("point", sa.Float(), nullable=False),
        sa.Column("lower80", sa.Float(), nullable=False),
        sa.Column("upper80", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=128), nullable=False),
        sa.Column("made_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("hall", "hour"),
    )
    op.create_table(
        "usage_cursors",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    tables = ("usage_cursors", "usage_forecasts", "usage_halls", "usage_terminals", "usage_counts", "usage_batches")
    for table in tables:
        op.drop_table(table)
