"""The platform's schema history as Alembic revisions; :func:`central.db.upgrade_schema` applies them."""
