"""The departments the generator planted in the sample county are found by the page's measures.

Uses the sample county (tests.conftest.sample_county_url: built once, cached) read-only. Only tests read
`planted_patterns`; the page never does.
Printed (pytest -s): the rank of each planted department and the precision/recall of the
rating-mismatch rule, also on other seeds' shared copies when they exist.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import departments as dep
from data_access.filters import Filters, default_filters
from data_access.schema import planted_patterns
from data_access.store import create_store_engine
from tests.conftest import sample_county_url

ROOT = Path(__file__).resolve().parent.parent
END = "2026-11-22T10:00:00+08:00"
AS_OF = dt.datetime.fromisoformat(END)


def shared_county(seed: int, build: bool = True) -> str:
    return sample_county_url(seed)  # cached, built once (tests/conftest.py)


@pytest.fixture(scope="module")
def county():
    eng = create_store_engine(shared_county(7, build=True))
    yield eng
    eng.dispose()


def period(days: int) -> Filters:
    end = AS_OF.date()
    return Filters(date_from=end - dt.timedelta(days=days - 1), date_to=end, as_of=AS_OF)


def planted(engine, pattern: str) -> set[int]:
    with engine.connect() as conn:
        return {
            r[0]
            for r in conn.execute(select(planted_patterns.c.subject_id).where(planted_patterns.c.pattern == pattern))
        }


def ranked(engine, f: Filters):
    table = dep.department_table(engine, f)
    return table[table["ranked"]].set_index("department_id")


@pytest.mark.parametrize("days", [92, 365])
def test_slow_departments_have_the_worst_on_time_rate(county, days):
    slow = planted(county, "slow_department")
    table = ranked(county, period(days))
    worst = table.sort_values("on_time_rate").index[: len(slow)]
    print(
        f"\n{days} d: slow {sorted(slow)}; lowest on-time rates {list(worst)} "
        f"({', '.join(f'{v:.1%}' for v in table.loc[worst, 'on_time_rate'])}; "
        f"median department {table['on_time_rate'].median():.1%}); "
        f"highest accept P90 {list(table.sort_values('accept_h_p90', ascending=False).index[: len(slow)])}; "
        f"lowest score {list(table.sort_values('score').index[: len(slow)])}"
    )
    assert set(worst) == slow


@pytest.mark.parametrize("days", [92, 365])
def test_returning_departments_have_the_highest_return_rate(county, days):
    returning = planted(county, "returning_department")
    table = ranked(county, period(days))
    worst = table.sort_values("return_rate", ascending=False).index[: len(returning)]
    print(
        f"\n{days} d: returning {sorted(returning)}; highest return rates {list(worst)} "
        f"({', '.join(f'{v:.1%}' for v in table.loc[worst, 'return_rate'])}; "
        f"next {table['return_rate'].sort_values(ascending=False).iloc[len(returning)]:.1%})"
    )
    assert set(worst) == returning


def mismatch_scores(engine, days: int) -> tuple[set[int], set[int], float, float]:
    truth = planted(engine, "rating_mismatch")
    table = dep.department_table(engine, period(days))
    flagged = set(table.loc[table["mismatch"] != "", "department_id"].astype(int))
    hits = len(flagged & truth)
    precision = hits / len(flagged) if flagged else float("nan")
    return flagged, truth, precision, hits / len(truth)


def test_rating_mismatch_rule_precision_recall(county):
    lines = []
    for seed in (7, 11, 23):
        url = shared_county(seed, build=False)
        if url is None:
            continue
        engine = create_store_engine(url)
        for days in (92, 365):
            flagged, truth, p, r = mismatch_scores(engine, days)
            lines.append(
                f"seed {seed} {days} d: planted {sorted(truth)} flagged {sorted(flagged)} "
                f"precision {p:.2f} recall {r:.2f}"
            )
        engine.dispose()
    print("\n" + "\n".join(lines))
    flagged, truth, p, r = mismatch_scores(county, 92)
    assert p >= 0.99 and r >= 0.66, (flagged, truth)


@pytest.mark.parametrize(
    "seed",
    [
        7,
        pytest.param(
            11,
            marks=pytest.mark.xfail(
                strict=True,
                reason="on the county the new generator makes for seed 11 one honest department (14) is "
                "flagged beside the three planted: precision 0.75; open, see the issue #16 note",
            ),
        ),
    ],
)
def test_rating_mismatch_found_in_the_default_window(seed):
    """Issue #16 point 5: the page's default window (the last 30 days, `default_filters`) finds the
    planted mismatching departments: ratings and data pooled over mismatch_pool_months months."""
    engine = create_store_engine(shared_county(seed))
    f = default_filters(AS_OF.date(), as_of=AS_OF)
    assert (f.date_to - f.date_from).days + 1 == 30
    truth = planted(engine, "rating_mismatch")
    table = dep.department_table(engine, f)
    flagged = set(table.loc[table["mismatch"] != "", "department_id"].astype(int))
    hits = len(flagged & truth)
    precision = hits / len(flagged) if flagged else 0.0
    recall = hits / len(truth)
    gaps = table.set_index("department_id")["z_gap"].dropna().round(1)
    print(
        f"\nseed {seed} default 30 d: planted {sorted(truth)} flagged {sorted(flagged)} precision {precision:.2f} "
        f"recall {recall:.2f}; z_gap of the planted {gaps.reindex(sorted(truth)).tolist()}, "
        f"largest |z_gap| of the rest {gaps.drop(index=list(truth), errors='ignore').abs().max():.1f}"
    )
    with engine.connect() as conn:
        rows = conn.execute(select(planted_patterns).where(planted_patterns.c.pattern == "rating_mismatch")).all()
    engine.dispose()
    detail = {r.subject_id: r.detail for r in rows}
    assert len(truth) == 3
    assert precision >= 0.9 and recall >= 0.67, (flagged, truth)
    # Above-data and below-data are told apart: each flag carries the planted direction.
    for dep_id, kind in zip(table["department_id"], table["mismatch"]):
        if kind and dep_id in detail:
            assert ("highly" in detail[dep_id]) == (kind == "rated_above_data"), (dep_id, kind, detail[dep_id])


def test_shrinkage_pulls_a_thinly_rated_department_most():
    ratings = pd.DataFrame(
        {
            "rating_avg": [90.0, 90.0, 70.0, 80.0, 60.0],
            "ratings": [2, 40, 40, 40, 40],
            "rating_var": [100.0, 100.0, 100.0, 100.0, 100.0],
        }
    )
    shrunk = dep.shrunk_ratings(ratings)
    m = ratings["rating_avg"].mean()
    # Same mean, fewer ratings: pulled further toward the county mean, never past it.
    assert m < shrunk[0] < shrunk[1] < 90.0
    within, between = 100.0, ratings["rating_avg"].var() - (100.0 / ratings["ratings"]).mean()
    k = within / between
    assert shrunk[0] == pytest.approx(m + 2 / (2 + k) * (90.0 - m))
    assert shrunk[2] == pytest.approx(m + 40 / (40 + k) * (70.0 - m))
