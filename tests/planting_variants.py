"""Gaming and honest-but-unusual behaviour planted by hand into a copy of a sample county, written
consistently into events, event steps and check-ins, independent of the sample generator.

Each variation takes `PER_VARIANT` full-time workers of the county who carry no planted pattern and
writes what that behaviour leaves in the store in the padding / near-duplicate windows (the three
months ending with `MONTH`) and the empty-patrol month:

gaming (the signal that should flag it):
- padding_spread (padding): extra trivial reports at random times across the working day (not at
  month end), closed by the worker at grid level 5–25 min later.
- padding_slow_close (padding): extra trivial reports in the first working hour and the last three
  days of the month, closed 35–75 min after reporting.
- reworded_nearby (near_duplicates): trivial problems re-entered 2–48 h later 150–250 m away,
  the description reworded (a clause added or dropped, a word swapped).
- same_spot_other_item (near_duplicates): the same spot (GPS error) re-reported 2–30 h later as
  another trivial item of the same category.
- stationary (empty_patrol): each working day of the month, 4–7 check-ins within GPS noise
  (σ 3–10 m) of one point, plus one token report; the worker's real check-ins of the month removed.
- replayed_route (empty_patrol): one recorded route replayed on each working day with a few metres
  of noise (σ 1.5–4 m), shifted in time; the real check-ins of the month removed.

honest controls (nothing should flag them):
- on_the_spot_fixer: normal volume (the peers' median ± 20 %), about 70 % trivial problems found on the
  morning patrol and fixed on the spot (closed at grid level 3–20 min later), the rest dispatched.
- market_stall: one stall reported each working-day morning for six weeks, each handled and
  closed by a department (the worker's other reports untouched).
- busy_honest: reports added up to three times the peers' median volume, with the county's mix
  (two thirds trivial, closed hours later, a third handled above the grid).
- noisy_gps: real walks through the grid (5–7 waypoints, a few hundred metres) with GPS noise of
  σ 15–30 m on every fix; a different walk each day.

`plant(url, seed)` writes all of them into the store at `url` (disjoint workers) and returns
{variation: [worker ids]}; the rollups are caught up afterwards, as any writer of events must.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, delete, func, select

from data_access import rollups
from data_access.schema import (
    admin_units,
    departments,
    event_item_types,
    event_steps,
    events,
    grids,
    micro_grids,
    patrol_checkins,
    planted_patterns,
    workers,
)

LOCAL = ZoneInfo("Asia/Shanghai")
MONTH = dt.date(2026, 11, 1)
END = dt.datetime(2026, 11, 22, 10, 0, tzinfo=LOCAL)  # the sample county's end (tests.conftest)
WINDOW_START = dt.date(2026, 9, 1)
PER_VARIANT = 16
GAMING = {
    "padding_spread": "padding",
    "padding_slow_close": "padding",
    "reworded_nearby": "near_duplicates",
    "same_spot_other_item": "near_duplicates",
    "stationary": "empty_patrol",
    "replayed_route": "empty_patrol",
}
CONTROLS = ("on_the_spot_fixer", "market_stall", "busy_honest", "noisy_gps")
VARIANTS = (*GAMING, *CONTROLS)
LANDMARKS = ("村道旁", "溪边", "祠堂前", "菜市场旁", "公交站附近", "小区东门", "商业街", "桥头", "十字路口", "农贸点")
M_LAT = 110_574.0


class _Writer:
    def __init__(self, conn, rng: random.Random):
        self.conn, self.rng = conn, rng
        self.event_id = int(conn.execute(select(func.max(events.c.id))).scalar() or 0)
        self.step_id = int(conn.execute(select(func.max(event_steps.c.id))).scalar() or 0)
        self.checkin_id = int(conn.execute(select(func.max(patrol_checkins.c.id))).scalar() or 0)
        self.event_rows, self.step_rows, self.checkin_rows = [], [], []
        items = conn.execute(
            select(event_item_types.c.code, event_item_types.c.category_code, event_item_types.c.name).where(
                event_item_types.c.trivial.is_(True)
            )
        ).all()
        self.trivial = [tuple(i) for i in items]
        self.by_category: dict[str, list[tuple]] = {}
        for item in self.trivial:
            self.by_category.setdefault(item[1], []).append(item)
        every = conn.execute(
            select(event_item_types.c.code, event_item_types.c.category_code, event_item_types.c.name)
        ).all()
        self.serious = [tuple(i) for i in every if tuple(i) not in set(self.trivial)]
        self.department = {
            row.line_of_business: row.id
            for row in conn.execute(select(departments.c.id, departments.c.line_of_business))
        }
        self.any_department = int(conn.execute(select(func.min(departments.c.id))).scalar())

    # --- events --------------------------------------------------------------------------------

    def event(self, w: dict, item: tuple, at: dt.datetime, lonlat, text: str, close_after_min: float, level: str):
        """One grid report of worker `w` at local time `at`, closed `close_after_min` later, handled
        at `level` ('grid', 'village' or 'department'), with its steps."""
        self.event_id += 1
        eid = self.event_id
        reported = at.astimezone(dt.UTC)
        closed = reported + dt.timedelta(minutes=close_after_min)
        completed = reported + dt.timedelta(minutes=close_after_min * 0.8)
        dept = self.department.get(item[1], self.any_department) if level == "department" else None
        self.event_rows.append(
            {
                "id": eid,
                "code": f"PV{eid:09d}",
                "category_code": item[1],
                "item_type_code": item[0],
                "source": "patrol",
                "urgency": "ordinary",
                "description": text,
                "micro_grid_id": w["micro_grid_id"],
                "grid_id": w["grid_id"],
                "village_id": w["village_id"],
                "town_id": w["town_id"],
                "lon": lonlat[0],
                "lat": lonlat[1],
                "reported_at": reported,
                "report_date": at.astimezone(LOCAL).date(),
                "reported_by": w["id"],
                "deadline": reported + dt.timedelta(days=1 if level == "grid" else 5),
                "status": "closed",
                "handled_level": level,
                "department_id": dept,
                "filing_only": False,
                "quality_grade": "qualified",
                "satisfaction": None,
                "completed_at": completed,
                "closed_at": closed,
                "close_date": closed.astimezone(LOCAL).date(),
                "escalations": 1 if level == "department" else 0,
                "returns": 0,
                "rejections": 0,
            }
        )
        grid = ("grid", w["grid_id"])
        if level == "department":
            path = [
                ("report", ("micro_grid", w["micro_grid_id"]), grid, reported),
                ("accept", grid, grid, reported + dt.timedelta(minutes=5)),
                ("escalate", grid, ("county", 1), reported + dt.timedelta(minutes=15)),
                ("dispatch", ("county", 1), ("department", dept), reported + dt.timedelta(minutes=40)),
                ("handle", ("department", dept), ("department", dept), reported + dt.timedelta(minutes=90)),
                ("complete", ("department", dept), ("department", dept), completed),
                ("close", ("county", 1), ("county", 1), closed),
            ]
        else:
            path = [
                ("report", ("micro_grid", w["micro_grid_id"]), grid, reported),
                ("accept", grid, grid, reported + dt.timedelta(minutes=min(2, close_after_min / 4))),
                ("handle", grid, grid, reported + dt.timedelta(minutes=close_after_min / 3)),
                ("complete", grid, grid, completed),
                ("close", grid, grid, closed),
            ]
        for seq, (action, frm, to, when) in enumerate(path, start=1):
            self.step_id += 1
            self.step_rows.append(
                {
                    "id": self.step_id,
                    "event_id": eid,
                    "seq": seq,
                    "action": action,
                    "from_level": frm[0],
                    "from_unit_id": frm[1],
                    "to_level": to[0],
                    "to_unit_id": to[1],
                    "at": when,
                    "actor_worker_id": w["id"] if frm[0] in ("grid", "micro_grid") else None,
                    "actor": None if frm[0] in ("grid", "micro_grid") else "planted",
                }
            )
        return eid

    def checkin(self, w: dict, at: dt.datetime, lonlat) -> None:
        self.checkin_id += 1
        self.checkin_rows.append(
            {
                "id": self.checkin_id,
                "worker_id": w["id"],
                "grid_id": w["grid_id"],
                "town_id": w["town_id"],
                "at": at.astimezone(dt.UTC),
                "checkin_date": at.astimezone(LOCAL).date(),
                "lon": lonlat[0],
                "lat": lonlat[1],
            }
        )

    def flush(self) -> None:
        for table, rows in ((events, self.event_rows), (event_steps, self.step_rows)):
            for i in range(0, len(rows), 500):
                self.conn.execute(table.insert(), rows[i : i + 500])
        for i in range(0, len(self.checkin_rows), 500):
            self.conn.execute(patrol_checkins.insert(), self.checkin_rows[i : i + 500])
        self.event_rows, self.step_rows, self.checkin_rows = [], [], []


# --- geometry and calendar -------------------------------------------------------------------------


def _offset(lonlat, east_m: float, north_m: float, lat0: float):
    return (
        lonlat[0] + east_m / (math.cos(math.radians(lat0)) * 111_320.0),
        lonlat[1] + north_m / M_LAT,
    )


def _in_grid(rng: random.Random, w: dict):
    return (rng.uniform(w["min_lon"], w["max_lon"]), rng.uniform(w["min_lat"], w["max_lat"]))


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def _at(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL) + dt.timedelta(hours=hour)


def _month_end_days(first: dt.date, last: dt.date, n: int = 3) -> set[dt.date]:
    out, d = set(), first
    while d <= last:
        nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if (nxt - d).days <= n:
            out.add(d)
        d += dt.timedelta(days=1)
    return out


def _text(w: dict, landmark: str, item: tuple) -> str:
    return f"巡查发现{w['village_name']}{landmark}{item[2]}问题。"


def _reword(rng: random.Random, text: str) -> str:
    """A re-entry's description: a clause added or dropped, or a word swapped."""
    edits = (
        lambda s: "再次" + s,
        lambda s: s.removesuffix("。") + ",请尽快处理。",
        lambda s: s.removeprefix("巡查发现"),
        lambda s: s.replace("问题。", "情况,已现场劝导。"),
        lambda s: s.replace("附近", "一带") if "附近" in s else s.replace("旁", "边"),
    )
    return rng.choice(edits)(text)


# --- the variations ----------------------------------------------------------------------------------


def _padding(wr: _Writer, w: dict, slow: bool) -> None:
    rng = wr.rng
    last = (END - dt.timedelta(hours=2)).date()
    days = _working_days(WINDOW_START, last)
    tail = _month_end_days(WINDOW_START, last)
    for _ in range(rng.randint(16, 30)):
        item = rng.choice(wr.trivial)
        if slow:
            if rng.random() < 0.6:
                at = _at(rng.choice(days), 8 + rng.random())
            else:
                at = _at(rng.choice(sorted(tail)), rng.uniform(8, 18))
            close = rng.uniform(35, 75)
        else:
            at = _at(rng.choice([d for d in days if d not in tail]), rng.uniform(8.5, 17.5))
            close = rng.uniform(5, 25)
        if at >= END:
            continue
        wr.event(w, item, at, _in_grid(rng, w), _text(w, rng.choice(LANDMARKS), item), close, "grid")


def _near_duplicates(wr: _Writer, w: dict, other_item: bool) -> None:
    rng = wr.rng
    days = _working_days(WINDOW_START, (END - dt.timedelta(days=3)).date())
    categories = [c for c, items in wr.by_category.items() if len(items) >= 2]
    for _ in range(rng.randint(5, 8)):
        item = rng.choice(wr.trivial if not other_item else [i for c in categories for i in wr.by_category[c]])
        landmark = rng.choice(LANDMARKS)
        spot = _in_grid(rng, w)
        at = _at(rng.choice(days), rng.uniform(8, 17))
        text = _text(w, landmark, item)
        wr.event(w, item, at, spot, text, rng.uniform(20, 240), "grid")
        for _ in range(rng.randint(1, 2)):
            if other_item:
                again = rng.choice([i for i in wr.by_category[item[1]] if i != item])
                later = at + dt.timedelta(hours=rng.uniform(2, 30))
                angle, metres = rng.uniform(0, 2 * math.pi), rng.uniform(0, 20)
                where = _offset(spot, metres * math.cos(angle), metres * math.sin(angle), w["lat0"])
                words = _text(w, landmark, again)
            else:
                again = item
                later = at + dt.timedelta(hours=rng.uniform(2, 48))
                angle, metres = rng.uniform(0, 2 * math.pi), rng.uniform(150, 250)
                where = _offset(spot, metres * math.cos(angle), metres * math.sin(angle), w["lat0"])
                words = _reword(rng, text)
            if later < END:
                wr.event(w, again, later, where, words, rng.uniform(10, 60), "grid")


def _month_days() -> list[dt.date]:
    return _working_days(MONTH, (END - dt.timedelta(hours=12)).date())


def _drop_month_checkins(conn, w: dict) -> None:
    conn.execute(
        delete(patrol_checkins).where(patrol_checkins.c.worker_id == w["id"], patrol_checkins.c.checkin_date >= MONTH)
    )


def _stationary(wr: _Writer, w: dict) -> None:
    rng = wr.rng
    _drop_month_checkins(wr.conn, w)
    home = _in_grid(rng, w)
    sigma = rng.uniform(3, 10)
    for day in _month_days():
        start = rng.uniform(8, 9.5)
        for k in range(rng.randint(4, 7)):
            fix = _offset(home, rng.gauss(0, sigma), rng.gauss(0, sigma), w["lat0"])
            wr.checkin(w, _at(day, start + k * rng.uniform(0.1, 0.25)), fix)
        item = rng.choice(wr.trivial)
        wr.event(w, item, _at(day, start + 0.3), home, _text(w, rng.choice(LANDMARKS), item), 30, "grid")


def _walk(rng: random.Random, w: dict, points: int) -> list[tuple[float, float]]:
    """A walk through the grid: `points` fixes along straight legs between random waypoints."""
    waypoints = [_in_grid(rng, w) for _ in range(rng.randint(3, 4))]
    out = []
    for k in range(points):
        t = k / max(points - 1, 1) * (len(waypoints) - 1)
        i = min(int(t), len(waypoints) - 2)
        u = t - i
        a, b = waypoints[i], waypoints[i + 1]
        out.append((a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u))
    return out


def _replayed(wr: _Writer, w: dict) -> None:
    rng = wr.rng
    _drop_month_checkins(wr.conn, w)
    route = _walk(rng, w, rng.randint(5, 7))
    sigma = rng.uniform(1.5, 4)
    for day in _month_days():
        start = rng.uniform(8, 9.5)
        for k, p in enumerate(route):
            fix = _offset(p, rng.gauss(0, sigma), rng.gauss(0, sigma), w["lat0"])
            wr.checkin(w, _at(day, start + k * 0.2 + rng.uniform(-0.02, 0.02)), fix)


def _noisy_gps(wr: _Writer, w: dict) -> None:
    rng = wr.rng
    _drop_month_checkins(wr.conn, w)
    sigma = rng.uniform(15, 30)
    for day in _month_days():
        start = rng.uniform(8, 9.5)
        for k, p in enumerate(_walk(rng, w, rng.randint(5, 7))):
            fix = _offset(p, rng.gauss(0, sigma), rng.gauss(0, sigma), w["lat0"])
            wr.checkin(w, _at(day, start + k * rng.uniform(0.15, 0.3)), fix)


def _own_reports(conn, w: dict) -> int:
    q = select(func.count()).where(
        events.c.reported_by == w["id"], events.c.report_date >= WINDOW_START, events.c.reported_at <= END
    )
    return int(conn.execute(q).scalar())


def _on_the_spot(wr: _Writer, w: dict, normal: int) -> None:
    """The worker's reports of the window replaced by a fixer's at normal volume (the peers' median
    ± 20 %): trivial problems found on the morning patrol and fixed on the spot, the rest dispatched."""
    rng, conn = wr.rng, wr.conn
    n = max(round(normal * rng.uniform(0.8, 1.2)), 4)
    mine = select(events.c.id).where(events.c.reported_by == w["id"], events.c.report_date >= WINDOW_START)
    conn.execute(delete(event_steps).where(event_steps.c.event_id.in_(mine)))
    conn.execute(delete(events).where(events.c.reported_by == w["id"], events.c.report_date >= WINDOW_START))
    days = _working_days(WINDOW_START, (END - dt.timedelta(days=1)).date())
    for _ in range(n):
        at = _at(rng.choice(days), rng.uniform(8, 10.5))
        if rng.random() < 0.7:
            item = rng.choice(wr.trivial)
            wr.event(w, item, at, _in_grid(rng, w), _text(w, rng.choice(LANDMARKS), item), rng.uniform(3, 20), "grid")
        else:
            item = rng.choice(wr.serious)
            text = _text(w, rng.choice(LANDMARKS), item)
            wr.event(w, item, at, _in_grid(rng, w), text, rng.uniform(600, 4000), "department")


def _market_stall(wr: _Writer, w: dict) -> None:
    rng = wr.rng
    stall = _in_grid(rng, w)
    item = (
        next(i for i in wr.trivial if i[0] == "city_mgmt.01")
        if any(i[0] == "city_mgmt.01" for i in wr.trivial)
        else wr.trivial[0]
    )
    text = _text(w, "菜市场旁", item)
    first = dt.date(2026, 10, 5)
    for day in _working_days(first, first + dt.timedelta(weeks=6) - dt.timedelta(days=1)):
        at = _at(day, rng.uniform(7.5, 9))
        fix = _offset(stall, rng.gauss(0, 8), rng.gauss(0, 8), w["lat0"])
        wr.event(w, item, at, fix, text, rng.uniform(240, 1440), "department")


def _busy(wr: _Writer, w: dict, target: int) -> None:
    rng = wr.rng
    days = _working_days(WINDOW_START, (END - dt.timedelta(days=1)).date())
    for _ in range(max(target - _own_reports(wr.conn, w), 0)):
        at = _at(rng.choice(days), rng.uniform(8, 18))
        if rng.random() < 2 / 3:
            item = rng.choice(wr.trivial)
        else:
            item = rng.choice(wr.serious)
        level = "grid" if rng.random() < 2 / 3 else rng.choice(["village", "department"])
        close = rng.lognormvariate(math.log(300), 0.8)
        wr.event(w, item, at, _in_grid(rng, w), _text(w, rng.choice(LANDMARKS), item), close, level)


def _candidates(conn) -> list[dict]:
    """Full-time workers with a grid and a micro-grid of it, no planted pattern, and check-ins in the month."""
    village = admin_units.alias("village")
    planted = select(planted_patterns.c.subject_id).where(planted_patterns.c.subject_type == "worker")
    walked = select(patrol_checkins.c.worker_id).where(patrol_checkins.c.checkin_date >= MONTH).distinct()
    q = (
        select(
            workers.c.id,
            workers.c.grid_id,
            workers.c.town_id,
            workers.c.village_id,
            village.c.name.label("village_name"),
            grids.c.min_lon,
            grids.c.max_lon,
            grids.c.min_lat,
            grids.c.max_lat,
            grids.c.centroid_lat.label("lat0"),
            func.min(micro_grids.c.id).label("micro_grid_id"),
        )
        .select_from(
            workers.join(grids, grids.c.id == workers.c.grid_id)
            .join(village, village.c.id == workers.c.village_id)
            .join(micro_grids, micro_grids.c.grid_id == workers.c.grid_id)
        )
        .where(
            workers.c.role == "full_time_worker",
            workers.c.left_on.is_(None),
            workers.c.id.not_in(planted),
            workers.c.id.in_(walked),
        )
        .group_by(workers.c.id)
        .order_by(workers.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def _peer_median_reports(conn) -> int:
    q = (
        select(func.count().label("n"))
        .select_from(events.join(workers, workers.c.id == events.c.reported_by))
        .where(workers.c.role == "full_time_worker", events.c.report_date >= WINDOW_START, events.c.reported_at <= END)
        .group_by(events.c.reported_by)
    )
    counts = sorted(int(n) for (n,) in conn.execute(q))
    return counts[len(counts) // 2] if counts else 0


def plant(url: str, seed: int = 2024) -> dict[str, list[int]]:
    """Write every variation into the store at `url`; {variation: worker ids}."""
    rng = random.Random(seed)
    engine = create_engine(url)
    chosen: dict[str, list[int]] = {}
    with engine.begin() as conn:
        pool = _candidates(conn)
        if len(pool) < PER_VARIANT * len(VARIANTS):
            raise ValueError(f"Only {len(pool)} candidate workers for {PER_VARIANT * len(VARIANTS)} places")
        rng.shuffle(pool)
        median = _peer_median_reports(conn)
        busy_target = 3 * median
        wr = _Writer(conn, rng)
        for k, name in enumerate(VARIANTS):
            group = pool[k * PER_VARIANT : (k + 1) * PER_VARIANT]
            chosen[name] = [int(w["id"]) for w in group]
            for w in group:
                if name in ("padding_spread", "padding_slow_close"):
                    _padding(wr, w, slow=name == "padding_slow_close")
                elif name in ("reworded_nearby", "same_spot_other_item"):
                    _near_duplicates(wr, w, other_item=name == "same_spot_other_item")
                elif name == "stationary":
                    _stationary(wr, w)
                elif name == "replayed_route":
                    _replayed(wr, w)
                elif name == "noisy_gps":
                    _noisy_gps(wr, w)
                elif name == "on_the_spot_fixer":
                    _on_the_spot(wr, w, median)
                elif name == "market_stall":
                    _market_stall(wr, w)
                else:
                    _busy(wr, w, busy_target)
            wr.flush()
        rollups.catch_up(conn)
    engine.dispose()
    return chosen
