"""Percentiles and durations in SQL agree with pandas, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select

from data_access.schema import UtcDateTime
from data_access.sqlfuncs import percentiles, seconds_between
from data_access.store import create_store_engine
from tests.conftest import fresh_pg_database

meta = MetaData()
samples = Table(
    "samples",
    meta,
    Column("id", Integer, primary_key=True),
    Column("grp", String(4)),
    Column("value", Float),
    Column("started", UtcDateTime),
    Column("ended", UtcDateTime),
)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def engine(request, tmp_path_factory):
    url = (
        f"sqlite:///{tmp_path_factory.mktemp('sqlfuncs') / 's.db'}"
        if request.param == "sqlite"
        else fresh_pg_database("sqlfuncs")
    )
    eng = create_store_engine(url, writable=True)
    meta.drop_all(eng)
    meta.create_all(eng)
    rng = np.random.default_rng(3)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = []
    for i in range(400):
        grp = "abcde"[i % 5] if i < 395 else "f"  # group f has 5 rows; group g a single row below
        secs = round(float(rng.lognormal(8, 1.2)), 1)
        rows.append(
            dict(
                id=i,
                grp=grp,
                value=None if i % 37 == 0 else secs,
                started=base + dt.timedelta(hours=i),
                ended=base + dt.timedelta(hours=i, seconds=secs),
            )
        )
    rows.append(dict(id=999, grp="g", value=42.0, started=base, ended=base))
    with eng.begin() as conn:
        conn.execute(samples.insert(), rows)
    yield eng
    eng.dispose()


def test_percentiles_match_pandas(engine):
    q = percentiles(select(samples).subquery(), "value", ["grp"], {"p50": 0.5, "p90": 0.9, "p25": 0.25})
    with engine.connect() as conn:
        got = pd.DataFrame(conn.execute(q).mappings().all()).set_index("grp")
        raw = pd.DataFrame(conn.execute(select(samples)).mappings().all())
    expected = raw.groupby("grp")["value"].quantile([0.5, 0.9, 0.25]).unstack()
    for label, qv in (("p50", 0.5), ("p90", 0.9), ("p25", 0.25)):
        assert got[label].astype(float).to_numpy() == pytest.approx(expected[qv].to_numpy(), rel=1e-9)
    assert got.loc["g", "n"] == 1 and float(got.loc["g", "p90"]) == 42.0


def test_seconds_between(engine):
    q = select(
        samples.c.id, seconds_between(samples.c.started, samples.c.ended).label("s"), samples.c.started, samples.c.ended
    ).order_by(samples.c.id)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    for _, s, started, ended in rows:
        assert s == pytest.approx((ended - started).total_seconds(), abs=1e-3)
