"""The naive way most Streamlit apps do it: `SELECT *` the tables into pandas, then aggregate.

One function per page reproduces that page's headline figures for the default filter (the
last 30 days up to the store's end, whole county, all categories). Each gets the raw tables
as DataFrames and returns a small dict of numbers, so a run can be checked for sanity. Reads
are timed apart from the computing (`load`), and the benchmark runs every page in its own
process (`python -m benchmarks.naive`) so their memory does not count against the dashboard's.

These are meant to be honest, not strawmen: vectorised pandas (no row loops), timestamps
parsed once at read time, one groupby per figure — what a competent pandas app would write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from data_access.filters import Filters, default_filters
from data_access.rankings import TEAM_LEVELS, TRANSFER_LEVELS
from data_access.rules import default_rule_rows

# Columns stored as timestamps (UTC) and as local calendar days, per table.
TIMESTAMPS = {
    "events": ["reported_at", "deadline", "completed_at", "closed_at"],
    "event_steps": ["at"],
    "patrol_checkins": ["at"],
}
DATES = {
    "events": ["report_date", "close_date"],
    "patrol_checkins": ["checkin_date"],
    "workers": ["birth_date", "hired_on", "left_on"],
}
# The tables each page's naive version reads (whole, with SELECT *).
TABLES = {
    "overview": ["events", "workers", "patrol_checkins", "admin_units"],
    "live_map": ["events", "workers", "patrol_checkins", "admin_units", "grids"],
    "event_flow": ["events", "event_steps"],
    "department_response": ["events", "event_steps", "departments"],
    "monthly_rankings": ["events", "event_steps", "workers", "grids", "assessment_rules"],
    "workforce": ["events", "workers", "grids", "micro_grids", "admin_units"],
}
HOUR = 3600.0


def _url_engine(url: str) -> Engine:
    return create_engine(url)


def read_table(engine: Engine, name: str) -> pd.DataFrame:
    """`SELECT * FROM name` into pandas, with timestamps parsed to UTC and days to datetime64."""
    parse = {c: {"utc": True, "format": "ISO8601"} for c in TIMESTAMPS.get(name, [])}
    with engine.connect() as conn:
        df = pd.read_sql_query(f"SELECT * FROM {name}", conn, parse_dates=parse or None)
    for col in DATES.get(name, []):
        df[col] = pd.to_datetime(df[col], format="ISO8601")
    return df


def load(engine: Engine, page: str) -> dict[str, pd.DataFrame]:
    return {name: read_table(engine, name) for name in TABLES[page]}


# --- helpers ---------------------------------------------------------------------------------


def _ts(moment: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(moment).tz_convert("UTC")


def _day(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def default_filter(tables: dict[str, pd.DataFrame], as_of: dt.datetime) -> Filters:
    latest = tables["events"]["report_date"].max()
    return default_filters(None if pd.isna(latest) else latest.date(), as_of=as_of)


def _rate(num, den):
    return float(num) / float(den) if den else None


def _period_kpis(ev: pd.DataFrame, f: Filters) -> dict:
    pe = _ts(f.period_end)
    in_p = ev["report_date"].between(_day(f.date_from), _day(f.date_to))
    not_filing = ~ev["filing_only"].astype(bool)
    closed_by = ev["closed_at"].notna() & (ev["closed_at"] <= pe)
    backlog = not_filing & (ev["reported_at"] <= pe) & (ev["closed_at"].isna() | (ev["closed_at"] > pe))
    due_or_closed = in_p & not_filing & ((ev["deadline"] <= pe) | closed_by)
    on_time = due_or_closed & closed_by & (ev["closed_at"] <= ev["deadline"])
    verified = in_p & not_filing & (closed_by | (ev["rejections"] > 0))
    rated = in_p & not_filing & closed_by & ev["satisfaction"].notna()
    return {
        "events_reported": int(in_p.sum()),
        "filing_only_events": int((in_p & ~not_filing).sum()),
        "open_events": int(backlog.sum()),
        "overdue_events": int((backlog & (ev["deadline"] < pe)).sum()),
        "on_time_closure_rate": _rate(on_time.sum(), due_or_closed.sum()),
        "rework_rate": _rate((verified & (ev["rejections"] > 0)).sum(), verified.sum()),
        "satisfaction_avg": _rate(ev.loc[rated, "satisfaction"].sum(), rated.sum()),
    }


def _active_workers(wk: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    d = _day(day)
    return wk[(wk["hired_on"] <= d) & (wk["left_on"].isna() | (wk["left_on"] > d))]


def _checked_in(ck: pd.DataFrame, wk: pd.DataFrame, as_of: dt.datetime, today: dt.date) -> tuple[int, int]:
    active = _active_workers(wk, today)
    today_ck = ck[(ck["checkin_date"] == _day(today)) & (ck["at"] <= _ts(as_of))]
    return int(today_ck.loc[today_ck["worker_id"].isin(active["id"]), "worker_id"].nunique()), len(active)


# --- pages -----------------------------------------------------------------------------------


def overview(t: dict[str, pd.DataFrame], f: Filters) -> dict:
    """KPI cards (now and previous period), daily trend, and towns by overdue events."""
    ev, wk, ck = t["events"], t["workers"], t["patrol_checkins"]
    now, before = _period_kpis(ev, f), _period_kpis(ev, f.previous_period())
    checked, active = _checked_in(ck, wk, f.as_of, f.today)
    yesterday = f.as_of - dt.timedelta(days=1)
    checked_before, _ = _checked_in(ck, wk, yesterday, f.today - dt.timedelta(days=1))
    pe = _ts(f.period_end)
    in_p = ev["report_date"].between(_day(f.date_from), _day(f.date_to))
    reported = ev[in_p].groupby("report_date").size()
    closed = (
        ev[
            ev["close_date"].between(_day(f.date_from), _day(f.date_to))
            & (ev["closed_at"] <= pe)
            & ~ev["filing_only"].astype(bool)
        ]
        .groupby("close_date")
        .size()
    )
    days = pd.date_range(f.date_from, f.date_to, freq="D")
    trend = pd.DataFrame(
        {"reported": reported.reindex(days, fill_value=0), "closed": closed.reindex(days, fill_value=0)}
    )
    backlog = (
        ~ev["filing_only"].astype(bool) & (ev["reported_at"] <= pe) & (ev["closed_at"].isna() | (ev["closed_at"] > pe))
    )
    towns = t["admin_units"].query("level == 'town'")[["id", "name"]]
    by_town = towns.assign(
        events_reported=towns["id"].map(ev[in_p].groupby("town_id").size()).fillna(0).astype(int),
        open_events=towns["id"].map(ev[backlog].groupby("town_id").size()).fillna(0).astype(int),
        overdue_events=towns["id"]
        .map(ev[backlog & (ev["deadline"] < pe)].groupby("town_id").size())
        .fillna(0)
        .astype(int),
    )
    return {
        "kpis": now,
        "previous": before,
        "workers_checked_in_today": checked,
        "workers_active": active,
        "checked_in_yesterday": checked_before,
        "trend_days": len(trend),
        "trend_reported": int(trend["reported"].sum()),
        "trend_closed": int(trend["closed"].sum()),
        "towns": len(by_town),
        "most_overdue_town": str(by_town.sort_values("overdue_events").iloc[-1]["name"]),
    }


def live_map(t: dict[str, pd.DataFrame], f: Filters) -> dict:
    """Per town: open and overdue now, reported and on-time in the period, crew on duty; tickers."""
    ev, wk, ck, grids = t["events"], t["workers"], t["patrol_checkins"], t["grids"]
    now = _ts(f.as_of)
    pe = _ts(f.period_end)
    not_filing = ~ev["filing_only"].astype(bool)
    backlog = not_filing & (ev["reported_at"] <= now) & (ev["closed_at"].isna() | (ev["closed_at"] > now))
    in_p = ev["report_date"].between(_day(f.date_from), _day(f.date_to))
    closed_by = ev["closed_at"].notna() & (ev["closed_at"] <= pe)
    due_or_closed = in_p & not_filing & ((ev["deadline"] <= pe) | closed_by)
    on_time = due_or_closed & closed_by & (ev["closed_at"] <= ev["deadline"])
    per_town = pd.DataFrame(
        {
            "open_events": ev[backlog].groupby("town_id").size(),
            "overdue_events": ev[backlog & (ev["deadline"] < now)].groupby("town_id").size(),
            "events_reported": ev[in_p].groupby("town_id").size(),
            "on_time_closed": ev[on_time].groupby("town_id").size(),
            "due_or_closed": ev[due_or_closed].groupby("town_id").size(),
        }
    ).fillna(0)
    active = _active_workers(wk, f.today)
    today_ck = ck[(ck["checkin_date"] == _day(f.today)) & (ck["at"] <= now)]
    on_duty = active[active["id"].isin(today_ck["worker_id"])]
    per_town["workers_active"] = active.groupby("town_id").size()
    per_town["workers_checked_in"] = on_duty.groupby("town_id").size()
    # Latest position of each worker today, and grids nobody has checked in from.
    last_pos = today_ck.sort_values("at").groupby("worker_id").tail(1)
    staffed = active.dropna(subset=["grid_id"])["grid_id"].unique()
    silent = np.setdiff1d(staffed, on_duty.dropna(subset=["grid_id"])["grid_id"].unique())
    newest = ev[ev["reported_at"] <= now].nlargest(20, "reported_at")
    alerts = ev[backlog & (ev["deadline"] < now)].nsmallest(20, "deadline")
    return {
        "towns": len(per_town),
        "open_events": int(per_town["open_events"].sum()),
        "overdue_events": int(per_town["overdue_events"].sum()),
        "events_reported": int(per_town["events_reported"].sum()),
        "on_time_closure_rate": _rate(per_town["on_time_closed"].sum(), per_town["due_or_closed"].sum()),
        "workers_checked_in": int(per_town["workers_checked_in"].fillna(0).sum()),
        "worker_positions": len(last_pos),
        "grids_without_checkin": len(silent),
        "grids": len(grids),
        "newest": len(newest),
        "alerts": len(alerts),
    }


def _flow_paths(ev: pd.DataFrame, st: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Per event in scope: origin, visited levels, dispatch node, outcome (the flow chart's path)."""
    pe = _ts(f.period_end)
    scope = ev[ev["report_date"].between(_day(f.date_from), _day(f.date_to)) & (ev["reported_at"] <= pe)]
    s = st[st["event_id"].isin(scope["id"]) & (st["at"] <= pe)]
    entry = s[s["action"] == "report"].drop_duplicates("event_id").set_index("event_id")["to_level"]
    up = s[s["action"] == "escalate"]
    flags = pd.DataFrame(index=scope["id"].to_numpy())
    for level in ("grid", "village", "town", "county"):
        reached = set(entry.index[entry == level]) | set(up.loc[up["to_level"] == level, "event_id"])
        flags[f"v_{level}"] = flags.index.isin(list(reached)).astype(int)
    acts = s.groupby(["event_id", "action"]).size().unstack(fill_value=0)
    acts = acts.reindex(index=flags.index, fill_value=0)
    for col in ("close", "file", "reject", "return"):
        if col not in acts:
            acts[col] = 0
    disp = s[s["action"] == "dispatch"]
    to_dept = set(disp.loc[disp["to_level"] == "department", "event_id"])
    to_grid = set(disp.loc[disp["to_level"] != "department", "event_id"])
    flags["dispatch"] = np.where(
        flags.index.isin(list(to_dept)), "department", np.where(flags.index.isin(list(to_grid)), "assigned_grid", "")
    )
    flags["outcome"] = np.select(
        [
            acts["file"] > 0,
            (acts["close"] > 0) & (acts["reject"] > 0),
            (acts["close"] > 0) & (acts["return"] > 0),
            acts["close"] > 0,
        ],
        ["filed", "closed_rejected", "closed_returned", "closed"],
        default="open",
    )
    flags["source"] = scope.set_index("id")["source"]
    return flags


def _links(paths: pd.DataFrame) -> pd.DataFrame:
    """Links source → target with event counts, from the distinct paths (few hundred)."""
    cols = ["source", "v_grid", "v_village", "v_town", "v_county", "dispatch", "outcome"]
    distinct = paths.groupby(cols).size().reset_index(name="n")
    rows = []
    for path in distinct.itertuples(index=False):  # one per distinct path, not per event
        nodes = [f"origin:{path.source}"] + [
            f"level:{lv}" for lv in ("grid", "village", "town", "county") if getattr(path, f"v_{lv}")
        ]
        if path.dispatch:
            nodes.append(f"dispatch:{path.dispatch}")
        nodes.append(f"outcome:{path.outcome}")
        rows += [(a, b, path.n) for a, b in zip(nodes, nodes[1:])]
    links = pd.DataFrame(rows, columns=["source", "target", "events"])
    return links.groupby(["source", "target"], as_index=False)["events"].sum()


def event_flow(t: dict[str, pd.DataFrame], f: Filters) -> dict:
    """Flow links now and in the previous period, stage timing per route, returns and round trips."""
    ev, st = t["events"], t["event_steps"]
    paths = _flow_paths(ev, st, f)
    links = _links(paths)
    prev_links = _links(_flow_paths(ev, st, f.previous_period()))
    comparison = links.merge(prev_links, on=["source", "target"], how="outer", suffixes=("", "_prev")).fillna(0)
    # Stage timing: first time of each action per event, durations between consecutive stages.
    pe = _ts(f.period_end)
    s = st[st["event_id"].isin(paths.index) & (st["at"] <= pe)]
    first = s.groupby(["event_id", "action"])["at"].min().unstack()
    route = np.select(
        [paths["dispatch"] == "department", paths["v_county"] == 1, paths["v_town"] == 1, paths["v_village"] == 1],
        ["department", "county", "town", "village"],
        default="grid",
    )
    stages = {
        "report_accept": ("report", "accept"),
        "accept_dispatch": ("accept", "dispatch"),
        "dispatch_complete": ("dispatch", "complete"),
        "complete_verify": ("complete", "verify"),
        "verify_close": ("verify", "close"),
    }
    timing = []
    for stage, (a, b) in stages.items():
        if a not in first or b not in first:
            continue
        hours = ((first[b] - first[a]).dt.total_seconds() / HOUR).rename("h").to_frame()
        hours["route"] = pd.Series(route, index=paths.index).reindex(hours.index)
        hours = hours[hours["h"] >= 0]
        g = hours.groupby("route")["h"]
        timing.append(pd.DataFrame({"stage": stage, "n": g.size(), "median_h": g.median(), "p90_h": g.quantile(0.9)}))
    timing = pd.concat(timing) if timing else pd.DataFrame()
    returns = s[s["action"].isin(["return", "reject"])].groupby(["action", "from_level", "to_level"]).size()
    trips = (
        s[s["action"].isin(["return", "reject"])]
        .groupby("event_id")
        .size()
        .reindex(paths.index, fill_value=0)
        .value_counts()
        .sort_index()
    )
    return {
        "events": len(paths),
        "links": len(links),
        "flow_total": int(links.loc[links["source"].str.startswith("origin:"), "events"].sum()),
        "compared_links": len(comparison),
        "stage_rows": len(timing),
        "report_accept_median_h": None
        if timing.empty
        else float(timing[timing["stage"] == "report_accept"]["median_h"].median()),
        "return_routes": len(returns),
        "round_trip_classes": len(trips),
    }


def department_response(t: dict[str, pd.DataFrame], f: Filters) -> dict:
    """Per department: received, median/p90 hours to accept and complete, on time, returns, rework."""
    ev, st = t["events"], t["event_steps"]
    pe, ps = _ts(f.period_end), _ts(f.period_start)
    ev_cols = ev.loc[
        ~ev["filing_only"].astype(bool), ["id", "deadline", "closed_at", "satisfaction", "category_code", "town_id"]
    ]
    disp = st[(st["action"] == "dispatch") & (st["to_level"] == "department") & (st["at"] <= pe)]
    first = (
        disp.groupby(["event_id", "to_unit_id"], as_index=False)["at"]
        .min()
        .rename(columns={"to_unit_id": "department_id", "at": "dispatched_at"})
    )
    first = first.merge(ev_cols, left_on="event_id", right_on="id")
    # The department's own steps after the dispatch, and rejections aimed at it.
    own = st[(st["from_level"] == "department") & (st["at"] <= pe)].rename(columns={"from_unit_id": "unit"})
    rej = st[(st["action"] == "reject") & (st["to_level"] == "department") & (st["at"] <= pe)].rename(
        columns={"to_unit_id": "unit"}
    )
    steps = pd.concat([own, rej])[["event_id", "unit", "action", "at"]]
    j = first.merge(steps, left_on=["event_id", "department_id"], right_on=["event_id", "unit"], how="left")
    j = j[j["at"].isna() | (j["at"] >= j["dispatched_at"])]
    key = ["event_id", "department_id"]
    per = first.set_index(key)
    for name, action, how in (
        ("accepted_at", "accept", "min"),
        ("completed_at", "complete", "max"),
        ("returned_at", "return", "min"),
    ):
        per[name] = j[j["action"] == action].groupby(key)["at"].agg(how)
    per["rejections"] = j[j["action"] == "reject"].groupby(key).size()
    per["rejections"] = per["rejections"].fillna(0)
    per = per.reset_index()
    kept = per["returned_at"].isna()
    per["accept_h"] = (per["accepted_at"] - per["dispatched_at"]).dt.total_seconds() / HOUR
    per["complete_h"] = ((per["completed_at"] - per["dispatched_at"]).dt.total_seconds() / HOUR).where(kept)
    p = per[per["dispatched_at"] >= ps].copy()
    kept_p = p["returned_at"].isna()
    p["done"] = kept_p & p["completed_at"].notna()
    p["on_time"] = p["done"] & (p["completed_at"] <= p["deadline"])
    p["due_or_done"] = kept_p & (p["completed_at"].notna() | (p["deadline"] <= pe))
    p["returned"] = ~kept_p
    p["reworked"] = p["done"] & (p["rejections"] > 0)
    g = p.groupby("department_id")
    table = pd.DataFrame(
        {
            "received": g.size(),
            "accept_h_median": g["accept_h"].median(),
            "accept_h_p90": g["accept_h"].quantile(0.9),
            "complete_h_median": g["complete_h"].median(),
            "complete_h_p90": g["complete_h"].quantile(0.9),
            "on_time_rate": g["on_time"].sum() / g["due_or_done"].sum(),
            "return_rate": g["returned"].mean(),
            "rework_rate": g["reworked"].sum() / g["done"].sum(),
        }
    )
    # Backlog now: still with the department, not returned, completed or closed.
    open_now = per[kept & per["completed_at"].isna() & (per["closed_at"].isna() | (per["closed_at"] > pe))]
    table["open"] = open_now.groupby("department_id").size()
    table["overdue"] = open_now[open_now["deadline"] < pe].groupby("department_id").size()
    county = p["accept_h"].median(), p["complete_h"].median()
    return {
        "departments": len(table),
        "received": int(table["received"].sum()),
        "county_accept_h_median": float(county[0]),
        "county_complete_h_median": float(county[1]),
        "open": int(table["open"].fillna(0).sum()),
        "overdue": int(table["overdue"].fillna(0).sum()),
        "by_month": int(p.groupby(p["dispatched_at"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m")).ngroups),
        "by_category": int(p.groupby("category_code").ngroups),
    }


def _rules(tables: dict[str, pd.DataFrame], ruleset: str) -> dict[str, float]:
    rows = {(r["ruleset"], r["key"]): r["value"] for r in default_rule_rows()}
    rows.update({(r.ruleset, r.key): r.value for r in tables["assessment_rules"].itertuples()})
    out = {k: v for (rs, k), v in rows.items() if rs == "common"}
    out.update({k: v for (rs, k), v in rows.items() if rs == ruleset})
    return out


def monthly_rankings(t: dict[str, pd.DataFrame], f: Filters, ruleset: str = "as_practised") -> dict:
    """Monthly worker, community and town scores: count the grid reports, then the rule arithmetic."""
    ev, st, wk, grids = t["events"], t["event_steps"], t["workers"], t["grids"]
    rules = _rules(t, ruleset)
    today = pd.Timestamp(f.today)
    month = today.replace(day=1) - pd.offsets.MonthBegin(1)  # newest finished month (the page's default)
    month_last = month + pd.offsets.MonthEnd(0)
    as_of = _ts(f.as_of)
    e = ev[ev["report_date"].between(month, month_last) & ev["reported_by"].notna() & (ev["reported_at"] <= as_of)]
    verified_at = (
        st[(st["action"] == "verify") & (st["at"] <= as_of) & st["event_id"].isin(e["id"])]
        .groupby("event_id")["at"]
        .max()
    )
    e = e.assign(verified_at=e["id"].map(verified_at))
    limit = pd.Timedelta(hours=rules["verify_within_hours"])
    closed = e["closed_at"].notna() & (e["closed_at"] <= as_of)
    completed = e["completed_at"].notna() & (e["completed_at"] <= as_of)
    graded = closed & e["quality_grade"].notna()
    rated = closed & e["satisfaction"].notna()
    e = e.assign(
        filing=e["filing_only"].astype(bool),
        closed=closed & ~e["filing_only"].astype(bool),
        graded=graded,
        qualified=graded & e["quality_grade"].isin(["qualified", "excellent"]),
        excellent=graded & (e["quality_grade"] == "excellent"),
        verify_due=completed & (e["verified_at"].notna() | (as_of - e["completed_at"] > limit)),
        verified_on_time=completed & e["verified_at"].notna() & (e["verified_at"] - e["completed_at"] <= limit),
        team=e["handled_level"].isin(TEAM_LEVELS),
        transfers=e["handled_level"].isin(TRANSFER_LEVELS),
        sat_sum=e["satisfaction"].where(rated, 0),
        sat_n=rated,
    )
    cols = [
        "filing",
        "closed",
        "graded",
        "qualified",
        "excellent",
        "verify_due",
        "verified_on_time",
        "team",
        "transfers",
        "sat_sum",
        "sat_n",
    ]
    per_worker = e.groupby("reported_by")[cols].sum().assign(reported=e.groupby("reported_by").size())
    ft = wk[
        (wk["role"] == "full_time_worker")
        & (wk["hired_on"] <= month_last)
        & (wk["left_on"].isna() | (wk["left_on"] > month))
    ]
    ft = ft.merge(
        grids[["id", "residents"]].rename(columns={"id": "grid_id", "residents": "grid_residents"}),
        on="grid_id",
        how="left",
    )

    def score(c: pd.DataFrame, quota: pd.Series) -> pd.DataFrame:
        c = c.copy()
        if rules["filing_only_in_closure_rate"] >= 0.5:
            closure = (c["closed"] + c["filing"]) / c["reported"]
        else:
            closure = c["closed"] / (c["reported"] - c["filing"])
        rates = pd.DataFrame(
            {
                "closure": closure,
                "qualified": c["qualified"] / c["graded"],
                "excellent": c["excellent"] / c["graded"],
                "verify": c["verified_on_time"] / c["verify_due"],
            }
        ).replace([np.inf, -np.inf], np.nan)
        c["quantity"] = 100 * np.minimum(1, c["reported"] / quota).fillna(0)
        c["quality"] = (100 * rates.mean(axis=1, skipna=True)).fillna(0)
        c["process"] = 50 * np.minimum(
            1, (c["team"] / c["reported"]).fillna(0) / rules["team_handling_min_share"]
        ) + 50 * np.minimum(1, (c["transfers"] / c["reported"]).fillna(0) / rules["process_transfer_target_share"])
        res = 100 * ((c["sat_sum"] / c["sat_n"]) - 1) / 4
        c["residents"] = res.fillna(res.mean()).fillna(0)
        c["total"] = sum(rules[f"weight_{p}"] * c[p] for p in ("quantity", "quality", "process", "residents"))
        return c

    quota = rules["quota_events_per_worker"]
    workers_scored = score(ft.set_index("id")[[]].join(per_worker).fillna(0), pd.Series(quota, index=ft["id"]))
    villages = e.groupby("village_id")[cols].sum().assign(reported=e.groupby("village_id").size())
    towns = e.groupby("town_id")[cols].sum().assign(reported=e.groupby("town_id").size())
    ft_per_village = ft.groupby("village_id").size().reindex(villages.index).fillna(0)
    ft_per_town = ft.groupby("town_id").size().reindex(towns.index).fillna(0)
    v_scored = score(villages, ft_per_village * quota)
    t_scored = score(towns, ft_per_town * quota)
    # Integrity input: share of each worker's reports in the 08:00-08:59 burst on working days.
    local = e["reported_at"].dt.tz_convert("Asia/Shanghai")
    burst = (local.dt.hour == 8) & (local.dt.day_of_week < 5)
    burst_share = burst.groupby(e["reported_by"]).mean()
    return {
        "month": month.strftime("%Y-%m"),
        "workers_ranked": len(workers_scored),
        "worker_mean_score": float(workers_scored["total"].mean()),
        "villages": len(v_scored),
        "towns": len(t_scored),
        "town_best": float(t_scored["total"].max()),
        "burst_share_p90": float(burst_share.quantile(0.9)) if len(burst_share) else None,
    }


def workforce(t: dict[str, pd.DataFrame], f: Filters, months: int = 12) -> dict:
    """Staffing totals and per town, age pyramid, education, workload per worker-month."""
    ev, wk, grids, mg = t["events"], t["workers"], t["grids"], t["micro_grids"]
    day = _day(f.date_to)
    active = _active_workers(wk, f.date_to)
    ft_grids = active.loc[(active["employment_type"] == "full_time") & active["grid_id"].notna(), "grid_id"]
    age = (day - active["birth_date"]).dt.days / 365.25
    totals = {
        "grids": len(grids),
        "micro_grids": len(mg),
        "residents": int(grids["residents"].sum()),
        "households": int(grids["households"].sum()),
        "grids_without_full_time": int((~grids["id"].isin(ft_grids)).sum()),
        "workers": len(active),
        **active["employment_type"].value_counts().to_dict(),
        "aged_50_plus": int((age >= 50).sum()),
    }
    per_town = pd.DataFrame(
        {
            "grids": grids.groupby("town_id").size(),
            "workers": active.groupby("town_id").size(),
            "full_time": active[active["employment_type"] == "full_time"].groupby("town_id").size(),
        }
    )
    bands = pd.cut(age, [0, 30, 40, 50, 60, 200], right=False, labels=["<30", "30-39", "40-49", "50-59", "60+"])
    pyramid = active.groupby([bands, active["gender"]], observed=False).size()
    education = active["education"].value_counts()
    tenure = ((day - active["hired_on"]).dt.days / 365.25).describe()
    # Workload: events reported per full-time worker per whole month in post, over `months` months.
    last = (day.replace(day=1) - pd.Timedelta(days=1)).replace(day=1)
    window = pd.date_range(end=last, periods=months, freq="MS")
    ftw = wk[wk["employment_type"] == "full_time"]
    e = ev[
        ev["report_date"].between(window[0], window[-1] + pd.offsets.MonthEnd(0)) & ev["reported_by"].isin(ftw["id"])
    ]
    counts = e.groupby([e["reported_by"], e["report_date"].dt.to_period("M")]).size()
    slots = []
    for m in window:  # one vectorised filter per month
        whole = ftw[(ftw["hired_on"] <= m) & (ftw["left_on"].isna() | (ftw["left_on"] > m + pd.offsets.MonthEnd(0)))]
        slots.append(pd.DataFrame({"worker": whole["id"].to_numpy(), "month": m.to_period("M")}))
    slots = pd.concat(slots)
    slots["events"] = counts.reindex(pd.MultiIndex.from_frame(slots[["worker", "month"]])).fillna(0).to_numpy()
    hires = wk[wk["hired_on"] >= window[0]].groupby(wk["hired_on"].dt.to_period("M")).size()
    leavers = wk[wk["left_on"] >= window[0]].groupby(wk["left_on"].dt.to_period("M")).size()
    return {
        **{k: int(v) for k, v in totals.items()},
        "towns": len(per_town),
        "pyramid_cells": len(pyramid),
        "education_levels": len(education),
        "tenure_median_y": float(tenure["50%"]),
        "worker_months": len(slots),
        "workload_median": float(slots["events"].median()),
        "workload_p90": float(slots["events"].quantile(0.9)),
        "hire_months": len(hires),
        "leaver_months": len(leavers),
    }


PAGES = {
    "overview": overview,
    "live_map": live_map,
    "event_flow": event_flow,
    "department_response": department_response,
    "monthly_rankings": monthly_rankings,
    "workforce": workforce,
}


def run(url: str, page: str, as_of: dt.datetime) -> dict:
    """Read and compute one page the naive way; seconds for each half, peak RSS, and the figures."""
    engine = _url_engine(url)
    began = time.perf_counter()
    tables = load(engine, page)
    read_s = time.perf_counter() - began
    f = default_filter(tables, as_of)
    figures = PAGES[page](tables, f)
    total_s = time.perf_counter() - began
    engine.dispose()
    return {
        "page": page,
        "naive_s": total_s,
        "naive_read_s": read_s,
        "naive_compute_s": total_s - read_s,
        "rows_read": int(sum(len(df) for df in tables.values())),
        "naive_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "figures": figures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.naive", description="One page's figures the naive pandas way, as JSON on stdout."
    )
    parser.add_argument("--db", required=True)
    parser.add_argument("--page", required=True, choices=sorted(PAGES))
    parser.add_argument("--as-of", required=True, help="ISO time with zone: the dashboard's 'now'")
    args = parser.parse_args(argv)
    as_of = dt.datetime.fromisoformat(args.as_of)
    if as_of.tzinfo is None:
        parser.error("--as-of must carry a time zone")
    print(json.dumps(run(args.db, args.page, as_of.astimezone(dt.UTC)), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
