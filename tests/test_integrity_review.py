"""Integrity review in the consequences (issue #16 point 3): the review table and its audit entries,
held events out of the quantity part, consequences pending review, the places per ruleset — on
SQLite and PostgreSQL — the rankings page's review controls (AppTest), and, on the cached sample
county, flagged workers taking no double-pay place under the reformed ruleset."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access import integrity_review as ir
from data_access import rankings
from data_access.filters import Filters
from data_access.schema import audit_log, integrity_reviews
from data_access.store import create_store_engine
from tests.conftest import (
    ensure_demo_users,
    login,
    point_app_at,
    require,
    sample_county_url,
    tiny_pg_database,
    tiny_sqlite_copy,
)

ROOT = Path(__file__).resolve().parent.parent
END_ISO = "2026-11-22T10:00:00+08:00"
AS_OF = dt.datetime.fromisoformat(END_ISO).astimezone(dt.UTC)
MONTH = dt.date(2026, 10, 1)
SEED = 7


def filters() -> Filters:
    return Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=AS_OF)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> str:
    """A fresh writable tiny county with the demo users, on each backend."""
    if request.param == "sqlite":
        url = tiny_sqlite_copy(tmp_path / "tiny.db", SEED)
    else:
        url = tiny_pg_database(f"review_{zlib.crc32(request.node.nodeid.encode())}", SEED)
    ensure_demo_users(url)
    return url


def pending_double_pay(view) -> pd.DataFrame:
    c = view["consequences"]
    return c[c["double_pay_pending"]]


def test_ruleset_review_switch_comes_from_the_rules(store):
    engine = create_store_engine(store)
    assert rankings.reviews(rankings.rules_for(engine, "reformed"))
    assert not rankings.reviews(rankings.rules_for(engine, "as_practised"))
    assert not rankings.reviews(rankings.rules_for(engine, "hdistrict"))


def test_held_events_leave_quantity_only_where_the_ruleset_reviews(store):
    engine = create_store_engine(store, writable=True)
    view = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    state = view["review"]
    assert len(state) and (state["state"] == "pending").all()
    held = dict(ir.held_pairs(state))
    assert held and all(n > 0 for n in held.values())
    plain = rankings.monthly_scores(engine, filters(), MONTH, "reformed", "worker").set_index("subject_id")
    got = view["scores"].set_index("subject_id")
    rules = rankings.rules_for(engine, "reformed")
    for wid, n in held.items():
        if wid not in got.index:
            continue  # a part-timer or a worker not ranked this month
        taken = min(n, int(plain.loc[wid, "reported"]))
        assert got.loc[wid, "held"] == taken
        quota = plain.loc[wid, "quota"]
        want = 100 * min(1.0, (plain.loc[wid, "reported"] - taken) / quota)
        assert got.loc[wid, "quantity"] == pytest.approx(want)
        # Only the quantity part moves.
        for part in ("quality", "process", "residents"):
            assert got.loc[wid, part] == pytest.approx(plain.loc[wid, part])
        assert got.loc[wid, "total"] == pytest.approx(
            plain.loc[wid, "total"] - rules["weight_quantity"] * (plain.loc[wid, "quantity"] - want)
        )
    others = got.index.difference(list(held))
    assert len(others) and (got.loc[others, "held"] == 0).all()
    assert (got.loc[others, "total"] - plain.loc[others, "total"]).abs().max() < 1e-9
    # As practised (no review) the score is the plain one.
    ap = ir.month_view(engine, filters(), MONTH, "as_practised", "worker")["scores"]
    pd.testing.assert_frame_equal(
        ap.drop(columns=["held"]).reset_index(drop=True),
        rankings.monthly_scores(engine, filters(), MONTH, "as_practised", "worker")
        .drop(columns=["held"])
        .reset_index(drop=True),
    )


def test_pending_consequences_are_not_granted(store):
    engine = create_store_engine(store, writable=True)
    view = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    c = view["consequences"]
    pending_workers = set(view["review"].loc[view["review"]["state"] == "pending", "worker_id"])
    for kind in ir.KINDS:
        assert not (c[kind] & c["subject_id"].isin(pending_workers)).any(), kind
        assert set(c.loc[c[f"{kind}_pending"], "subject_id"]) <= pending_workers
    assert len(pending_double_pay(view)), "the tiny county's top worker is flagged: its double pay waits"
    places = view["places"].set_index("ruleset")
    assert list(places.index) == list(rankings.RULESETS)
    assert places.loc["reformed", "double_pay_flagged"] == 0 and places.loc["reformed", "loses_pay_flagged"] == 0
    assert places.loc["reformed", "pending"] == int(c[[f"{k}_pending" for k in ir.KINDS]].any(axis=1).sum())
    assert places.loc["as_practised", "pending"] == 0
    # The places are counted from the consequences of each ruleset.
    for name in rankings.RULESETS:
        cons = rankings.consequences(engine, filters(), MONTH, name)
        if not places.loc[name, "review"]:
            assert places.loc[name, "double_pay"] == int(cons["double_pay"].sum())
            assert places.loc[name, "loses_pay"] == int(cons["loses_pay"].sum())
            flagged = set(view["signals"].loc[view["signals"]["flags"] > 0, "worker_id"])
            assert places.loc[name, "double_pay_flagged"] == int(
                (cons["double_pay"] & cons["subject_id"].isin(flagged)).sum()
            )


def test_a_decision_is_stored_audited_and_changes_the_consequence(store):
    engine = create_store_engine(store, writable=True)
    before = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    top = pending_double_pay(before).iloc[0]
    wid = int(top["subject_id"])
    signals = before["review"].set_index("worker_id").loc[wid, "signals"]
    assert ir.review_stamp(engine) == 0
    for signal in signals:
        ir.record_decision(engine, MONTH, wid, signal, "cleared", "leader", "fixed on the spot: seen on site")
    assert ir.review_stamp(engine) > 0
    dec = ir.decisions(engine, MONTH)
    assert set(dec.loc[dec["worker_id"] == wid, "decision"]) == {"cleared"}
    with engine.connect() as conn:
        logged = conn.execute(
            select(audit_log.c.username, audit_log.c.detail).where(audit_log.c.action == "integrity_review")
        ).all()
    assert len(logged) == len(signals) and all(u == "leader" and f'"worker": {wid}' in d for u, d in logged)

    after = ir.month_view(engine, filters(), MONTH, "reformed", "worker", ir.review_stamp(engine))
    state = after["review"].set_index("worker_id")
    assert state.loc[wid, "state"] == "cleared" and state.loc[wid, "reviewer"] == "leader"
    row = after["consequences"].set_index("subject_id").loc[wid]
    assert bool(row["double_pay"]) and not bool(row["double_pay_pending"])
    scores = after["scores"].set_index("subject_id")
    assert scores.loc[wid, "held"] == 0
    plain = rankings.monthly_scores(engine, filters(), MONTH, "reformed", "worker").set_index("subject_id")
    assert scores.loc[wid, "total"] == pytest.approx(plain.loc[wid, "total"])  # every event counts again
    assert scores.loc[wid, "total"] >= before["scores"].set_index("subject_id").loc[wid, "total"]

    # Upheld (the newest decision counts): the events stay out and no double pay is granted.
    ir.record_decision(engine, MONTH, wid, signals[0], "upheld", "admin")
    upheld = ir.month_view(engine, filters(), MONTH, "reformed", "worker", ir.review_stamp(engine))
    assert upheld["review"].set_index("worker_id").loc[wid, "state"] == "upheld"
    row = upheld["consequences"].set_index("subject_id").loc[wid]
    assert not bool(row["double_pay"]) and not bool(row["double_pay_pending"])
    assert upheld["scores"].set_index("subject_id").loc[wid, "held"] > 0


def test_only_leaders_and_admins_may_decide(store):
    engine = create_store_engine(store, writable=True)
    for who in ("planner", "duty", "town", "wall", "nobody"):
        with pytest.raises(ir.ReviewError) as err:
            ir.record_decision(engine, MONTH, 1, "padding", "cleared", who)
        assert err.value.key == "role"
    with pytest.raises(ir.ReviewError, match="decision"):
        ir.record_decision(engine, MONTH, 1, "padding", "forgiven", "leader")
    with pytest.raises(ir.ReviewError, match="signal"):
        ir.record_decision(engine, MONTH, 1, "selective", "cleared", "leader")
    with pytest.raises(ir.ReviewError) as err:
        ir.record_decision(engine, MONTH, 1, "padding", "cleared", "leader", "x" * (ir.NOTE_MAX + 1))
    assert err.value.key == "note"
    with engine.connect() as conn:
        assert conn.execute(select(integrity_reviews.c.id)).first() is None


def test_a_store_without_the_review_table_reads_as_undecided(tmp_path):
    url = tiny_sqlite_copy(tmp_path / "old.db", SEED)
    engine = create_store_engine(url)  # read-only, access tables never created
    assert ir.review_stamp(engine) == 0 and ir.decisions(engine, MONTH).empty
    view = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    assert (view["review"]["state"] == "pending").all()


# --- the page --------------------------------------------------------------------------------------


def run_page(monkeypatch, url: str, role: str) -> AppTest:
    point_app_at(monkeypatch, url, END_ISO)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    login(at, role)
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception, at.exception
    return at


def table_with(at, *columns: str) -> pd.DataFrame:
    """The one table on the page with all of `columns` (AppTest dataframes carry no key)."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) == 1, (columns, len(found))
    return found[0]


def places_table(at):
    return table_with(at, "考核规则", "其中给被标记者")


def test_page_shows_places_per_ruleset_and_review_buttons_for_a_leader(monkeypatch, tmp_path):
    url = tiny_sqlite_copy(tmp_path / "page.db", SEED)
    at = run_page(monkeypatch, url, "leader")
    at.selectbox(key="rankings_ruleset").set_value("reformed").run()
    assert not at.exception
    engine = create_store_engine(url)
    want = ir.month_view(engine, filters(), MONTH, "reformed", "worker")["places"]
    table = places_table(at)
    assert list(table["考核规则"]) == ["现行规则(H 区做法)", "改革规则", "H 区成文规则(仅一街道 40 件)"]
    assert list(table["复核"]) == ["不复核", "启用", "不复核"]
    assert table["双倍绩效名额"].tolist() == want["double_pay"].tolist()
    assert table["其中给被标记者"].tolist() == want["double_pay_flagged"].tolist()
    assert table["扣发绩效人数"].tolist() == want["loses_pay"].tolist()
    assert table["其中被标记者"].tolist() == want["loses_pay_flagged"].tolist()
    assert table["待复核"].tolist() == want["pending"].tolist()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["待复核"] == str(int(want.set_index("ruleset").loc["reformed", "pending"]))
    assert at.button(key="rankings_review_clear") and at.button(key="rankings_review_uphold")
    # Each signal's method and blind spots, in plain words.
    methods = next(m.value for m in at.markdown if "盲区" in m.value)
    assert methods.count("盲区") == 4 and methods.count("方法") == 4 and "稳健标准分" in methods

    # Clear the top pending worker's signals: the double pay takes effect.
    view = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    top = int(pending_double_pay(view).iloc[0]["subject_id"])
    signals = view["review"].set_index("worker_id").loc[top, "signals"]
    at.selectbox(key="rankings_review_worker").set_value(top).run()
    for signal in signals:
        at.selectbox(key="rankings_review_signal").set_value(signal).run()
        at.text_input(key="rankings_review_note").input("on-the-spot fixes, checked").run()
        at.button(key="rankings_review_clear").click().run()
        assert not at.exception, at.exception
        assert any("已记录" in s.value for s in at.success)
    at.segmented_control(key="rankings_consequence_kind").set_value("double_pay").run()
    shown = table_with(at, "原因", "状态", "有真实性标记")
    name = view["scores"].set_index("subject_id").loc[top, "name"]
    assert shown.set_index("网格员").loc[name, "状态"] == "已复核:排除"
    assert "待复核" not in shown.set_index("网格员").loc[name, "原因"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["双倍绩效"] == str(int(view["places"].set_index("ruleset").loc["reformed", "double_pay"]) + 1)
    assert ir.decisions(engine, MONTH)["reviewer"].eq("leader").all()


def test_page_review_is_read_only_for_a_town_user(monkeypatch, tmp_path):
    """The roles that see the page are leader, admin and town; a town user sees the state only."""
    url = tiny_sqlite_copy(tmp_path / "ro.db", SEED)
    at = run_page(monkeypatch, url, "town")
    at.selectbox(key="rankings_ruleset").set_value("reformed").run()
    assert not at.exception
    keys = {b.key for b in at.button}
    assert "rankings_review_clear" not in keys and "rankings_review_uphold" not in keys
    assert not any(s.key == "rankings_review_worker" for s in at.selectbox)
    review = table_with(at, "复核人", "暂不计入的事件")
    assert len(review) and set(review["状态"]) == {"待复核"}
    assert any("只能查看复核状态" in c.value for c in at.caption)


# --- the sample county ---------------------------------------------------------------------------


def test_reformed_with_review_gives_flagged_workers_no_double_pay_on_the_county():
    """Issue #16 acceptance: under the reformed ruleset with integrity review, flagged workers take 0
    double-pay places (cached county seed 7, every month of the last half year); printed: the
    places per ruleset (pytest -s)."""
    engine = create_store_engine(sample_county_url(SEED))
    lines = []
    taken_without_review = 0
    for month in rankings.month_list(MONTH, 6):
        view = ir.month_view(engine, filters(), month, "reformed", "worker")
        places = view["places"].set_index("ruleset")
        lines.append(
            f"{month:%Y-%m}: "
            + "; ".join(
                f"{r} double pay {p.double_pay} (flagged {p.double_pay_flagged}), pay loss {p.loses_pay} "
                f"(flagged {p.loses_pay_flagged}), pending {p.pending}"
                for r, p in places.iterrows()
            )
        )
        assert places.loc["reformed", "review"] and not places.loc["as_practised", "review"]
        assert places.loc["reformed", "double_pay_flagged"] == 0, month
        assert places.loc["reformed", "loses_pay_flagged"] == 0, month
        # Rulesets without review still hand flagged workers places (on this sample: H district's).
        taken_without_review += int(places.loc[~places["review"].astype(bool), "double_pay_flagged"].sum())
    engine.dispose()
    print("\n" + "\n".join(lines))
    # Without review the flagged workers do take double-pay places: the review is what stops it.
    assert taken_without_review > 0


def test_reports_print_pending_review(tmp_path):
    """The PDF (command line, as a cron job makes it) prints the consequences awaiting review as
    pending, and the places per ruleset."""
    require(bool(shutil.which("pdftotext")), "poppler-utils (pdftotext) missing")
    url = tiny_sqlite_copy(tmp_path / "pdf.db", SEED)
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "ui.monthly_pdf", "--db", url, "--out", str(out), "--month", "2026-10"]
        + ["--ruleset", "reformed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "GRID_NOW": END_ISO},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "待复核" in flat and "各考核规则下" in flat and "其中给被标记者" in flat
    engine = create_store_engine(url)
    view = ir.month_view(engine, filters(), MONTH, "reformed", "worker")
    pending = int(view["places"].set_index("ruleset").loc["reformed", "pending"])
    assert pending > 0 and f"待复核:{pending}" in flat


def test_every_innocent_explanation_the_detectors_give_has_a_label():
    from data_access import integrity
    from ui.labels import LABELS

    for key in integrity.INNOCENT.values():
        assert f"mr_innocent_{key}" in LABELS, key
