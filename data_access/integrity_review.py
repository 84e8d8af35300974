"""Integrity review (履职真实性复核): flags in the consequences, and a reviewer's decisions.

Every flagged worker's consequences are reviewed; a worker under a *strong* flag
(`integrity.worker_signals`: strong) also has events the flag holds (held_events: those under a
strong padding or near-duplicate flag). Under a ruleset that reviews (rule `integrity_review` = 1;
the reformed ruleset by default, as-practised and H district not), until a reviewer decides:
- the held events are taken out of the quantity part of the ranked month's score (rankings:
  `held`), and
- the worker's double-pay / pay-loss / dismissal-risk consequences are *pending review*
  (待复核): listed with the reason, never granted.
A reviewer (role leader or admin) clears or upholds each raised signal of the worker for the
month (table `integrity_reviews`; the newest decision of a (worker, month, signal) counts; each
decision is also an audit-log entry). All raised signals cleared: the events count again and the
consequences follow the ranking. Any upheld (all decided): the events stay out, the pay-loss and
dismissal-risk consequences of the score without them apply, and no double pay is granted (the
place is left unfilled, not passed down the ranking). Otherwise: pending.

Only the ranked month is reviewed: the earlier months of a dismissal streak are scored as they
stood. Rankings.py cannot import integrity.py (integrity imports rankings), so the review-aware
view is put together here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from . import audit, integrity, rankings
from .filters import Filters
from .queries import frame
from .schema import REVIEW_DECISIONS, integrity_reviews, users

REVIEW_ROLES = ("leader", "admin")  # who may decide; every role sees the state
KINDS = ("double_pay", "loses_pay", "dismissal_risk")
STATES = ("pending", "cleared", "upheld")
NOTE_MAX = 500


class ReviewError(ValueError):
    """A decision that cannot be recorded. `key` names the label (err_review_<key>) that says why."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


# --- the signals the review works on ------------------------------------------------------------


def raised(row) -> list[str]:
    """The worker signals raised on a row of worker_signals."""
    return [s for s in integrity.WORKER_SIGNALS if bool(row[s])]


# --- decisions ------------------------------------------------------------------------------------


def _has_table(engine: Engine) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table(integrity_reviews.name)


def review_stamp(engine: Engine) -> int:
    """The id of the newest decision (0: none, or no table yet): a page passes it to the cached
    calls so that a new decision is seen at once."""
    if not _has_table(engine):
        return 0
    got = frame(engine, select(func.max(integrity_reviews.c.id).label("n")))
    value = got.iloc[0, 0] if len(got) else None
    return 0 if value is None or pd.isna(value) else int(value)


def decisions(engine: Engine, month: dt.date) -> pd.DataFrame:
    """The decision in force per (worker, signal) for `month` (the newest row).

    Columns: worker_id, signal, decision, reviewer, decided_at, note. Empty without the table.
    """
    cols = ["worker_id", "signal", "decision", "reviewer", "decided_at", "note"]
    if not _has_table(engine):
        return pd.DataFrame(columns=cols)
    r = integrity_reviews.c
    q = (
        select(r.id, r.worker_id, r.signal, r.decision, r.reviewer, r.decided_at, r.note)
        .where(r.month == rankings.month_start(month))
        .order_by(r.id)
    )
    got = frame(engine, q)
    if got.empty:
        return pd.DataFrame(columns=cols)
    return got.drop_duplicates(["worker_id", "signal"], keep="last")[cols].reset_index(drop=True)


def record_decision(
    engine: Engine,
    month: dt.date,
    worker_id: int,
    signal: str,
    decision: str,
    reviewer: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Record a reviewer's decision (through a writable engine) and its audit-log entry; its id.

    Refused (ReviewError): an unknown decision or signal, a reviewer who is not an enabled
    leader or admin, a note longer than NOTE_MAX characters."""
    if decision not in REVIEW_DECISIONS:
        raise ReviewError(f"Unknown decision {decision!r}; choose one of {', '.join(REVIEW_DECISIONS)}.", "decision")
    if signal not in integrity.WORKER_SIGNALS:
        raise ReviewError(f"Unknown signal {signal!r}.", "signal")
    if not isinstance(month, dt.date) or isinstance(month, dt.datetime):
        raise ReviewError(f"The month must be a date, not {month!r}.", "month")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReviewError(f"The note is longer than {NOTE_MAX} characters.", "note")
    with engine.connect() as conn:
        row = conn.execute(select(users.c.role, users.c.disabled).where(users.c.username == reviewer)).first()
    if row is None or row.disabled or row.role not in REVIEW_ROLES:
        raise ReviewError(f"{reviewer!r} may not review integrity flags.", "role")
    integrity_reviews.create(engine, checkfirst=True)
    first = rankings.month_start(month)
    when = at or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        new_id = conn.execute(
            integrity_reviews.insert().values(
                worker_id=int(worker_id),
                month=first,
                signal=signal,
                decision=decision,
                reviewer=reviewer,
                decided_at=when,
                note=note,
            )
        ).inserted_primary_key[0]
    detail = {"worker": int(worker_id), "month": first.isoformat(), "signal": signal, "decision": decision}
    if note:
        detail["note"] = note
    audit.record(engine, reviewer, "integrity_review", page="monthly_rankings", detail=detail, at=when)
    return int(new_id)


# --- the state of each flagged worker -----------------------------------------------------------


def review_state(engine: Engine, f: Filters, month: dt.date, signals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per flagged worker of the month (the filter's scope), most held first. Every flag,
    strong or not, puts the worker's consequences under review; only a strong flag holds events
    out of the quantity part (held_events is 0 for a worker with weak flags only).

    Columns: worker_id, name, town_name, village_name, signals (list of raised signals), strength,
    innocent, held_events, state ('pending' | 'cleared' | 'upheld'), decided (list of
    'signal:decision'), reviewer (of the newest decision), decided_at, note.
    """
    sig = integrity.worker_signals(engine, f, month) if signals is None else signals
    strong = sig[sig["flags"] > 0].copy()
    cols = [
        "worker_id",
        "name",
        "town_name",
        "village_name",
        "signals",
        "strength",
        "innocent",
        "held_events",
        "state",
        "decided",
        "reviewer",
        "decided_at",
        "note",
    ]
    if strong.empty:
        return pd.DataFrame(columns=cols)
    strong["signals"] = [raised(r) for r in strong.to_dict("records")]
    dec = decisions(engine, month)
    by_worker = {int(w): g for w, g in dec.groupby("worker_id")} if len(dec) else {}
    states, decided, reviewer, at, note = [], [], [], [], []
    for wid, names in zip(strong["worker_id"].astype(int), strong["signals"]):
        mine = by_worker.get(wid)
        got = {} if mine is None else dict(zip(mine["signal"], mine["decision"]))
        wanted = [got.get(s) for s in names]
        if names and all(d == "cleared" for d in wanted):
            states.append("cleared")
        elif names and all(d is not None for d in wanted):
            states.append("upheld")
        else:
            states.append("pending")
        decided.append([f"{s}:{got[s]}" for s in names if s in got])
        last = None if mine is None else mine[mine["signal"].isin(names)].tail(1)
        if last is None or last.empty:
            reviewer.append("")
            at.append(None)
            note.append("")
        else:
            reviewer.append(str(last["reviewer"].iloc[0]))
            at.append(last["decided_at"].iloc[0])
            note.append(str(last["note"].iloc[0] or ""))
    strong["state"], strong["decided"], strong["reviewer"] = states, decided, reviewer
    strong["decided_at"], strong["note"] = at, note
    strong["held_events"] = strong["held_events"].astype(int)
    out = strong[cols].sort_values(["held_events", "worker_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def held_pairs(state: pd.DataFrame) -> tuple:
    """((worker_id, held events), ...) of the workers whose events stay out: pending or upheld."""
    keep = state[state["state"].isin(["pending", "upheld"]) & (state["held_events"] > 0)]
    return tuple(sorted(zip(keep["worker_id"].astype(int), keep["held_events"].astype(int))))


# --- consequences with the review -----------------------------------------------------------------


def mark_consequences(cons: pd.DataFrame, signals: pd.DataFrame, state: pd.DataFrame, review: bool) -> pd.DataFrame:
    """`rankings.consequences` with the review applied.

    Adds: flagged (any integrity flag this month), review (the worker's review state under a
    reviewing ruleset, else ''), and per kind K in KINDS a column K_pending. Under review a
    pending worker's K moves to K_pending (shown as 待复核, not granted); an upheld worker gets no
    double pay."""
    out = cons.copy()
    flagged = set(signals.loc[signals["flags"] > 0, "worker_id"].astype(int))
    out["flagged"] = out["subject_id"].astype(int).isin(flagged)
    states = dict(zip(state["worker_id"].astype(int), state["state"])) if review else {}
    out["review"] = [states.get(int(w), "") for w in out["subject_id"]]
    pending = out["review"] == "pending"
    for kind in KINDS:
        out[f"{kind}_pending"] = out[kind] & pending
        out[kind] = out[kind] & ~pending
    out["double_pay"] = out["double_pay"] & (out["review"] != "upheld")
    return out


def places(cons: pd.DataFrame, ruleset: str, review: bool) -> dict:
    """The counts the page sets side by side for one ruleset (definitions: metrics
    integrity_double_pay_flagged, integrity_loses_pay_flagged, integrity_pending)."""
    pending = cons[[f"{k}_pending" for k in KINDS]].any(axis=1)
    return {
        "ruleset": ruleset,
        "review": bool(review),
        "double_pay": int(cons["double_pay"].sum()),
        "double_pay_flagged": int((cons["double_pay"] & cons["flagged"]).sum()),
        "loses_pay": int(cons["loses_pay"].sum()),
        "loses_pay_flagged": int((cons["loses_pay"] & cons["flagged"]).sum()),
        "pending": int(pending.sum()),
        "double_pay_pending": int(cons["double_pay_pending"].sum()),
    }


def month_view(
    engine: Engine, f: Filters, month: dt.date, ruleset: str, level: str, stamp: int = 0
) -> dict[str, pd.DataFrame]:
    """What the rankings page shows for a month, with the integrity review applied.

    {"scores", "compare", "consequences"} as `rankings.month_view` (the held events out where the
    ruleset reviews; consequences marked by `mark_consequences`), "signals" (the month's
    `worker_signals` with strength), "review" (`review_state`) and "places": one row per ruleset
    of `rankings.RULESETS` with `places`. `stamp` (`review_stamp`) only keys the page's cache.
    """
    month = rankings.month_start(month)
    # Ranks are county-wide whatever the filter (rankings.scope_rows), so the held events are
    # too: the signals are read for the whole county and narrowed to the filter for display.
    county_scope = None if f.scope is None else replace(f.scope, town_id=None)
    everyone = replace(f, town_id=None, village_id=None, scope=county_scope)
    signals_all = integrity.worker_signals(engine, everyone, month)
    state_all = review_state(engine, everyone, month, signals_all)
    held = held_pairs(state_all)
    shared: dict = {}  # the counts and staff are read once for every ruleset scored here
    view = {
        "scores": rankings.monthly_scores(engine, f, month, ruleset, level, shared, held),
        "compare": rankings.compare_rulesets(engine, f, month, level, shared, held),
    }
    rows = []
    for name in rankings.RULESETS:
        review = rankings.reviews(rankings.rules_for(engine, name))
        cons = rankings.consequences(engine, f, month, name, shared, held)
        marked = mark_consequences(cons, signals_all, state_all, review)
        if name == ruleset:
            view["consequences"] = marked
        rows.append(places(marked, name, review))
    signals = rankings.scope_rows(signals_all, f, "worker").reset_index(drop=True)
    view["signals"] = signals
    view["review"] = state_all[state_all["worker_id"].isin(signals["worker_id"])].reset_index(drop=True)
    view["places"] = pd.DataFrame(rows)
    return view
