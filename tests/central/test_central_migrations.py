"""The platform's schema is Alembic's: an empty database is brought to head, a database from the release before
migrations is adopted with its rows, a newer release's database is refused, and instances starting together
over one database upgrade it once. On SQLite always, on PostgreSQL when ``KIOSK_TEST_PG_URL`` is set."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from central.cli import main
from central.db import (
    BASELINE_REVISION,
    DatabaseError,
    SchemaUpgrade,
    alembic_config,
    normalise_url,
    open_engine,
    upgrade_schema,
)
from central.schema import metadata
from offline_cache.wire.protocol import PATH_CATALOG

#: The platform's tables as the release before migrations made them with ``metadata.create_all``
#: (eaf8770:central/schema.py, compiled for each database), kept verbatim: the adoption must keep working
#: from this exact schema whatever the platform's schema becomes.
PREVIOUS_RELEASE_DDL = """
CREATE TABLE alerts (
    seq {seq} NOT NULL, terminal_id VARCHAR(64) NOT NULL, kind VARCHAR(64) NOT NULL, detail TEXT NOT NULL,
    received_at VARCHAR(40) NOT NULL, PRIMARY KEY (seq)
);
CREATE INDEX ix_alerts_terminal_id ON alerts (terminal_id);
CREATE TABLE attachments (
    sha256 VARCHAR(64) NOT NULL, upload_length BIGINT NOT NULL, upload_offset BIGINT NOT NULL,
    complete BOOLEAN NOT NULL, started_at VARCHAR(40) NOT NULL, PRIMARY KEY (sha256)
);
CREATE TABLE ratings (
    seq {seq} NOT NULL, id VARCHAR(64) NOT NULL, case_no VARCHAR(32) NOT NULL, service_code VARCHAR(64) NOT NULL,
    level INTEGER NOT NULL, terminal_id VARCHAR(64) NOT NULL, body_sha256 VARCHAR(64) NOT NULL, body TEXT NOT NULL,
    response TEXT NOT NULL, received_at VARCHAR(40) NOT NULL, PRIMARY KEY (seq),
    CONSTRAINT uq_ratings_id UNIQUE (id)
);
CREATE INDEX ix_ratings_case_no ON ratings (case_no);
CREATE TABLE submissions (
    seq {seq} NOT NULL, id VARCHAR(36) NOT NULL, case_no VARCHAR(32), terminal_id VARCHAR(64) NOT NULL,
    service_code VARCHAR(64) NOT NULL, status VARCHAR(32) NOT NULL, body_sha256 VARCHAR(64) NOT NULL,
    body TEXT NOT NULL, payload {blob} NOT NULL, response TEXT NOT NULL, received_at VARCHAR(40) NOT NULL,
    updated_at VARCHAR(40) NOT NULL, PRIMARY KEY (seq), UNIQUE (id), UNIQUE (case_no)
);
CREATE INDEX ix_submissions_terminal_id ON submissions (terminal_id);
CREATE TABLE terminals (
    terminal_id VARCHAR(64) NOT NULL, token_sha256 VARCHAR(64) NOT NULL, revoked BOOLEAN NOT NULL,
    enrolled_at VARCHAR(40) NOT NULL, last_heartbeat_at VARCHAR(40), last_heartbeat TEXT,
    PRIMARY KEY (terminal_id), UNIQUE (token_sha256)
);
CREATE TABLE attachment_chunks (
    sha256 VARCHAR(64) NOT NULL, start BIGINT NOT NULL, data {blob} NOT NULL, PRIMARY KEY (sha256, start),
    FOREIGN KEY(sha256) REFERENCES attachments (sha256)
);
CREATE TABLE submission_attachments (
    submission_id VARCHAR(36) NOT NULL, position INTEGER NOT NULL, sha256 VARCHAR(64) NOT NULL,
    media_type VARCHAR(128) NOT NULL, PRIMARY KEY (submission_id, position),
    FOREIGN KEY(submission_id) REFERENCES submissions (id)
)
"""
TYPES = {"sqlite": {"seq": "INTEGER", "blob": "BLOB"}, "postgresql": {"seq": "BIGSERIAL", "blob": "BYTEA"}}

OLD_TOKEN = "token-enrolled-by-the-previous-release"
OLD_SUBMISSION = "0190a5c4-0000-7000-8000-000000000001"
OLD_CASE = "SB2026112000000001"


def raw_engine(db_url: str) -> Engine:
    return create_engine(normalise_url(db_url))


def previous_release_database(db_url: str) -> None:
    """The database as the previous release left it: its tables, an enrolled terminal, one accepted case."""
    engine = raw_engine(db_url)
    ddl = PREVIOUS_RELEASE_DDL.format(**TYPES[engine.dialect.name])
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            conn.execute(text(statement))
        conn.execute(
            text(
                "INSERT INTO terminals (terminal_id, token_sha256, revoked, enrolled_at) "
                "VALUES ('T-0009', :digest, false, '2026-11-20T08:00:00+00:00')"
            ),
            {"digest": hashlib.sha256(OLD_TOKEN.encode()).hexdigest()},
        )
        conn.execute(
            text(
                "INSERT INTO submissions (id, case_no, terminal_id, service_code, status, body_sha256, body, payload, "
                "response, received_at, updated_at) VALUES (:id, :case, 'T-0009', 'GLJT-01', 'accepted', :sha, "
                "'{}', :payload, '{}', '2026-11-20T08:00:00+00:00', '2026-11-20T08:00:00+00:00')"
            ),
            {"id": OLD_SUBMISSION, "case": OLD_CASE, "sha": "0" * 64, "payload": b"{}"},
        )
    engine.dispose()


def revision_of(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_heads()


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))


def head() -> str:
    from alembic.script import ScriptDirectory

    newest = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert newest is not None
    return newest


def test_an_empty_database_is_brought_to_head_and_matches_the_tables_in_code(db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        assert revision_of(engine) == (head(),)
        assert differences(engine) == []
        assert upgrade_schema(engine) == SchemaUpgrade(before=head(), after=head(), adopted=False)
    finally:
        engine.dispose()


def test_a_sealed_body_is_stored_without_a_try_at_compressing_it(db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        if engine.dialect.name != "postgresql":
            pytest.skip("a storage setting of PostgreSQL's")
        with engine.connect() as conn:
            storage = conn.exec_driver_sql(
                "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'submissions'::regclass "
                "AND attname IN ('body', 'payload') ORDER BY attname"
            ).all()
        assert [tuple(row) for row in storage] == [("body", "e"), ("payload", "x")]  # the opened payload compresses
    finally:
        engine.dispose()


def test_a_database_from_the_previous_release_is_adopted_with_its_rows(
    db_url: str, request: pytest.FixtureRequest, rows: Callable[..., int]
) -> None:
    previous_release_database(db_url)
    # The platform starts on it (the fixture), which upgrades it; a new terminal is enrolled beside the old one.
    terminal: Any = request.getfixturevalue("terminal")
    old_terminal = {"Authorization": f"Bearer {OLD_TOKEN}"}
    assert requests.get(terminal.url(PATH_CATALOG), headers=old_terminal, timeout=10).status_code == 200
    answer = terminal.deliver(terminal.seal())
    assert answer.status_code == 201, answer.text
    assert answer.json()["case_no"] != OLD_CASE
    assert rows("submissions", "id = :id AND case_no = :case", id=OLD_SUBMISSION, case=OLD_CASE) == 1
    assert rows("submissions", "1 = 1") == 2
    engine = open_engine(db_url, create_schema=False)
    try:
        assert revision_of(engine) == (head(),)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_a_database_upgraded_by_a_newer_release_is_refused_untouched(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_engine(db_url).dispose()
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d_from_the_future'"))
    try:
        with pytest.raises(DatabaseError, match="newer release"):
            open_engine(db_url)
        assert main(["migrate", "--db", db_url]) == 1
        error = capsys.readouterr().err
        assert "f00d_from_the_future" in error
        assert "Traceback" not in error
        assert revision_of(engine) == ("f00d_from_the_future",)
    finally:
        engine.dispose()


def test_a_database_with_only_some_of_the_tables_is_refused(db_url: str) -> None:
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE terminals (terminal_id VARCHAR(64) PRIMARY KEY)"))
    try:
        with pytest.raises(DatabaseError, match="some of the platform's tables"):
            open_engine(db_url)
        assert not inspect(engine).has_table("alembic_version")
    finally:
        engine.dispose()


#: One platform instance's start in its own process: ready once imported, upgrades when told to go.
INSTANCE = """
import sys
from central.db import open_engine, upgrade_schema
engine = open_engine(sys.argv[1], create_schema=False)
print("ready", flush=True)
sys.stdin.readline()
print(upgrade_schema(engine).describe(), flush=True)
"""


def test_instances_starting_together_upgrade_the_database_once(db_url: str) -> None:
    instances = [
        subprocess.Popen(
            [sys.executable, "-c", INSTANCE, db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for instance in instances:
            assert instance.stdout is not None
            assert instance.stdout.readline() == "ready\n"
        for instance in instances:
            assert instance.stdin is not None
            instance.stdin.write("go\n")
            instance.stdin.flush()
        said = [instance.communicate(timeout=120) for instance in instances]
    finally:
        for instance in instances:
            instance.kill()
            instance.wait()
    assert [instance.returncode for instance in instances] == [0] * 4, said
    outcomes = sorted(out.strip() for out, _err in said)
    assert sum("created the schema" in line for line in outcomes) == 1, outcomes
    assert sum("nothing to do" in line for line in outcomes) == 3, outcomes
    engine = open_engine(db_url, create_schema=False)
    try:
        assert revision_of(engine) == (head(),)
    finally:
        engine.dispose()


def test_kiosk_central_migrate_says_what_it_did(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    previous_release_database(db_url)
    assert main(["migrate", "--db", db_url]) == 0
    assert (
        f"adopted a database from before schema migrations as revision {BASELINE_REVISION}" in capsys.readouterr().out
    )
    assert main(["migrate", "--db", db_url]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_a_database_at_0001_with_rows_upgrades_to_keys_per_terminal_with_its_rows(db_url: str) -> None:
    from alembic import command

    engine = raw_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), BASELINE_REVISION)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO attachments (sha256, upload_length, upload_offset, complete, started_at) "
                    "VALUES (:sha, 3, 3, true, '2026-11-20T08:00:00+00:00')"
                ),
                {"sha": "a" * 64},
            )
            conn.execute(
                text(
                    "INSERT INTO submissions (id, case_no, terminal_id, service_code, status, body_sha256, body, "
                    "payload, response, received_at, updated_at) VALUES (:id, :case, 'T-0009', 'GLJT-01', "
                    "'accepted', :sha, '{}', :payload, '{}', '2026-11-20T08:00:00+00:00', '2026-11-20T08:00:00+00:00')"
                ),
                {"id": OLD_SUBMISSION, "case": OLD_CASE, "sha": "0" * 64, "payload": b"{}"},
            )
            conn.execute(
                text(
                    "INSERT INTO submission_attachments (submission_id, position, sha256, media_type) "
                    "VALUES (:id, 0, :sha, 'image/png')"
                ),
                {"id": OLD_SUBMISSION, "sha": "a" * 64},
            )
            conn.execute(
                text(
                    "INSERT INTO ratings (id, case_no, service_code, level, terminal_id, body_sha256, body, response, "
                    "received_at) VALUES ('rating-1', :case, 'GLJT-01', 5, 'T-0009', :sha, '{}', '{}', "
                    "'2026-11-20T08:00:00+00:00')"
                ),
                {"case": OLD_CASE, "sha": "0" * 64},
            )
            previous = int(conn.execute(text("SELECT seq FROM submissions")).scalar_one())
        assert revision_of(engine) == (BASELINE_REVISION,)
        upgraded = open_engine(db_url)
        try:
            assert revision_of(upgraded) == (head(),)
            assert differences(upgraded) == []
        finally:
            upgraded.dispose()
        with engine.begin() as conn:
            assert conn.execute(text("SELECT seq, terminal_id, case_no FROM submissions")).all() == [
                (previous, "T-0009", OLD_CASE)
            ]
            assert conn.execute(
                text("SELECT terminal_id, submission_id, position, sha256 FROM submission_attachments")
            ).all() == [("T-0009", OLD_SUBMISSION, 0, "a" * 64)]
            assert conn.execute(text("SELECT id, terminal_id, level FROM ratings")).all() == [("rating-1", "T-0009", 5)]
            # The same id and rating key under another terminal now fit beside the first terminal's.
            conn.execute(
                text(
                    "INSERT INTO submissions (id, terminal_id, service_code, status, body_sha256, body, payload, "
                    "response, received_at, updated_at) VALUES (:id, 'T-0002', 'GLJT-01', 'accepted', :sha, '{}', "
                    ":payload, '{}', '2026-11-21T08:00:00+00:00', '2026-11-21T08:00:00+00:00')"
                ),
                {"id": OLD_SUBMISSION, "sha": "1" * 64, "payload": b"{}"},
            )
            conn.execute(
                text(
                    "INSERT INTO ratings (id, case_no, service_code, level, terminal_id, body_sha256, body, response, "
                    "received_at) VALUES ('rating-1', :case, 'GLJT-01', 1, 'T-0002', :sha, '{}', '{}', "
                    "'2026-11-21T08:00:00+00:00')"
                ),
                {"case": OLD_CASE, "sha": "1" * 64},
            )
            # New submissions are numbered after the kept ones.
            assert int(conn.execute(text("SELECT max(seq) FROM submissions")).scalar_one()) > previous
    finally:
        engine.dispose()
