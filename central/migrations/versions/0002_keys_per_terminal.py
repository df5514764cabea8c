"""Idempotency keys per terminal: a submission id and a rating key are unique with their terminal id.

An unbound seal (sealed before seals bound their terminal) copied from terminal A's drive and posted first by
terminal B was stored under an id unique on its own, and A's real delivery then met 409. Now the keys are
``(terminal_id, id)``; ``submissions.id`` keeps an index for look-ups, and ``submission_attachments`` names
the terminal as well, its foreign key being the submission's composite key.

The rows are kept. ``submission_attachments`` is moved through a plain table (its foreign key is on the very
constraint being replaced); on SQLite the other two tables are copied and swapped by Alembic's batch mode
(SQLite cannot drop a constraint in place), its unnamed constraints named by the convention below.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

#: How batch mode names a reflected SQLite constraint that has no name, so it can be dropped by that name.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
#: The rows of ``submission_attachments`` while its table is replaced.
PARKED = "submission_attachments_0002"


def _unique_on(table: str, columns: list[str]) -> str:
    """The name of the unique constraint on exactly ``columns`` (the convention's name on SQLite)."""
    if op.get_bind().dialect.name == "sqlite":
        return NAMING["uq"] % {"table_name": table, "column_0_name": columns[0]}
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint["column_names"] == columns and constraint["name"]:
            return str(constraint["name"])
    raise RuntimeError(f"no unique constraint on {table}({', '.join(columns)})")


def _attachments_table(name: str, parent_columns: list[str]) -> None:
    composite = len(parent_columns) == 2
    key = ["terminal_id", "submission_id", "position"] if composite else ["submission_id", "position"]
    columns = [sa.Column("terminal_id", sa.String(length=64), nullable=False)] if composite else []
    op.create_table(
        name,
        *columns,
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            key[:-1],
            [f"submissions.{c}" for c in parent_columns],
            name="fk_submission_attachments_submission" if composite else None,
        ),
        sa.PrimaryKeyConstraint(*key, name="pk_submission_attachments" if composite else None),
    )


def _park_attachments(with_terminal: bool) -> None:
    select_terminal = "s.terminal_id, " if with_terminal else ""
    join = " JOIN submissions s ON s.id = a.submission_id" if with_terminal else ""
    # Names of this module only, no input.
    columns = f"{select_terminal}a.submission_id, a.position, a.sha256, a.media_type"
    op.execute(f"CREATE TABLE {PARKED} AS SELECT {columns} FROM submission_attachments a{join}")  # noqa: S608
    op.drop_table("submission_attachments")


def _unpark_attachments(with_terminal: bool) -> None:
    columns = ("terminal_id, " if with_terminal else "") + "submission_id, position, sha256, media_type"
    op.execute(f"INSERT INTO submission_attachments ({columns}) SELECT {columns} FROM {PARKED}")  # noqa: S608
    op.drop_table(PARKED)


def upgrade() -> None:
    _park_attachments(with_terminal=True)
    old_submissions = _unique_on("submissions", ["id"])
    old_ratings = "uq_ratings_id"
    with op.batch_alter_table("submissions", naming_convention=NAMING) as batch:
        batch.drop_constraint(old_submissions, type_="unique")
        batch.create_unique_constraint("uq_submissions_terminal_id_id", ["terminal_id", "id"])
        batch.create_index("ix_submissions_id", ["id"], unique=False)
    with op.batch_alter_table("ratings") as batch:
        batch.drop_constraint(old_ratings, type_="unique")
        batch.create_unique_constraint("uq_ratings_terminal_id_id", ["terminal_id", "id"])
    _attachments_table("submission_attachments", ["terminal_id", "id"])
    _unpark_attachments(with_terminal=True)


def downgrade() -> None:
    """Back to keys unique on their own: fails (and changes nothing) while two terminals share an id."""
    _park_attachments(with_terminal=False)
    with op.batch_alter_table("ratings") as batch:
        batch.drop_constraint("uq_ratings_terminal_id_id", type_="unique")
        batch.create_unique_constraint("uq_ratings_id", ["id"])
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_id")
        batch.drop_constraint("uq_submissions_terminal_id_id", type_="unique")
        batch.create_unique_constraint("submissions_id_key", ["id"])
    _attachments_table("submission_attachments", ["id"])
    _unpark_attachments(with_terminal=False)
