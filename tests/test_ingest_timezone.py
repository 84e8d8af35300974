"""The store's time zone (issue 17, point 4): a store setting, set by the first import of a new
store, in which the importer computes the events' local days and the dashboard its "today"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import schema
from data_access.filters import Filters, default_filters, local_date
from data_access.ingest import ImportRefused, import_events
from data_access.store import create_store_engine, store_timezone
from tests.data.ingest_support import DATA, OPEN311, empty_store, fingerprint, import_base_boundaries

NOW = dt.datetime(2026, 11, 22, 4, 0, tzinfo=dt.UTC)
LA = "America/Los_Angeles"


@pytest.fixture
def store(tmp_path) -> str:
    url = empty_store(f"sqlite:///{tmp_path / 'tz.db'}")
    import_base_boundaries(url)
    return url


def _events(url: str) -> pd.DataFrame:
    engine = create_store_engine(url)
    e = schema.events.c
    with engine.connect() as conn:
        rows = conn.execute(select(e.code, e.reported_at, e.report_date, e.closed_at, e.close_date)).all()
    engine.dispose()
    return pd.DataFrame(rows, columns=["code", "reported_at", "report_date", "closed_at", "close_date"])


def test_a_new_store_takes_its_zone_and_counts_local_days_in_it(store):
    assert store_timezone(create_store_engine(store)) == "Asia/Shanghai"  # the default, unset
    with pytest.raises(ImportRefused, match="unknown time zone 'Mars/Olympus'"):
        import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW, timezone="Mars/Olympus")
    report = import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW, timezone=LA)
    assert report.committed and store_timezone(create_store_engine(store)) == LA
    # the file's times are +08:00: the store counts days in LA, and says so
    assert any(w.code == "zone_differs" for w in report.warnings)
    df = _events(store)
    la, cn = ZoneInfo(LA), ZoneInfo("Asia/Shanghai")
    days = [pd.Timestamp(r).tz_convert(la).date() for r in df["reported_at"]]
    assert [pd.Timestamp(d).date() for d in df["report_date"]] == days
    assert any(pd.Timestamp(r).tz_convert(cn).date() != d for r, d in zip(df["reported_at"], days))  # a real shift
    closed = df.dropna(subset=["closed_at"])
    assert len(closed) > 0
    assert [pd.Timestamp(d).date() for d in closed["close_date"]] == [
        pd.Timestamp(c).tz_convert(la).date() for c in closed["closed_at"]
    ]


def test_a_store_with_events_keeps_its_zone(store):
    assert import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW).committed
    before = fingerprint(store)
    with pytest.raises(ImportRefused) as refused:
        import_events(DATA / "open311_requests.csv", store, OPEN311, now=NOW, timezone=LA)
    assert refused.value.args[0].code == "timezone_fixed" and "Asia/Shanghai" in str(refused.value)
    assert fingerprint(store) == before


def test_filters_count_days_and_today_in_the_store_zone():
    as_of = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai, 22:00 the day before in LA
    cn = default_filters(None, as_of=as_of)
    la = default_filters(None, as_of=as_of, tz=LA)
    assert cn.today == dt.date(2026, 11, 22) and la.today == dt.date(2026, 11, 21)
    assert la.date_to == dt.date(2026, 11, 21) and la.tz == LA
    day = Filters(date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 7, 1), as_of=as_of, tz=LA)
    assert day.period_start == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)  # PDT midnight, UTC-7
    assert day.period_end == dt.datetime(2026, 7, 2, 7, 0, tzinfo=dt.UTC)
    assert day.previous_period().tz == LA
    assert local_date(as_of, LA) == dt.date(2026, 11, 21) and local_date(as_of) == dt.date(2026, 11, 22)
