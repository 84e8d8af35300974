"""The detectors against gaming and honest-but-unusual behaviour planted by hand
(tests.planting_variants, independent of the sample generator) into a copy of the seed-7 county:
each gaming variation must be flagged by its signal for ≥ 14 of 16 workers; each honest control
flagged by any signal for ≤ 1 of 16."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from data_access import integrity
from data_access.filters import Filters
from tests import planting_variants as pv
from tests.conftest import sample_county_url


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    source = Path(sample_county_url(7).removeprefix("sqlite:///"))
    path = tmp_path_factory.mktemp("variants") / "county.db"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    url = f"sqlite:///{path}"
    chosen = pv.plant(url)
    f = Filters(date_from=pv.MONTH, date_to=dt.date(2026, 11, 22), as_of=pv.END.astimezone(dt.UTC))
    engine = create_engine(url)
    signals = integrity.worker_signals(engine, f, pv.MONTH).set_index("worker_id")
    engine.dispose()
    return chosen, signals, url, f


def test_every_gaming_variation_is_flagged_by_its_signal(planted):
    chosen, w, _, _ = planted
    print()
    missed = {}
    for name, signal in pv.GAMING.items():
        rows = w.reindex(chosen[name])
        hit = int(rows[signal].fillna(False).astype(bool).sum())
        print(f"  {name:22s} {signal:16s} flagged {hit}/{len(rows)}  median z {rows[f'{signal}_z'].median():.1f}")
        if hit < 14:
            missed[name] = hit
    assert not missed, missed


def test_honest_controls_are_not_flagged(planted):
    chosen, w, _, _ = planted
    print()
    over = {}
    for name in pv.CONTROLS:
        rows = w.reindex(chosen[name])
        flagged = int((rows["flags"].fillna(0) > 0).sum())
        print(f"  {name:22s} flagged by any signal {flagged}/{len(rows)}")
        if flagged > 1:
            over[name] = flagged
    assert not over, over


def test_the_controls_innocent_pattern_is_what_the_detector_set_aside(planted):
    """The market stall's daily reports are recognised as a recurring problem, not re-entries."""
    chosen, w, _, _ = planted
    stall = w.reindex(chosen["market_stall"])
    assert (stall["recurring_pairs"] >= 10).all()
    assert (stall["dup_pairs"] < 3).all()


def test_each_flag_shows_the_rows_behind_it(planted):
    """Evidence of the new kinds: stationary and replayed days, reworded and same-spot re-entries."""
    chosen, w, url, f = planted
    engine = create_engine(url)
    r = integrity.integrity_rules(engine)
    reasons = {"stationary": "stationary", "replayed_route": "repeated_track"}
    for name, reason in reasons.items():
        sid = next(i for i in chosen[name] if w.loc[i, "empty_patrol"])
        rows = integrity.evidence(engine, f, pv.MONTH, "empty_patrol", sid)
        assert len(rows) > 0 and reason in set(rows["reason"]), name
        assert integrity.evidence_count(engine, f, pv.MONTH, "empty_patrol", sid) >= len(rows)
    for name in ("reworded_nearby", "same_spot_other_item"):
        sid = next(i for i in chosen[name] if w.loc[i, "near_duplicates"])
        rows = integrity.evidence(engine, f, pv.MONTH, "near_duplicates", sid)
        assert len(rows) == int(w.loc[sid, "dup_pairs"]) > 0, name
        if name == "same_spot_other_item":
            assert (rows["metres"] <= r["near_duplicates_gps_metres"]).any()
        else:
            assert (rows["metres"] > r["near_duplicates_gps_metres"]).any()  # planted 150–250 m away
    sid = next(i for i in chosen["padding_slow_close"] if w.loc[i, "padding"])
    rows = integrity.evidence(engine, f, pv.MONTH, "padding", sid)
    minutes = rows["minutes_to_close"]
    assert len(rows) > 0 and ((minutes >= 0) & (minutes < r["padding_close_ramp_minutes"])).all()
    assert (minutes >= 35).any()  # this variation closes 35–75 minutes after reporting
    engine.dispose()
