"""The live feeder: new events arrive and open ones move through their steps, so the map changes.

    python -m sample_data.simulate --db URL --rate EVENTS_PER_SECOND [--duration SECONDS] [--seed N]

Each new event is written with its `report` step (in a random micro-grid, with the ids of every
level above it, `report_date` the local day). Each tick also moves about as many open events one
step on: accept → handle → complete → verify → close at the grid, or escalate up to the village,
town or county centre, register and dispatch to a department (which may return it), and a failed
verification is rejected and redone. `events.status`, the counters and the close/complete times
are updated in the same short transaction as the step, so events and event_steps always agree.
Works on SQLite (WAL: the dashboard keeps reading) and PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import random
import sys
import time

import numpy as np
import shapely
from sqlalchemy import Integer, func, literal, select, update
from sqlalchemy.engine import Engine

from data_access import lifecycle, rollups, schema
from data_access.filters import LOCAL_TZ, now_utc
from data_access.rules import load_rules
from data_access.schema import GRID_SOURCES
from data_access.store import create_store_engine, describe_url
from sample_data import catalogue

E, S = schema.events, schema.event_steps
SOURCES = {"patrol": 0.45, "household_visit": 0.15, "resident_call": 0.15, "camera_alert": 0.10, "hotline_12345": 0.15}
REPORTER_ROLES = ("full_time_worker", "part_time_worker", "grid_head", "micro_grid_head")
STATUS_AFTER = lifecycle.STATUS_AFTER  # one table, shared with the generator and the importers
CENTRE_ACTOR = {"town": "镇街社会治理中心", "county": "县社会治理中心"}
TICK_SECONDS = 0.2
# An event takes 5–10 steps from report to close, one per move: this many per new event keeps
# the backlog steady-ish.
STEPS_PER_EVENT = 6.0
MAX_STEPS_PER_TICK = 60
MIN_AGE_SECONDS = 8


class World:
    """What the feeder needs to know about the county, read once."""

    def __init__(self, engine: Engine, rng: np.random.Generator):
        self.rng = rng
        with engine.connect() as conn:
            mg = conn.execute(self._places(schema.micro_grids)).all()
            if not mg:  # a store without micro-grids (an imported one, or one grid per worker): grids
                mg = conn.execute(self._places(schema.grids)).all()
            items = conn.execute(
                select(
                    schema.event_item_types.c.code,
                    schema.event_item_types.c.category_code,
                    schema.event_item_types.c.name,
                    schema.event_item_types.c.default_urgency,
                    schema.event_item_types.c.trivial,
                )
            ).all()
            today = dt.datetime.now(LOCAL_TZ).date()
            w = schema.workers
            reporters = conn.execute(
                select(w.c.id, w.c.grid_id).where(
                    w.c.role.in_(REPORTER_ROLES),
                    w.c.grid_id.is_not(None),
                    w.c.hired_on <= today,
                    (w.c.left_on.is_(None)) | (w.c.left_on > today),
                )
            ).all()
            d = schema.departments
            self.departments = conn.execute(select(d.c.id, d.c.name, d.c.line_of_business, d.c.level)).all()
            county = conn.execute(select(schema.admin_units.c.id).where(schema.admin_units.c.level == "county")).first()
        if not mg or not items:
            raise SystemExit("The store has no grids or item types: generate a county or import one first.")
        self.county_id = county[0] if county else 1
        self.mg = mg
        self.polys = shapely.from_wkt(np.array([r.boundary_wkt for r in mg]))
        self.bounds = shapely.bounds(self.polys)
        weights = np.array([max(r.residents, 1) for r in mg], dtype=float)
        self.mg_p = weights / weights.sum()
        self.items = items
        self.reporters: dict[int, list[int]] = {}
        for wid, gid in reporters:
            self.reporters.setdefault(gid, []).append(wid)

    @staticmethod
    def _places(t):
        """Where new events are placed: micro-grids, or grids in a store without them."""
        micro = t is schema.micro_grids
        return select(
            (t.c.id if micro else literal(None, Integer)).label("id"),
            (t.c.grid_id if micro else t.c.id).label("grid_id"),
            t.c.village_id,
            t.c.town_id,
            t.c.name,
            t.c.residents,
            t.c.boundary_wkt,
        ).order_by(t.c.id)

    def point_in(self, i: int) -> tuple[float, float]:
        b = self.bounds[i]
        for _ in range(50):
            x, y = self.rng.uniform(b[0], b[2]), self.rng.uniform(b[1], b[3])
            if shapely.contains_xy(self.polys[i], x, y):
                return round(float(x), 6), round(float(y), 6)
        c = shapely.centroid(self.polys[i])
        return round(c.x, 6), round(c.y, 6)

    def department_for(self, category: str, exclude: set[int]) -> int:
        same = [d.id for d in self.departments if d.line_of_business == category and d.id not in exclude]
        pool = same or [d.id for d in self.departments if d.id not in exclude] or [d.id for d in self.departments]
        return pool[int(self.rng.integers(len(pool)))]


class Feeder:
    def __init__(self, engine: Engine, seed: int = 1, min_age_seconds: float = MIN_AGE_SECONDS):
        self.engine = engine
        self.min_age = dt.timedelta(seconds=min_age_seconds)
        self.rnd = random.Random(seed)
        self.world = World(engine, np.random.default_rng(seed))
        rules = load_rules(engine, "common")
        self.deadline_h = {
            u: rules.get(f"deadline_hours_{u}", {"emergency": 4, "urgent": 24}.get(u, 120)) for u in schema.URGENCIES
        }
        self.seed = seed
        self.created = 0
        self.advanced = 0
        self._tick_conn = None

    @contextlib.contextmanager
    def one_tick(self):
        """Write everything until the block ends in one transaction, with one rollup catch-up at
        its end: a catch-up per write (25 a second at 5 events/s) kept a core busy."""
        with self._transaction() as conn:
            self._tick_conn = conn
            try:
                yield
            finally:
                self._tick_conn = None

    @contextlib.contextmanager
    def _transaction(self):
        if self._tick_conn is not None:
            yield self._tick_conn  # caught up at the end of the tick
            return
        with self.engine.begin() as conn:
            yield conn
            rollups.catch_up(conn)  # the derived tables move with the events, in one transaction

    # --- new events ----------------------------------------------------------------------
    def new_event(self, at: dt.datetime | None = None) -> int:
        """Write one new event reported now (or at `at`, for the demo feed's catch-up of a gap)."""
        w, rnd = self.world, self.rnd
        i = int(w.rng.choice(len(w.mg), p=w.mg_p))
        m = w.mg[i]
        item = w.items[rnd.randrange(len(w.items))]
        source = rnd.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        reporter = None
        if source in GRID_SOURCES:
            candidates = w.reporters.get(m.grid_id)
            if candidates:
                reporter = rnd.choice(candidates)
            else:
                source = "hotline_12345"  # nobody on duty in the grid: the resident calls 12345
        urgency = item.default_urgency if rnd.random() < 0.8 else "ordinary"
        now = now_utc() if at is None else at
        lon, lat = w.point_in(i)
        self.created += 1
        code = f"SIM{now:%y%m%d%H%M%S%f}{self.seed % 100:02d}{self.created % 1000:03d}"
        row = dict(
            code=code,
            category_code=item.category_code,
            item_type_code=item.code,
            source=source,
            urgency=urgency,
            description=f"{catalogue.SOURCE_PHRASES[source]}{m.name}{item.name}问题。",
            micro_grid_id=m.id,
            grid_id=m.grid_id,
            village_id=m.village_id,
            town_id=m.town_id,
            lon=lon,
            lat=lat,
            reported_at=now,
            report_date=now.astimezone(LOCAL_TZ).date(),
            reported_by=reporter,
            deadline=now + dt.timedelta(hours=float(self.deadline_h[urgency])),
            status="reported",
            handled_level="grid" if reporter else None,
            department_id=None,
            filing_only=False,
            escalations=0,
            returns=0,
            rejections=0,
        )
        if reporter is not None:
            step = dict(
                action="report",
                from_level="micro_grid" if m.id is not None else "grid",
                from_unit_id=m.id if m.id is not None else m.grid_id,
                to_level="grid",
                to_unit_id=m.grid_id,
                actor_worker_id=reporter,
                actor=None,
            )
        else:
            step = dict(
                action="report",
                from_level=None,
                from_unit_id=None,
                to_level="county",
                to_unit_id=w.county_id,
                actor_worker_id=None,
                actor="camera" if source == "camera_alert" else "12345",
            )
        with self._transaction() as conn:
            event_id = conn.execute(E.insert().values(**row).returning(E.c.id)).scalar_one()
            conn.execute(S.insert().values(event_id=event_id, seq=1, at=now, **step))
        return event_id

    # --- moving open events on -----------------------------------------------------------
    def advance_some(self, n: int) -> int:
        if n <= 0:
            return 0
        with self.engine.connect() as conn:
            # A few seconds' grace: nobody accepts an event in the instant it is reported.
            ids = (
                conn.execute(
                    select(E.c.id)
                    .where(E.c.status.not_in(schema.FINAL_STATUSES), E.c.reported_at <= now_utc() - self.min_age)
                    .order_by(func.random())
                    .limit(n)
                )
                .scalars()
                .all()
            )
        return sum(self.advance(event_id) for event_id in ids)

    def advance(self, event_id: int) -> int:
        """Write the next step of one open event; 1 if a step was written."""
        with self._transaction() as conn:
            ev = conn.execute(select(E).where(E.c.id == event_id)).mappings().first()
            if ev is None or ev["status"] in schema.FINAL_STATUSES:
                return 0
            steps = conn.execute(select(S).where(S.c.event_id == event_id).order_by(S.c.seq)).mappings().all()
            plan = self.next_steps(ev, steps)
            if not plan:
                return 0
            now = now_utc()
            seq = steps[-1]["seq"] if steps else 0
            changes: dict = {}
            for k, (action, fl, fu, tl, tu, worker, actor, extra) in enumerate(plan, 1):
                at = now + dt.timedelta(microseconds=k)  # steps keep their order even in one tick
                conn.execute(
                    S.insert().values(
                        event_id=event_id,
                        seq=seq + k,
                        action=action,
                        from_level=fl,
                        from_unit_id=fu,
                        to_level=tl,
                        to_unit_id=tu,
                        at=at,
                        actor_worker_id=worker,
                        actor=actor,
                    )
                )
                changes.update(extra)
                changes["status"] = STATUS_AFTER[action]
                for counter, act in (("escalations", "escalate"), ("returns", "return"), ("rejections", "reject")):
                    if action == act:
                        changes[counter] = changes.get(counter, ev[counter]) + 1
                if action == "complete":
                    changes["completed_at"] = at
                if action == "close":
                    changes.update(closed_at=at, close_date=at.astimezone(LOCAL_TZ).date())
                    overdue = at > ev["deadline"]
                    p_bad = 0.03 + 0.3 * (changes.get("rejections", ev["rejections"]) > 0) + 0.12 * overdue
                    x = self.rnd.random()
                    changes["quality_grade"] = (
                        "unqualified" if x < p_bad else "excellent" if x < p_bad + 0.36 else "qualified"
                    )
                    if self.rnd.random() < 0.3:
                        changes["satisfaction"] = self.rnd.choices([5, 4, 3, 2, 1], [55, 30, 10, 3, 2])[0]
            conn.execute(update(E).where(E.c.id == event_id).values(**changes))
        self.advanced += 1
        return 1

    def next_steps(self, ev, steps) -> list[tuple]:
        """The next step of an event from its last one, chosen among the moves `lifecycle.NEXT_MOVES`
        allows there: [(action, from_level, from_unit, to_level, to_unit, worker, actor, event
        column changes)], or [] when nothing may follow."""
        last = steps[-1]
        options = [m for m in lifecycle.next_moves(*self._state(last)) if self._possible(m, ev, steps)]
        if not options:
            return []
        weights = [self._weight(m, ev, steps) for m in options]
        if sum(weights) <= 0:
            weights = [1.0] * len(options)
        move = self.rnd.choices(options, weights)[0]
        return [self._step(move, ev, steps)]

    @staticmethod
    def _state(last) -> lifecycle.Move:
        """The table's state for a last step; an imported step at a level the table does not name
        for its action is read as the county centre's (or a department's) doing."""
        state = (last["action"], last["to_level"] or "county")
        if state in lifecycle.NEXT_MOVES:
            return state
        for level in ("county", "department", "grid"):
            if (last["action"], level) in lifecycle.NEXT_MOVES:
                return (last["action"], level)
        return state

    def _possible(self, move: lifecycle.Move, ev, steps) -> bool:
        action, level = move
        last = steps[-1]
        returned_to = {s["to_level"] for s in steps if s["action"] == "return"}
        dispatches = sum(1 for s in steps if s["action"] == "dispatch" and s["to_level"] == "department")
        if action == "escalate":
            unit = {"village": ev["village_id"], "town": ev["town_id"], "county": self.world.county_id}[level]
            # Once a level above sent it back, it is not sent up again.
            return unit is not None and not returned_to & {"village", "town"}
        if action == "return":
            if last["action"] == "dispatch":  # a department sends it back to the centre that dispatched it
                return level == last["from_level"] and dispatches < 3
            return level == last["from_level"]  # the centre above finds it is the lower level's job
        if action == "dispatch":
            if level == "department" and not self.world.departments:
                return False
            if level == "department" and last["action"] == "return":
                return last["from_level"] == "department"
            if level in ("town", "grid"):
                return ev["grid_id"] is not None and ev["town_id"] is not None
            return True
        if action == "accept":
            if last["action"] == "return" and last["from_level"] == "department":
                return False  # the next department is dispatched to instead
            if level == "town" and last["action"] == "dispatch":
                return ev["grid_id"] is None  # a town accepts what it cannot pass on to a grid
            if level == "department":
                return last["action"] == "dispatch"  # only what a centre dispatched to it
            return True
        if action == "verify":
            return (level == "grid") == (ev["grid_id"] is not None)
        if action == "reject":
            return ev["rejections"] < 2 and level == self._handler(steps)[0]
        if action == "close":
            return level == self._closer(ev, steps)[0]
        return True

    def _weight(self, move: lifecycle.Move, ev, steps) -> float:
        action, level = move
        last = steps[-1]
        if action == "file":
            return 0.03
        if action == "escalate":
            if last["to_level"] == "grid":  # the worker sends it up: to the town only when urgent
                return 0.15 if level == "village" else (0.3 if ev["urgency"] == "emergency" else 0.0)
            if last["action"] == "escalate":  # the village passes it on without taking it
                return 0.25
            return 0.1 if level == "town" else 0.15
        if action == "return":
            return 0.1 if last["action"] == "dispatch" else 0.08
        if action == "dispatch" and level == "town":
            return 0.4
        if action == "handle" and level == "town" and last["action"] == "register":
            return 0.5 if ev["category_code"] in ("disputes", "petitions") else 0.12
        if action == "reject":
            return 0.06
        if action == "handle" and level == "county":
            return 0.0  # only when there is no department or grid to dispatch to
        if action == "dispatch" and last["action"] == "report":
            return 0.0  # the feeder's own reports are accepted and registered first
        return 1.0

    def _step(self, move: lifecycle.Move, ev, steps) -> tuple:
        """Fill in the units, worker and actor of a move."""
        action, level = move
        last = steps[-1]
        here_level, here = last["to_level"], last["to_unit_id"]

        def in_place(lv, unit, worker=None, actor=None, **extra):
            return (action, lv, unit, lv, unit, worker, actor, extra)

        def moved(fl, fu, tl, tu, worker=None, actor=None):
            return (action, fl, fu, tl, tu, worker, actor, {})

        if action == "file":
            grid_worker = self._grid_worker(ev, steps)
            return in_place("grid", ev["grid_id"], grid_worker, None, filing_only=True, handled_level=None)
        if action == "escalate":
            unit = {"village": ev["village_id"], "town": ev["town_id"], "county": self.world.county_id}[level]
            worker = self._grid_worker(ev, steps) if here_level == "grid" else None
            return moved(here_level, here, level, unit, worker, CENTRE_ACTOR.get(here_level))
        if action == "return":
            actor = self._dept_name(here) if here_level == "department" else CENTRE_ACTOR.get(here_level)
            return moved(here_level, here, level, last["from_unit_id"], None, actor)
        if action == "dispatch":
            if level == "department":
                tried = {s["to_unit_id"] for s in steps if s["action"] == "dispatch" and s["to_level"] == "department"}
                dept = self.world.department_for(ev["category_code"], tried)
                return moved(here_level, here, "department", dept, None, CENTRE_ACTOR.get(here_level))
            unit = ev["town_id"] if level == "town" else ev["grid_id"]
            return moved(here_level, here, level, unit, None, CENTRE_ACTOR.get(here_level))
        if action == "verify":
            if level == "grid":
                worker = self._grid_worker(ev, steps)
                return in_place("grid", ev["grid_id"], worker, None if worker else "网格员")
            return in_place("county", self.world.county_id, None, CENTRE_ACTOR["county"])
        if action == "reject":
            handler_level, handler = self._handler(steps)
            frm = ("grid", ev["grid_id"]) if ev["grid_id"] is not None else ("county", self.world.county_id)
            return moved(*frm, handler_level, handler, self._grid_worker(ev, steps) if frm[0] == "grid" else None)
        if action == "close":
            close_level, unit = self._closer(ev, steps)
            worker = self._grid_worker(ev, steps) if close_level == "grid" else None
            return in_place(close_level, unit, worker, self._actor(close_level, unit, worker))
        # accept, register, handle, complete: the unit where the event is now takes it
        unit = here
        worker = self._grid_worker(ev, steps) if level == "grid" else None
        extra = {}
        if action in ("accept", "handle"):
            extra["handled_level"] = level
            if level == "department":
                extra["department_id"] = unit
        return in_place(level, unit, worker, self._actor(level, unit, worker), **extra)

    def _handler(self, steps) -> tuple[str, int]:
        """Who did the work being verified: the unit of the last completion (or handling)."""
        for s in reversed(steps):
            if s["action"] in ("complete", "handle"):
                return s["to_level"], s["to_unit_id"]
        return "county", self.world.county_id

    def _closer(self, ev, steps) -> tuple[str, int]:
        """Who closes: the centre that registered the event (立案), else the centre that dispatched
        it, else the grid or village that handled it itself."""
        for s in reversed(steps):
            if s["action"] == "register":
                return s["to_level"], s["to_unit_id"]
        for s in reversed(steps):
            if s["action"] == "dispatch" and s["from_level"] in ("town", "county"):
                return s["from_level"], s["from_unit_id"]
        level, unit = self._handler(steps)
        if level in ("grid", "village"):
            return level, unit
        return "county", self.world.county_id

    def _grid_worker(self, ev, steps) -> int | None:
        """The grid worker on the event: its reporter, the worker who took it at the grid, or one
        of the grid's workers (the same one for every later step, as they are read from the steps)."""
        if ev["reported_by"] is not None:
            return ev["reported_by"]
        for s in reversed(steps):
            if s["to_level"] == "grid" and s["actor_worker_id"] is not None:
                return s["actor_worker_id"]
        candidates = self.world.reporters.get(ev["grid_id"])
        return self.rnd.choice(candidates) if candidates else None

    def _dept_name(self, dept: int) -> str:
        return next((d.name for d in self.world.departments if d.id == dept), "部门")

    def _actor(self, level, unit, worker):
        if level == "department":
            return self._dept_name(unit)
        if level in CENTRE_ACTOR:
            return CENTRE_ACTOR[level]
        return None if worker else "网格员"


def run(
    url: str,
    rate: float,
    duration: float | None = None,
    seed: int = 1,
    quiet: bool = True,
    min_age_seconds: float = MIN_AGE_SECONDS,
) -> dict:
    """Feed the store at `url` for `duration` seconds (forever when None); returns counts.
    Events are moved on only once they are `min_age_seconds` old."""
    engine = create_store_engine(url, writable=True)
    feeder = Feeder(engine, seed, min_age_seconds)
    rng = np.random.default_rng(seed + 1)
    start = last_report = last_tick = time.monotonic()
    try:
        while duration is None or time.monotonic() - start < duration:
            tick_start = time.monotonic()
            # Counts follow the time really elapsed, so a slow tick does not lower the rate.
            elapsed, last_tick = tick_start - last_tick, tick_start
            with feeder.one_tick():
                for _ in range(int(rng.poisson(rate * elapsed))):
                    feeder.new_event()
                # Several steps per new event, so open events close too and the backlog moves, not only grows.
                feeder.advance_some(min(MAX_STEPS_PER_TICK, int(rng.poisson(rate * elapsed * STEPS_PER_EVENT))))
            if not quiet and time.monotonic() - last_report >= 5:
                last_report = time.monotonic()
                print(f"{feeder.created} events inserted, {feeder.advanced} moved on", flush=True)
            time.sleep(max(0.0, TICK_SECONDS - (time.monotonic() - tick_start)))
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    return {"created": feeder.created, "advanced": feeder.advanced, "seconds": time.monotonic() - start}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Feed a GridSight store with live events (demos and tests).")
    p.add_argument("--db", required=True, help="SQLAlchemy URL of the store")
    p.add_argument("--rate", type=float, default=1.0, help="new events per second (default 1)")
    p.add_argument("--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if not (0 < args.rate <= 500) or not math.isfinite(args.rate):
        p.error("--rate must be between 0 and 500 events per second")
    if args.duration is not None and args.duration <= 0:
        p.error("--duration must be positive")
    if not args.quiet:
        print(f"feeding {describe_url(args.db)} at {args.rate}/s", flush=True)
    stats = run(args.db, args.rate, args.duration, args.seed, quiet=args.quiet)
    print(
        f"done: {stats['created']} events inserted, {stats['advanced']} moved on in {stats['seconds']:.0f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
