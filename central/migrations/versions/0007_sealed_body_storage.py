"""A submission's sealed body is stored as it is, without a try at compressing it (PostgreSQL).

The body is the canonical JSON of the sealed submission: ciphertext in base64, which does not compress. PostgreSQL
still tried to compress every body over 2 KB before storing it out of line, and gave up after the whole attempt:
half of the time an insert of a submission took (``bench/province.py``'s drain, docs/performance.md). ``EXTERNAL``
stores it out of line uncompressed. It takes effect for rows written from now on; SQLite has no such setting.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submissions ALTER COLUMN body SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submissions ALTER COLUMN body SET STORAGE EXTENDED")
