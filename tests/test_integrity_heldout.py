"""Held-out acceptance of the integrity signals (issue #16): counties from seeds no test used
while the detectors were developed (1213, 1517, 2023), generated WITH the held-out family of gaming
variations (sample_data/generate/held_out.py, which the detector work never read), scored at the
monthly-rankings page's default month (the newest finished one) against planted_patterns.

Printed per seed: for each worker signal precision and recall (overall, per family, the held-out
family apart), and the share of honest-but-unusual controls flagged by any signal. Asserted: every
signal precision ≥ 0.9 and recall ≥ 0.8 over the three seeds, the held-out family's recall ≥ 0.8,
controls flagged ≤ 2%; and the department page's rating mismatch at its default window (the last
30 days) precision ≥ 0.9, recall ≥ 0.67.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import create_engine

from data_access import departments, integrity
from data_access.filters import Filters, default_filters
from tests.conftest import SAMPLE_COUNTY_END, _cached_sample

SEEDS = (1213, 1517, 2023)
MONTHS = 5  # enough history for every signal's window before the scored month
AS_OF = dt.datetime.fromisoformat(SAMPLE_COUNTY_END).astimezone(dt.UTC)
MONTH = dt.date(2026, 10, 1)  # the page's default: the newest month that ended before "now"
SIGNALS = integrity.WORKER_SIGNALS
# Measured at landing (2026-12-04), over the three seeds: padding P 0.78-0.86 / R 0.76-0.79 (the
# quota-pressure family 0 of 39), near-duplicates P 0.82-0.89 / R 0.55-0.73 (held-out family 0 of
# 24), empty patrol P 0.93-0.97 / R 0.88-0.95 (held-out family 15 of 24), controls 12 of 204
# flagged (on-the-spot fixers 11 of 51). The acceptance is not met: strict xfails, so a detector
# change that meets it shows as XPASS and the marks must go.
NOT_MET = pytest.mark.xfail(strict=True, reason="issue #16 held-out acceptance not met; numbers above")


def _county(seed: int) -> str:
    return _cached_sample(
        f"county-heldout-seed{seed}",
        ["--profile", "county", "--seed", str(seed), "--months", str(MONTHS), "--held-out"],
    )


def _score(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    url = _county(seed)
    engine = create_engine(url)
    f = Filters(date_from=MONTH, date_to=dt.date(2026, 10, 31), as_of=AS_OF)
    flags = integrity.worker_signals(engine, f, MONTH)
    with engine.connect() as conn:
        planted = pd.read_sql("SELECT * FROM planted_patterns WHERE subject_type = 'worker'", conn)
    engine.dispose()
    return flags, planted


def _rows(seed: int, flags: pd.DataFrame, planted: pd.DataFrame) -> list[dict]:
    rows = []
    gaming = planted[planted["kind"] == "gaming"]
    for signal in SIGNALS:
        flagged = set(flags.loc[flags[signal].astype(bool), "worker_id"])
        truth = gaming[gaming["pattern"] == signal]
        true_ids = set(truth["subject_id"])
        tp = len(flagged & true_ids)
        rows.append(
            {
                "seed": seed,
                "signal": signal,
                "family": "(all)",
                "planted": len(true_ids),
                "flagged": len(flagged),
                "tp": tp,
                "precision": tp / len(flagged) if flagged else float("nan"),
                "recall": tp / len(true_ids) if true_ids else float("nan"),
            }
        )
        for family, part in truth.groupby("family"):
            ids = set(part["subject_id"])
            rows.append(
                {
                    "seed": seed,
                    "signal": signal,
                    "family": family,
                    "planted": len(ids),
                    "flagged": len(flagged & ids),
                    "tp": len(flagged & ids),
                    "precision": float("nan"),
                    "recall": len(flagged & ids) / len(ids),
                }
            )
    return rows


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, controls = [], []
    for seed in SEEDS:
        flags, planted = _score(seed)
        rows += _rows(seed, flags, planted)
        ctrl = planted[planted["kind"] == "control"]
        any_flag = set(flags.loc[flags["flags"] > 0, "worker_id"])
        for pattern, part in ctrl.groupby("pattern"):
            ids = set(part["subject_id"])
            controls.append({"seed": seed, "control": pattern, "n": len(ids), "flagged": len(ids & any_flag)})
    table, ctrl_table = pd.DataFrame(rows), pd.DataFrame(controls)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print("\nHeld-out acceptance, month", MONTH, "\n", table.to_string(index=False))
        print("\nControls flagged by any signal\n", ctrl_table.to_string(index=False))
    return table, ctrl_table


@NOT_MET
def test_every_signal_holds_precision_and_recall_on_unseen_seeds(scored):
    table, _ = scored
    overall = table[table["family"] == "(all)"].groupby("signal")[["planted", "flagged", "tp"]].sum()
    assert (overall["planted"] > 0).all(), overall
    precision = overall["tp"] / overall["flagged"]
    recall = overall["tp"] / overall["planted"]
    assert (precision >= 0.9).all(), precision
    assert (recall >= 0.8).all(), recall


@NOT_MET
def test_the_held_out_family_is_found(scored):
    table, _ = scored
    held = table[table["family"].str.startswith("held_out")]
    assert not held.empty, "the generator planted no held-out family"
    by_signal = held.groupby("signal")[["planted", "tp"]].sum()
    assert (by_signal["tp"] / by_signal["planted"] >= 0.8).all(), by_signal


@NOT_MET
def test_honest_unusual_controls_are_rarely_flagged(scored):
    _, ctrl = scored
    assert ctrl["n"].sum() > 0
    assert ctrl["flagged"].sum() / ctrl["n"].sum() <= 0.02, ctrl


def test_rating_mismatch_at_the_default_window_on_unseen_seeds():
    flagged_all = truth_all = hits = 0
    lines = []
    for seed in SEEDS:
        engine = create_engine(_county(seed))
        f = default_filters(AS_OF.date(), as_of=AS_OF)
        table = departments.department_table(engine, f)
        with engine.connect() as conn:
            truth = set(
                pd.read_sql("SELECT subject_id FROM planted_patterns WHERE pattern = 'rating_mismatch'", conn)[
                    "subject_id"
                ]
            )
        engine.dispose()
        flagged = set(table.loc[table["mismatch"] != "", "department_id"].astype(int))
        lines.append(f"seed {seed}: planted {sorted(truth)} flagged {sorted(flagged)}")
        flagged_all, truth_all, hits = flagged_all + len(flagged), truth_all + len(truth), hits + len(flagged & truth)
    print("\nRating mismatch, default 30 days\n" + "\n".join(lines))
    assert truth_all > 0
    assert flagged_all and hits / flagged_all >= 0.9, lines
    assert hits / truth_all >= 0.67, lines
