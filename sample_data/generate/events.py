"""Events: the factory that generates events with their steps, batch by batch, in bounded memory."""

import datetime as dt

import numpy as np
import shapely

from data_access.schema import GRID_SOURCES
from sample_data import catalogue as cat
from sample_data.generate.paths import _Event, _handled_so_far
from sample_data.generate.planted_events import PlantedEvents
from sample_data.generate.planting import Plan, _expected_dispatch
from sample_data.generate.profiles import (
    BATCH_EVENTS,
    CENTRE_HOURS,
    CENTRE_WEEKDAY,
    GRID_HOURS,
    GRID_WEEKDAY,
    LOCAL_OFFSET_US,
    LOCAL_TZ,
    NAT,
    SOURCE_SHARES,
    STAGE,
    STATUS_AFTER,
    US_HOUR,
    VERIFY_MEDIAN_SHARE,
    _local_day,
    _rngs,
    _us,
)
from sample_data.generate.world import World
from sample_data.geometry import sample_points

EVENT_COLUMNS = (
    "id",
    "code",
    "category_code",
    "item_type_code",
    "source",
    "urgency",
    "description",
    "micro_grid_id",
    "grid_id",
    "village_id",
    "town_id",
    "lon",
    "lat",
    "reported_at",
    "reported_by",
    "deadline",
    "status",
    "handled_level",
    "department_id",
    "filing_only",
    "quality_grade",
    "satisfaction",
    "completed_at",
    "closed_at",
    "escalations",
    "returns",
    "rejections",
)
STEP_COLUMNS = (
    "id",
    "event_id",
    "seq",
    "action",
    "from_level",
    "from_unit_id",
    "to_level",
    "to_unit_id",
    "at",
    "actor_worker_id",
    "actor",
)


class EventFactory:
    """Generates events with their steps, batch by batch, in bounded memory."""

    def __init__(
        self,
        world: World,
        plan: Plan,
        seed: int,
        start_us: int,
        end_us: int,
        n_total: int,
        deadlines: dict[str, float],
        verify_hours: float,
    ):
        self.world, self.plan = world, plan
        self.rng, self.rnd = _rngs(seed, 4)
        self.start_us, self.end_us = start_us, end_us
        self.deadline_us = {u: int(h * US_HOUR) for u, h in deadlines.items()}
        self.stage = {**STAGE, "verify": verify_hours * 60 * VERIFY_MEDIAN_SHARE}
        til = world.tiling
        self.n_micro = len(til.micro)
        # Without micro-grids the cells stay the generator's own grain (points, weights) and
        # are never written: events and steps then start at the grid.
        self.has_micro = world.shape.micro_grids
        self.micro_grid = til.micro_grid
        self.grid_village = til.grid_village
        self.village_town = til.village_town
        self.micro_town = til.village_town[til.grid_village[til.micro_grid]]
        self.micro_village = til.grid_village[til.micro_grid]
        self.micro_urban = world.town_is_street[self.micro_town]
        shapely.prepare(til.micro)
        self._items()
        self._reporters()
        self._volumes(n_total)
        vol = _expected_dispatch(world.shape)
        self.misroute_ids = [world.dept_by_key[k] for k in sorted(vol)]
        self.misroute_weights = np.cumsum([vol[k] for k in sorted(vol)]).tolist()
        self._z: list[float] = []
        self._z_pos = 0
        self.next_event_id = 1
        self.next_step_id = 1
        self.dept_stats: dict[tuple[int, int], list] = {}  # (dept id, local month key) -> stats

    # reference tables
    def _items(self) -> None:
        self.items = []
        self.item_index = {}  # (category, position in the catalogue) -> index
        cat_weights = {}
        shape = self.world.shape
        for code, _, _, share, urb, rur in shape.categories:
            cat_weights[code] = (share, urb, rur)
            for n, it in enumerate(shape.items[code]):
                name, name_en, trivial, urg, hard, key, w = it
                self.item_index[(code, n)] = len(self.items)
                self.items.append(
                    {
                        "code": f"{code}.{n + 1:0{shape.item_code_digits}d}",
                        "category": code,
                        "name": name,
                        "name_en": name_en,
                        "trivial": trivial,
                        "hard": hard,
                        "urgency": cat.URGENCY_CODES[urg],
                        "key": key,
                        "w": w,
                    }
                )
        by_name = {it["name"]: k for k, it in enumerate(self.items)}
        n = len(self.items)
        self.item_kind = ["trivial" if it["trivial"] else ("hard" if it["hard"] else "normal") for it in self.items]

        def probs(shares: dict[str, float], drop_hard: bool = False) -> np.ndarray:
            p = np.zeros(n)
            for k, it in enumerate(self.items):
                cat_total = sum(x["w"] for x in self.items if x["category"] == it["category"])
                if not (drop_hard and it["hard"]):
                    p[k] = shares.get(it["category"], 0.0) * it["w"] / cat_total
            return np.cumsum(p / p.sum())

        self.item_cdf = {}
        for urban in (0, 1):
            shares = {c: s * (u if urban else r) for c, (s, u, r) in cat_weights.items()}
            self.item_cdf[("grid", urban, 0)] = probs(shares)
            # Filtering villages leave most hard events unreported.
            self.item_cdf[("grid", urban, 1)] = probs(shares, drop_hard=True)
            self.item_cdf[("hotline", urban, 0)] = probs(shape.hotline_category_shares)
        cam = np.zeros(n)
        for name, w in shape.camera_items.items():
            cam[by_name[name]] = w
        self.item_cdf["camera"] = np.cumsum(cam / cam.sum())

    def _reporters(self) -> None:
        """Per grid: full-time and part-time workers with their active intervals (µs)."""
        world = self.world
        n_grids = len(world.tiling.grids)
        self.grid_ft: list[list[tuple[int, int, int]]] = [[] for _ in range(n_grids)]
        self.grid_pt: list[list[tuple[int, int, int]]] = [[] for _ in range(n_grids)]
        self.grid_head: list[int] = [0] * n_grids
        self.prof: dict[tuple[int, int], int] = {}  # (grid, dept id) -> professional worker
        rows = world.workers["rows"]
        for r in rows:
            hired = _us(dt.datetime.combine(r["hired"], dt.time(), LOCAL_TZ))
            left = _us(dt.datetime.combine(r["left"], dt.time(), LOCAL_TZ)) if r["left"] else 2**62
            entry = (r["id"], hired, left)
            g = r["grid"]
            if r["role"] == "full_time_worker":
                self.grid_ft[g].append(entry)
            elif r["role"] == "professional_worker":
                if r["left"] is None:
                    for gg in r["covers"]:
                        self.prof[(gg, r["dept"])] = r["id"]
            else:
                self.grid_pt[g].append(entry)
                if r["role"] == "grid_head" and r["left"] is None:
                    self.grid_head[g] = r["id"]
        # Honest variation in diligence: some workers report twice as much as others.
        dil = self.rng.lognormal(0, 0.35, len(rows) + 1)
        til = world.tiling
        ft_dil = np.array([np.mean([dil[w] for w, _, _ in ft]) if ft else 0.5 for ft in self.grid_ft])
        res = world.micro_residents.astype(float)
        filt = np.isin(self.micro_village, sorted(self.plan.filtering_villages))
        self.w_grid = res * ft_dil[til.micro_grid] * np.where(filt, 0.7, 1.0)
        self._control_volumes()
        self.w_hotline = res * np.where(filt, 1.7, 1.0)
        self.w_camera = res * np.where(self.micro_urban, 3.0, 0.6)

    def _control_volumes(self) -> None:
        """Planted workers' own volumes: a busy worker's grid reports ~target x the median full-time
        worker's, a quota-pressure padder's ~level x (below the quota); an on-the-spot fixer's
        ordinary reports give way to the self-fixed ones (planted_events), so the total stays
        their normal volume."""
        plan = self.plan
        grid_w = np.bincount(self.micro_grid, weights=self.w_grid, minlength=len(self.grid_ft))
        sole = [g for g, ft in enumerate(self.grid_ft) if len(ft) == 1]
        median = float(np.median(grid_w[sole])) if sole else float(np.median(grid_w))
        total = self.w_grid.sum()
        self.spot_share: dict[int, float] = {}
        for w, s in plan.specs("busy").items():
            g = self._worker_grid(w)
            self.w_grid[self.micro_grid == g] *= max(1.0, s["target"] * median / max(grid_w[g], 1e-9))
        for w, s in plan.specs("pad").items():
            if "level" in s:  # quota pressure: a worker who on their own reports below the quota
                g = self._worker_grid(w)
                self.w_grid[self.micro_grid == g] *= s["level"] * median / max(grid_w[g], 1e-9)
        for w, s in plan.specs("spot").items():
            g = self._worker_grid(w)
            self.spot_share[w] = grid_w[g] / total
            self.w_grid[self.micro_grid == g] *= 1.0 - s["share"]

    def _volumes(self, n_total: int) -> None:
        """Split the total into base events and the planted workers' events (planted_events).

        A planted worker's extra events scale with what their own grid would report anyway (but
        at least the average worker's: the quota is the same in a quiet grid), so the made-up
        share is similar in a busy urban grid and a quiet rural one."""
        self.planted = PlantedEvents(self, n_total)
        n_base = n_total - self.planted.total
        if n_base < n_total * 0.5:
            raise ValueError(f"too few events ({n_total}) for this profile")
        self.n_base = n_base
        self._slots()
        planted = self.planted.planted
        self.planted_t = np.array([p[0] for p in planted], dtype=np.int64)
        self.planted_w = [p[1] for p in planted]
        self.planted_kind = [p[2] for p in planted]

    def _slots(self) -> None:
        """Base event counts per hour slot, by source, following daily/weekly/seasonal rhythm."""
        rng = self.rng
        first = self.start_us // US_HOUR
        last = -(-self.end_us // US_HOUR)
        slot_us = np.arange(first, last, dtype=np.int64) * US_HOUR
        local_h = ((slot_us + LOCAL_OFFSET_US) // US_HOUR) % 24
        day = _local_day(slot_us)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        doy = day % 365.25
        season = 1 + 0.12 * np.sin(2 * np.pi * (doy - 100) / 365.25)
        day_noise = rng.lognormal(0, 0.08, int(day.max() - day.min() + 1))[day - day.min()]
        # The slot's overlap with [start, end): partial first/last hours get fewer events.
        frac = (np.minimum(slot_us + US_HOUR, self.end_us) - np.maximum(slot_us, self.start_us)) / US_HOUR
        base = season * day_noise * np.clip(frac, 0, 1)
        w_grid = base * GRID_HOURS[local_h] * GRID_WEEKDAY[weekday]
        w_centre = base * CENTRE_HOURS[local_h] * CENTRE_WEEKDAY[weekday]
        sources = list(SOURCE_SHARES)
        totals = rng.multinomial(self.n_base, [SOURCE_SHARES[s] for s in sources])
        self.slot_us = slot_us
        self.slot_counts = np.zeros((len(slot_us), len(sources)), dtype=np.int64)
        for k, s in enumerate(sources):
            w = w_grid if s in GRID_SOURCES else w_centre
            self.slot_counts[:, k] = rng.multinomial(totals[k], w / w.sum())
        self.sources = sources

    # batches
    def batches(self):
        """Yield (events columns, steps columns) per batch of about BATCH_EVENTS events."""
        counts = self.slot_counts.sum(axis=1)
        cum = np.cumsum(counts)
        lo = 0
        while lo < len(counts):
            hi = int(np.searchsorted(cum, (cum[lo - 1] if lo else 0) + BATCH_EVENTS, side="right"))
            hi = max(hi, lo + 1)
            yield self._batch(lo, min(hi, len(counts)))
            lo = hi

    def _batch(self, lo: int, hi: int):
        rng = self.rng
        counts = self.slot_counts[lo:hi]
        t_from, t_to = int(self.slot_us[lo]), int(self.slot_us[hi - 1]) + US_HOUR
        src_idx = np.repeat(np.tile(np.arange(len(self.sources)), hi - lo), counts.ravel())
        slot_of = np.repeat(np.repeat(np.arange(lo, hi), len(self.sources)), counts.ravel())
        t = self.slot_us[slot_of] + rng.integers(0, US_HOUR, len(slot_of))
        t = np.clip(t, self.start_us, self.end_us - 1)
        # Micro-grid by source: worker reports by population and diligence, calls by population.
        micro = np.empty(len(t), dtype=np.int64)
        for k, s in enumerate(self.sources):
            mask = src_idx == k
            w = self.w_grid if s in GRID_SOURCES else (self.w_camera if s == "camera_alert" else self.w_hotline)
            micro[mask] = rng.choice(self.n_micro, size=int(mask.sum()), p=w / w.sum())
        item = np.empty(len(t), dtype=np.int64)
        filt = np.isin(self.micro_village[micro], sorted(self.plan.filtering_villages)).astype(int)
        urban = self.micro_urban[micro].astype(int)
        u = rng.random(len(t))
        for k, s in enumerate(self.sources):
            for ub in (0, 1):
                for fl in (0, 1):
                    mask = (src_idx == k) & (urban == ub) & (filt == fl)
                    if not mask.any():
                        continue
                    if s == "camera_alert":
                        cdf = self.item_cdf["camera"]
                    elif s == "hotline_12345":
                        cdf = self.item_cdf[("hotline", ub, 0)]
                    else:
                        cdf = self.item_cdf[("grid", ub, fl)]
                    item[mask] = np.minimum(np.searchsorted(cdf, u[mask], side="right"), len(cdf) - 1)
        kinds = [("base", None)] * len(t)  # (kind, (planted worker, index of the planted time))
        # Planted events whose (first) time falls in this batch.
        a, b = np.searchsorted(self.planted_t, [t_from, t_to])
        extra_t, extra_micro, extra_item, extra_src, extra_kind = [], [], [], [], []
        for j in range(a, b):
            w, kind = self.planted_w[j], self.planted_kind[j]
            for t_k, m_k, it_k, src_k, kind_k in self.planted.events_at(w, kind, int(self.planted_t[j]), (w, j)):
                extra_t.append(t_k)
                extra_micro.append(m_k)
                extra_item.append(it_k)
                extra_src.append(self.sources.index(src_k))
                extra_kind.append(kind_k)
        if extra_t:
            t = np.concatenate([t, extra_t])
            micro = np.concatenate([micro, extra_micro])
            item = np.concatenate([item, extra_item])
            src_idx = np.concatenate([src_idx, extra_src])
            kinds = kinds + extra_kind
        order = np.argsort(t, kind="stable")
        t, micro, item, src_idx = t[order], micro[order], item[order], src_idx[order]
        kinds = [kinds[i] for i in order.tolist()]
        points = sample_points(rng, self.world.tiling.micro, micro)
        return self._lifecycles(t, micro, item, src_idx, kinds, points, self._urgency(item))

    def normal(self) -> float:
        """A standard normal draw, served from a pre-drawn block (much cheaper than one by one)."""
        if self._z_pos == len(self._z):
            self._z, self._z_pos = self.rng.standard_normal(1 << 16).tolist(), 0
        self._z_pos += 1
        return self._z[self._z_pos - 1]

    def misroute_target(self, proper: int) -> int:
        """A wrong county department, in proportion to department volume (so no small one is
        flooded with misroutes and starts to look like a returning department)."""
        ids, weights = self.misroute_ids, self.misroute_weights
        while True:
            d = ids[int(np.searchsorted(weights, self.rnd.random() * weights[-1], side="right"))]
            if d != proper:
                return d

    def _worker_grid(self, wid: int) -> int:
        return self.world.workers["rows"][wid - 1]["grid"]

    def _urgency(self, item: np.ndarray) -> list[str]:
        base = [self.items[i]["urgency"] for i in item.tolist()]
        u = self.rng.random(len(base)).tolist()
        out = []
        for b, x in zip(base, u):
            if x < 0.07:
                b = {"ordinary": "urgent", "urgent": "emergency"}.get(b, b)
            elif x > 0.96:
                b = {"urgent": "ordinary", "emergency": "urgent"}.get(b, b)
            out.append(b)
        return out

    def _pick_reporter(self, g: int, t: int) -> int | None:
        rnd = self.rnd
        fts = [w for w, h, left in self.grid_ft[g] if h <= t < left]
        if fts and rnd.random() < 0.75:
            return fts[0] if len(fts) == 1 else rnd.choice(fts)
        pts = [w for w, h, left in self.grid_pt[g] if h <= t < left]
        if pts:
            return rnd.choice(pts)
        return fts[0] if fts else None

    def _lifecycles(self, t, micro, item, src_idx, kinds, points, urgency):
        world, plan, rnd = self.world, self.plan, self.rnd
        end_us = self.end_us
        ev_rows: list[tuple] = []
        st_rows: list[tuple] = []
        lon_l, lat_l = points[:, 0].tolist(), points[:, 1].tolist()
        planted = self.planted
        for k, (t0, m, it, s) in enumerate(zip(t.tolist(), micro.tolist(), item.tolist(), src_idx.tolist())):
            kind, tag = kinds[k]
            lon, lat = lon_l[k], lat_l[k]
            if tag:  # a planted event: its own place (a re-entry near the first, a fixed spot, ...)
                m, lon, lat = planted.place(kind, tag, m, lon, lat)
            source = self.sources[s]
            g = int(self.micro_grid[m])
            v = int(self.grid_village[g])
            tw = int(self.village_town[v])
            info = self.items[it]
            urg = urgency[k]
            if tag:
                reporter, urg = tag[0], "ordinary"
            elif source in GRID_SOURCES:
                reporter = self._pick_reporter(g, t0)
            else:
                reporter = None
            if source in GRID_SOURCES and reporter is None:
                source = "hotline_12345"  # nobody active in the grid: the call goes to 12345
            ev = _Event(self, t0, m, g, v, tw, it, urg, reporter)
            if tag:
                planted.path(ev, kind, tag[0])
            elif source in GRID_SOURCES:
                ev.grid_reported(filtering=v in plan.filtering_villages)
            else:
                ev.centre(source)
            eid = self.next_event_id
            self.next_event_id += 1
            steps = [st for st in ev.steps if st[5] <= end_us]
            handled_level, department_id = ev.handled_level, ev.department_id
            if len(steps) < len(ev.steps):  # still under way at the end: only what has happened by then
                handled_level, department_id = _handled_so_far(steps)
            status = STATUS_AFTER[steps[-1][0]]
            sid = self.next_step_id
            st_rows.extend((sid + i, eid, i + 1, *st) for i, st in enumerate(steps))
            self.next_step_id += len(steps)
            self._record_dept_stats(steps, self.deadline_us[urg])
            closed = status == "closed"
            completed_at = (
                max((st[5] for st in steps if st[0] == "complete"), default=NAT)
                if status in ("completed", "verified", "closed")
                else NAT
            )
            closed_at = steps[-1][5] if closed else NAT
            deadline = t0 + self.deadline_us[urg]
            overdue = (closed_at if closed else end_us) > deadline
            quality = satisfaction = None
            if closed:
                p_bad = 0.027 + 0.3 * (ev.rejections > 0) + 0.12 * overdue
                x = rnd.random()
                quality = "unqualified" if x < p_bad else ("excellent" if x < p_bad + 0.36 else "qualified")
                if kind == "base" and rnd.random() < (
                    0.6 if source in ("resident_call", "hotline_12345", "household_visit") else 0.15
                ):
                    shift = (1 if overdue else 0) + (1 if ev.rejections else 0)
                    satisfaction = max(1, rnd.choices([5, 4, 3, 2, 1], [55, 30, 10, 3, 2])[0] - shift)
            place = world.village_names[v] + rnd.choice(
                cat.LANDMARKS_URBAN if world.town_is_street[tw] else cat.LANDMARKS_RURAL
            )
            if source == "hotline_12345":
                place = world.town_names[tw] + place
            text = f"{cat.SOURCE_PHRASES[source]}{place}{info['name']}问题。"
            if kind == "dup":
                planted.remember(tag, m, lon, lat, place, text)
            elif tag:
                place, text = planted.describe(kind, tag, source, place, info["name"], text)
            actions = [st[0] for st in steps]
            ev_rows.append(
                (
                    eid,
                    f"SJ{eid:09d}",
                    info["category"],
                    info["code"],
                    source,
                    urg,
                    text,
                    m + 1 if self.has_micro else None,
                    g + 1,
                    world.village_id(v),
                    world.town_id(tw),
                    lon,
                    lat,
                    t0,
                    reporter if source in GRID_SOURCES else None,
                    deadline,
                    status,
                    handled_level if status != "filed" else None,
                    department_id,
                    ev.filing_only,
                    quality,
                    satisfaction,
                    completed_at,
                    closed_at,
                    actions.count("escalate"),
                    actions.count("return"),
                    actions.count("reject"),
                )
            )
        ev_cols = dict(zip(EVENT_COLUMNS, map(list, zip(*ev_rows))))
        st_cols = dict(zip(STEP_COLUMNS, map(list, zip(*st_rows))))
        for key in ("reported_at", "deadline", "completed_at", "closed_at"):
            ev_cols[key] = np.array(ev_cols[key], dtype=np.int64).view("datetime64[us]")
        ev_cols["report_date"] = _local_day(ev_cols["reported_at"].view(np.int64)).astype("datetime64[D]")
        closed_i = ev_cols["closed_at"].view(np.int64)
        ev_cols["close_date"] = np.where(closed_i == NAT, NAT, _local_day(closed_i)).astype("datetime64[D]")
        st_cols["at"] = np.array(st_cols["at"], dtype=np.int64).view("datetime64[us]")
        return ev_cols, st_cols

    def _near(self, m: int, point: tuple[float, float]) -> tuple[float, float]:
        """A point within a few metres of `point`, still inside micro-grid m."""
        poly = self.world.tiling.micro[m]
        for _ in range(5):
            lon = round(point[0] + self.rng.normal(0, 4e-5), 6)
            lat = round(point[1] + self.rng.normal(0, 4e-5), 6)
            if shapely.contains_xy(poly, lon, lat):
                return lon, lat
        return point

    def _record_dept_stats(self, steps, limit_us: int) -> None:
        """Per (department, month of dispatch): dispatched, returned, and the summed accept delays
        as fractions of the time limit (so urgent and ordinary work compare) over how many."""
        disp_at: dict[int, int] = {}
        for action, fl, fu, tl, tu, at, _, _ in steps:
            if action == "dispatch" and tl == "department":
                disp_at[tu] = at
                self._stat(tu, at)[0] += 1
            elif action == "return" and fl == "department":
                self._stat(fu, disp_at.get(fu, at))[1] += 1
            elif action == "accept" and tl == "department" and tu in disp_at:
                s = self._stat(tu, disp_at[tu])
                s[2] += (at - disp_at[tu]) / limit_us
                s[3] += 1

    def _stat(self, dept: int, at: int) -> list:
        local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=at + LOCAL_OFFSET_US)
        key = (dept, local.year * 100 + local.month)
        if key not in self.dept_stats:
            self.dept_stats[key] = [0, 0, 0.0, 0]
        return self.dept_stats[key]
