"""The H district profile (sample_data/hdistrict.py): exact structure on SQLite and PostgreSQL.

The structural counts are exact whatever the volume; the tests build a short period (3 months
at a fraction of the volume) to stay quick, and check the full profile's volume arithmetic.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from data_access import levels, rankings, schema
from data_access.rankings import default_ruleset, rules_for
from data_access.store import create_store_engine
from sample_data import catalogue as cat
from sample_data import hdistrict
from sample_data.generate import PROFILES, generate
from tests.conftest import fresh_pg_database
from tests.test_generate import DETECTORS, detector_score, load, planted

END = "2026-11-22T10:00:00+08:00"
EVENTS = 24_000  # 3 months at ~60% of the published rate: every planted behaviour still shows
PUBLISHED_CATEGORIES = {
    "公共安全与法治",  # public security and rule of law
    "城市管理",  # city management
    "安全生产监管",  # safety supervision
    "城乡建设",  # urban construction
    "科教文卫",  # science, education, culture and health
    "经济管理",  # economic management
    "其他/超出职责范围",  # beyond scope
}


def _read(url: str, sql: str) -> pd.DataFrame:
    eng = create_engine(url)
    with eng.connect() as conn:
        out = pd.read_sql_query(text(sql), conn)
    eng.dispose()
    return out


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('hdistrict') / 'h.db'}"
    summary = generate(url, profile="hdistrict", seed=7, months=3, events=EVENTS, end=END, progress=False)
    return url, summary


@pytest.fixture(scope="module")
def pg_store():
    url = fresh_pg_database("hdistrict")
    summary = generate(url, profile="hdistrict", seed=7, months=3, events=EVENTS, end=END, progress=False)
    yield url, summary
    eng = create_engine(url)
    schema.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "pg_store")


def test_exact_structure(store):
    url, summary = store
    t = summary["tables"]
    assert t["grids"] == 1309
    assert t["micro_grids"] == 0
    assert summary["full_time"] == 1309
    units = _read(url, "SELECT level, kind FROM admin_units")
    assert units.level.value_counts().to_dict() == {"county": 1, "town": 22, "village": 183}
    assert set(units[units.level == "village"].kind) == {"management_area"}
    # One grid, one worker: every grid has exactly one active full-time worker.
    ft = _read(
        url,
        "SELECT g.id, COUNT(w.id) AS n FROM grids g LEFT JOIN workers w ON w.grid_id = g.id"
        " AND w.role = 'full_time_worker' AND w.left_on IS NULL GROUP BY g.id",
    )
    assert len(ft) == 1309 and (ft.n == 1).all()
    roles = _read(url, "SELECT role, COUNT(*) AS n FROM workers WHERE left_on IS NULL GROUP BY role")
    roles = dict(zip(roles.role, roles.n))
    assert roles == {"full_time_worker": 1309, "grid_head": 1309, "professional_worker": 3 * 110}
    assert summary["active_workers"] == hdistrict.ACTIVE_WORKERS == 2948
    # Professional workers sent by departments, one covering about a dozen grids.
    prof = _read(
        url,
        "SELECT department_id, COUNT(*) AS n FROM workers WHERE role = 'professional_worker'"
        " AND left_on IS NULL GROUP BY department_id",
    )
    assert len(prof) == 3 and (1309 / prof.n).between(11.5, 12.0).all()
    # No micro-grid anywhere: no micro-grid head, no event or step in a micro-grid.
    assert _read(url, "SELECT COUNT(*) AS n FROM workers WHERE micro_grid_id IS NOT NULL").n[0] == 0
    assert _read(url, "SELECT COUNT(*) AS n FROM events WHERE micro_grid_id IS NOT NULL").n[0] == 0
    steps = _read(
        url, "SELECT COUNT(*) AS n FROM event_steps WHERE from_level = 'micro_grid' OR to_level = 'micro_grid'"
    )
    assert steps.n[0] == 0


def test_levels_and_ruleset_are_store_data(store):
    url, _ = store
    eng = create_store_engine(url)
    try:
        lv = levels.store_levels(eng)
        assert lv.keys == ("county", "town", "village", "grid")
        assert [lv.name(k) for k in lv.keys] == ["区", "镇街", "管区", "网格"]
        assert lv.name("village", "en", plural=True) == "management areas"
        assert not lv.has_micro_grids and lv.child("village") == "grid" and lv.child("grid") is None
        assert default_ruleset(eng) == "hdistrict"
        rules = rules_for(eng, "hdistrict")
        street = _read(url, f"SELECT id, kind FROM admin_units WHERE id = {int(rules['street_quota_bonus_town_id'])}")
        assert street.kind[0] == "street"
        assert (rules["quota_events_per_worker"], rules["street_quota_bonus"]) == (30, 10)
        assert (rules["pay_cut_bottom_n"], rules["pay_cut_score_at_most"], rules["double_pay_top_n"]) == (2, 59, 2)
        assert rules["dismissal_consecutive_months"] == 2
    finally:
        eng.dispose()


def test_catalogue(store):
    url, _ = store
    cats = _read(url, "SELECT code, name FROM event_categories")
    assert len(cats) == 13 and PUBLISHED_CATEGORIES <= set(cats.name)
    items = _read(url, "SELECT code, category_code, name FROM event_item_types")
    assert 950 <= len(items) <= 1050 and items.name.is_unique
    assert items.groupby("category_code").size().min() >= 60
    # Every base name of T county's catalogue is still an item type (the camera list uses them).
    assert {it[0] for its in cat.ITEMS.values() for it in its} <= set(items.name)


def test_published_shares(sqlite_store):
    url, _ = sqlite_store
    closed = _read(url, "SELECT category_code, quality_grade FROM events WHERE status = 'closed'")
    top = closed.category_code.isin(["city_mgmt", "public_safety"]).mean()
    assert top > 0.90, top
    graded = closed[closed.quality_grade.notna()]
    qualified = graded.quality_grade.isin(["qualified", "excellent"]).mean()
    assert 0.955 <= qualified <= 0.975, qualified  # published: 96.7%


def test_full_volume_is_of_the_published_order():
    # One street: 14,978 events in 26 months. The profile's default period is those 26 months
    # and its volume that rate for each of the 22 towns and streets.
    prof = PROFILES["hdistrict"]
    assert prof.months == 26
    per_town = prof.events_per_month * prof.months / prof.tiling.n_towns
    assert abs(per_town - 14_978) / 14_978 < 0.01


def test_planted_behaviours_with_truth(sqlite_store):
    url, _ = sqlite_store
    data = load(url)
    for pattern in DETECTORS:
        assert planted(data, pattern), pattern
        precision, recall = detector_score(data, pattern)
        assert precision >= 0.8 and recall >= 0.8, (pattern, precision, recall)
    assert planted(data, "rating_mismatch")


def test_sqlite_and_postgres_agree(sqlite_store, pg_store):
    assert sqlite_store[1]["tables"] == pg_store[1]["tables"]


# --- the H district ruleset on the cached district (4 months at the published volume) ----------


def test_one_worker_by_hand_under_the_h_district_rules():
    """A worker of the one street that asks for 40 and one elsewhere (30), numbers written out."""
    import datetime as dt
    import math

    import numpy as np

    from data_access.filters import Filters
    from tests.conftest import sample_hdistrict_url
    from tests.test_rankings import AS_OF, independent_counts

    url = sample_hdistrict_url()
    engine = create_store_engine(url)
    month = dt.date(2026, 10, 1)
    f = Filters(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 22), as_of=AS_OF)
    try:
        scores = rankings.monthly_scores(engine, f, month, "hdistrict", "worker").set_index("subject_id")
        cons = rankings.consequences(engine, f, month, "hdistrict").set_index("subject_id")
        rules = rules_for(engine, "hdistrict")
    finally:
        engine.dispose()
    people = _read(url, "SELECT id, town_id FROM workers")
    town_of = dict(zip(people.id, people.town_id))
    mine = independent_counts(url, month)
    mine["town_id"] = mine.index.map(town_of)
    quota_street = int(rules["street_quota_bonus_town_id"])
    in_street = mine[(mine.town_id == quota_street) & (mine.reported > 0) & (mine.graded > 0) & (mine.verify_due > 0)]
    elsewhere = mine[(mine.town_kind == "street") & (mine.town_id != quota_street) & (mine.graded > 0)]
    assert len(in_street) and len(elsewhere)
    for wid, quota in ((int(in_street.reported.idxmax()), 40), (int(elsewhere.reported.idxmax()), 30)):
        row = mine.loc[wid]
        quantity = 100 * min(1, row["reported"] / quota)  # 30 a month; 40 in the one street
        closure = (row["closed"] + row["filing"]) / row["reported"]  # filing-only counted as closed
        rates = [closure, row["qualified"] / row["graded"], row["excellent"] / row["graded"]]
        if row["verify_due"]:
            rates.append(row["verified_on_time"] / row["verify_due"])
        quality = 100 * np.mean(rates)
        team, transfers = row["team"] / row["reported"], row["transfers"] / row["reported"]
        process = 50 * min(1, team / 0.20) + 50 * min(1, transfers / 0.05)
        total = 0.40 * quantity + 0.35 * quality + 0.25 * process  # residents weigh 0
        print(
            f"\nworker {wid}: {row['reported']:.0f}/{quota} → "
            f"{quantity:.2f}, {quality:.2f}, {process:.2f} = {total:.2f}"
        )
        assert scores.loc[wid, "quota"] == quota
        assert math.isclose(scores.loc[wid, "total"], total, abs_tol=1e-9)
    # Consequences as written: bottom 2 or <= 59 lose pay, top 2 double, two months <= 59 dismissal.
    n = len(scores)
    loses = scores.index[(scores["rank"] > n - 2) | (scores["total"] <= 59)]
    assert set(cons.index[cons.loses_pay]) == set(loses)
    top = scores.index[(scores["rank"] <= 2) & (scores["total"] > 59)]
    assert set(cons.index[cons.double_pay]) == set(top)
    assert cons.loc[cons.dismissal_risk, "total"].le(59).all()
