"""The demo feed: keeps the sample store moving while the dashboard serves it.

`streamlit run dashboard.py` on the embedded sample store starts it once per server process (a
daemon thread, `bootstrap.ensure_demo_feed`): new events at the hour-of-day rhythm of the sample
generator, their steps (the live feeder's `Feeder`), and patrol check-ins — full-time workers
around 08:05 and then every half hour or so on their rounds, part-timers during the day.

It runs only on a store the sample generator made (`store_meta`: one of its profiles and a
seed) and, by default, only on the embedded `sample_data/grid.db`; never with a pinned clock
(`GRID_NOW`). `GRID_DEMO_FEED`: `auto` (default) as just said, `off` never, `on` also for
another generator-made store (a sample county in PostgreSQL). A store without the generator's mark is never written to.

The pace is a demo's: DEMO_PEAK_PER_MINUTE new events a minute at the busiest hour, following
the generator's curve, never fewer than DEMO_FLOOR_PER_MINUTE (so a wall shows something new
within a minute at 3 a.m. too). On start it first fills the gap since the sample was made —
check-ins of yesterday and today, events since the newest one (at most since yesterday's
midnight) at the sample's own daily volume — so "today" never reads as an empty day because
the file aged. Those caught-up events are moved on from the moment the feed starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import random
import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from data_access import schema
from data_access.filters import LOCAL_TZ, local_midnight_utc, now_utc
from data_access.store import DEFAULT_DB_URL, create_store_engine, read_meta
from data_access.users import seed_demo_users
from sample_data.generate import CENTRE_HOURS, GRID_HOURS, PROFILES
from sample_data.simulate import STEPS_PER_EVENT, Feeder

SWITCH_ENV = "GRID_DEMO_FEED"
DEMO_PEAK_PER_MINUTE = 6.0
DEMO_FLOOR_PER_MINUTE = 2.0
TICK_SECONDS = 1.0
# Share of the day's new events per local hour: worker reports and hotline/camera events together.
HOUR_WEIGHTS = (GRID_HOURS + CENTRE_HOURS) / (GRID_HOURS + CENTRE_HOURS).sum()
CHECKIN_ROLES = ("full_time_worker", "part_time_worker", "grid_head", "micro_grid_head")
log = logging.getLogger(__name__)


def demo_rate_per_minute(moment: dt.datetime) -> float:
    """New events a minute at `moment`: the generator's hour curve scaled to the demo peak."""
    hour = moment.astimezone(LOCAL_TZ).hour
    return max(DEMO_FLOOR_PER_MINUTE, DEMO_PEAK_PER_MINUTE * HOUR_WEIGHTS[hour] / HOUR_WEIGHTS.max())


def decision(url: str, engine: Engine, environ: dict | None = None) -> tuple[bool, str]:
    """(start?, why): the switch, the clock and the store's own mark decide."""
    env = os.environ if environ is None else environ
    mode = env.get(SWITCH_ENV, "auto").strip().lower() or "auto"
    if mode in ("off", "0", "false", "no"):
        return False, f"{SWITCH_ENV}={mode}"
    if mode not in ("auto", "on", "1", "true", "yes"):
        return False, f"{SWITCH_ENV}={mode!r} is not auto, on or off"
    if env.get("GRID_NOW", "").strip():
        return False, "the clock is pinned (GRID_NOW)"
    try:
        meta = read_meta(engine)
    except Exception as exc:  # no store_meta table: not a sample
        return False, f"no sample mark ({type(exc).__name__})"
    if meta.get("profile") not in PROFILES or "seed" not in meta:
        return False, "the store was not made by the sample generator"
    if mode == "auto" and url != DEFAULT_DB_URL:
        return False, f"not the embedded sample store (set {SWITCH_ENV}=on to feed this sample)"
    return True, f"sample store ({meta['profile']}, seed {meta.get('seed', '?')})"


@dataclass(frozen=True)
class Crew:
    """Active workers who check in: id, grid, town, full-time or not."""

    worker_id: np.ndarray
    grid_id: np.ndarray
    town_id: np.ndarray
    full_time: np.ndarray


def read_crew(engine: Engine, day: dt.date) -> Crew:
    w = schema.workers
    with engine.connect() as conn:
        rows = conn.execute(
            select(w.c.id, w.c.grid_id, w.c.town_id, w.c.role)
            .where(
                w.c.role.in_(CHECKIN_ROLES),
                w.c.grid_id.is_not(None),
                w.c.hired_on <= day,
                (w.c.left_on.is_(None)) | (w.c.left_on > day),
            )
            .order_by(w.c.id)
        ).all()
    return Crew(
        np.array([r.id for r in rows], dtype=np.int64),
        np.array([r.grid_id for r in rows], dtype=np.int64),
        np.array([r.town_id or 0 for r in rows], dtype=np.int64),
        np.array([r.role == "full_time_worker" for r in rows], dtype=bool),
    )


def checkin_plan(crew: Crew, day: dt.date, seed: int) -> list[tuple[dt.datetime, int, int, int]]:
    """The day's check-ins as (at UTC, worker, grid, town), sorted; a pure function of the day.
    Full-time workers: 93 % on weekdays (25 % at weekends) check in at ~08:05 and walk 3–6 more
    points 15–40 minutes apart; the others: 35 % (10 %) once between 08:00 and 16:00, 1–3 more."""
    rng = np.random.default_rng([seed, day.toordinal()])
    weekday = day.weekday() < 5
    midnight = local_midnight_utc(day)
    plan = []
    for worker, grid, town, ft in zip(crew.worker_id, crew.grid_id, crew.town_id, crew.full_time):
        if rng.random() >= ((0.93 if weekday else 0.25) if ft else (0.35 if weekday else 0.1)):
            continue
        hour = float(np.clip(rng.normal(8.08, 0.2), 7.1, 9.5)) if ft else float(rng.uniform(8.0, 16.0))
        at = midnight + dt.timedelta(hours=hour)
        for k in range(1 + int(rng.integers(3, 7) if ft else rng.integers(1, 4))):
            if k:
                at = at + dt.timedelta(minutes=float(rng.uniform(15, 40)))
            plan.append((at, int(worker), int(grid), int(town)))
    plan.sort()
    return plan


class DemoFeed(threading.Thread):
    """The feed's thread; `stop()` ends it after the current tick."""

    def __init__(self, url: str, seed: int = 21):
        super().__init__(name="gridsight-demo-feed", daemon=True)
        self.url = url
        self.seed = seed
        self.rnd = random.Random(seed)
        self._halt = threading.Event()
        self.created = self.checkins = 0
        self._plan_day: dt.date | None = None
        self._plan: list = []
        self._plan_pos = 0

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        engine = create_store_engine(self.url, writable=True)
        try:
            self.feeder = Feeder(engine, self.seed)
            self.grid_cells = self._grid_cells()
            self.catch_up(engine)
            next_at = now_utc()
            while not self._halt.is_set():
                started = time.monotonic()
                now = now_utc()
                try:
                    with self.feeder.one_tick():
                        new = 0
                        while next_at <= now:
                            self.feeder.new_event()
                            new += 1
                            gap = 60.0 / demo_rate_per_minute(next_at) * self.rnd.uniform(0.6, 1.4)
                            next_at = max(next_at + dt.timedelta(seconds=gap), now - dt.timedelta(minutes=1))
                        self.created += new
                        steps = self._poisson(STEPS_PER_EVENT * demo_rate_per_minute(now) / 60.0 * TICK_SECONDS)
                        self.feeder.advance_some(steps)
                        self._write_checkins(engine, now)
                except Exception:  # a locked store or a lost connection: try again next tick
                    log.exception("demo feed tick failed")
                    self._halt.wait(5)
                self._halt.wait(max(0.0, TICK_SECONDS - (time.monotonic() - started)))
        finally:
            engine.dispose()

    def _poisson(self, lam: float) -> int:
        # Knuth's method: lam is a few per second at most.
        limit, k, p = math.exp(-lam), 0, self.rnd.random()
        while p > limit:
            k += 1
            p *= self.rnd.random()
        return k

    # --- the gap since the sample was made ---------------------------------------------------
    def catch_up(self, engine: Engine) -> None:
        now = now_utc()
        today = now.astimezone(LOCAL_TZ).date()
        yesterday = today - dt.timedelta(days=1)
        e, pc = schema.events, schema.patrol_checkins
        with engine.connect() as conn:
            newest = conn.execute(select(func.max(e.c.reported_at))).scalar()
            last_checkin = conn.execute(select(func.max(pc.c.at))).scalar()
            days = conn.execute(select(func.count(func.distinct(e.c.report_date)))).scalar() or 1
            total = conn.execute(select(func.count()).select_from(e)).scalar() or 0
        per_day = total / max(days, 1)
        since = max(newest or local_midnight_utc(yesterday), local_midnight_utc(yesterday))
        when = self._arrivals(since, now, per_day)
        with self.feeder.one_tick():
            for at in when:
                self.feeder.new_event(at=at)
            self._write_checkins(engine, now, after=last_checkin, days=(yesterday, today))
        self.created += len(when)
        log.info("demo feed caught up: %d events since %s, %d check-ins", len(when), since, self.checkins)

    def _arrivals(self, start: dt.datetime, end: dt.datetime, per_day: float) -> list[dt.datetime]:
        """Report times in [start, end) at `per_day` events a day, following HOUR_WEIGHTS."""
        out = []
        hour = start.replace(minute=0, second=0, microsecond=0)
        while hour < end:
            lo, hi = max(hour, start), min(hour + dt.timedelta(hours=1), end)
            share = (hi - lo).total_seconds() / 3600.0
            lam = per_day * HOUR_WEIGHTS[hour.astimezone(LOCAL_TZ).hour] * share
            for _ in range(self._poisson(lam) if lam < 30 else round(lam)):
                out.append(lo + (hi - lo) * self.rnd.random())
            hour += dt.timedelta(hours=1)
        return sorted(out)

    # --- check-ins ---------------------------------------------------------------------------
    def _grid_cells(self) -> dict[int, list[int]]:
        cells: dict[int, list[int]] = {}
        for i, m in enumerate(self.feeder.world.mg):
            cells.setdefault(m.grid_id, []).append(i)
        return cells

    def _plan_for(self, engine: Engine, day: dt.date) -> list:
        if self._plan_day != day:
            self._plan_day, self._plan_pos = day, 0
            self._plan = checkin_plan(read_crew(engine, day), day, self.seed)
        return self._plan

    def _write_checkins(self, engine: Engine, now: dt.datetime, after=None, days=None) -> None:
        """Write the planned check-ins due by `now` (after `after` on catch-up, for `days`)."""
        rows = []
        for day in days or (now.astimezone(LOCAL_TZ).date(),):
            plan = self._plan_for(engine, day)
            while self._plan_pos < len(plan) and plan[self._plan_pos][0] <= now:
                at, worker, grid, town = plan[self._plan_pos]
                self._plan_pos += 1
                cells = self.grid_cells.get(grid)
                if not cells or (after is not None and at <= after):
                    continue
                lon, lat = self.feeder.world.point_in(cells[self.rnd.randrange(len(cells))])
                rows.append(
                    dict(
                        worker_id=worker, grid_id=grid, town_id=town or None, at=at, checkin_date=day, lon=lon, lat=lat
                    )
                )
        if rows:
            with self.feeder._transaction() as conn:  # inside the tick: caught up with its events
                conn.execute(schema.patrol_checkins.insert(), rows)
            self.checkins += len(rows)


def start(url: str) -> tuple[DemoFeed | None, str]:
    """Start the feed for `url` when `decision` allows (adding the demo accounts a sample from an
    older GridSight lacks, e.g. `wall`); (thread or None, why)."""
    engine = create_store_engine(url, writable=True)
    try:
        ok, why = decision(url, engine)
        if ok:
            seed_demo_users(engine)
    finally:
        engine.dispose()
    if not ok:
        log.info("demo feed not started: %s", why)
        return None, why
    feed = DemoFeed(url)
    feed.start()
    log.info("demo feed started: %s", why)
    return feed, why
