"""Choosing the store, and what happens when it is missing, empty or unreachable."""

from __future__ import annotations

import pytest

from data_access import schema
from data_access.store import (
    DEFAULT_DB_URL,
    StoreError,
    create_store_engine,
    describe_url,
    resolve_db_url,
    store_status,
)


def test_env_wins_over_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.sql]\nurl = "sqlite:////tmp/from-secrets.db"\n', encoding="utf-8")
    assert resolve_db_url({"GRID_DB_URL": "sqlite:////tmp/env.db"}, secrets) == "sqlite:////tmp/env.db"
    assert resolve_db_url({}, secrets) == "sqlite:////tmp/from-secrets.db"
    assert resolve_db_url({}, tmp_path / "absent.toml") == DEFAULT_DB_URL


def test_broken_secrets_file_is_reported(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[connections.sql\nurl=", encoding="utf-8")
    with pytest.raises(StoreError, match="not valid TOML"):
        resolve_db_url({}, secrets)


def test_password_is_never_shown():
    shown = describe_url("postgresql+psycopg://grid:s3cret@db.example:5432/grid")
    assert "s3cret" not in shown and "grid@db.example" not in shown.replace("***", "")


def test_missing_sqlite_file_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        create_store_engine(f"sqlite:///{tmp_path / 'nope.db'}")


def test_unsupported_database_is_named():
    with pytest.raises(StoreError, match="Unsupported"):
        create_store_engine("mysql://u:p@localhost/x")


def test_empty_store_reports_missing_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    create_store_engine(url, writable=True).connect().close()
    ok, reason = store_status(create_store_engine(url))
    assert not ok and reason.startswith("missing tables")


def test_schema_without_grids_is_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'schema-only.db'}"
    schema.metadata.create_all(create_store_engine(url, writable=True))
    assert store_status(create_store_engine(url)) == (False, "the store has no grids")


def test_unreachable_postgres_is_reported_not_raised():
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    ok, reason = store_status(create_store_engine("postgresql+psycopg://u:p@127.0.0.1:1/none"))
    assert not ok and reason.startswith("cannot connect")
