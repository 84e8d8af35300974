"""Planted events: the made-up, re-entered, token, on-the-spot and recurring reports of planted workers.

The events factory (events.py) asks this module, in order:
1. at construction, how many events the planted workers add (`total`) and the county's as-practised
   quota (from its own expected volume, docs/INTEGRITY.md "A coherent quota");
2. the planted events' (first) times, fixed up front so totals are exact (`planted`);
3. per planted time, the event(s) to add to the batch (`events_at`);
4. per planted event, where it is, its text and its path through the levels (`place`, `describe`,
   `path`).
Every draw comes from the factory's own generators, so the output stays a function of the seed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import numpy as np
import shapely

from data_access.rules import default_rule_rows
from data_access.schema import GRID_SOURCES
from sample_data import catalogue as cat
from sample_data.generate.profiles import LOCAL_OFFSET_US, SOURCE_SHARES, US_DAY, US_HOUR, US_MIN, _local_day

PLANTED_KINDS = ("pad", "dup", "dup_again", "spot", "recur", "token")
FT_SHARE = 0.75  # share of a grid's worker reports its full-time worker makes (EventFactory._pick_reporter)
M_PER_DEG_LAT = 111_200.0


def _poisson_at_least(lam: float, k: int) -> float:
    """P(N >= k) for N ~ Poisson(lam)."""
    term, below = math.exp(-lam), 0.0
    for i in range(k):
        below += term
        term *= lam / (i + 1)
    return max(0.0, 1.0 - below)


def _day_us(day: int, hour: float) -> int:
    """UTC µs of local `hour` on local day number `day`."""
    return day * US_DAY + int(hour * US_HOUR) - LOCAL_OFFSET_US


class PlantedEvents:
    def __init__(self, f, n_total: int):
        self.f = f
        self.specs = f.plan.workers
        rng = f.rng
        d0, d1 = int(_local_day(f.start_us)), int(_local_day(f.end_us))
        self.days = np.arange(d0, d1 + 1)
        self.workdays = self.days[(self.days + 3) % 7 < 5]
        self.dates = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d)) for d in self.days]
        self.to_month_end = np.array([calendar.monthrange(x.year, x.month)[1] - x.day for x in self.dates])
        self.month_key = np.array([x.year * 12 + x.month for x in self.dates])
        grid_share = np.bincount(f.micro_grid, weights=f.w_grid, minlength=len(f.grid_ft)) / f.w_grid.sum()
        worker_reports = sum(SOURCE_SHARES[s] for s in GRID_SOURCES) * FT_SHARE * n_total
        average = 1 / sum(len(ft) for ft in f.grid_ft)
        self.counts: dict[int, int] = {}
        self.anchor: dict[int, tuple[int, float, float]] = {}  # worker -> (micro, lon, lat)
        self.recur_days: dict[int, list[int]] = {}
        for w, s in self.specs.items():
            g = f._worker_grid(w)
            own = max(grid_share[g], average)
            if s["mech"] in ("pad", "dup") and "fill" not in s:
                self.counts[w] = max(3, round(s["mult"] * worker_reports * own))
            elif s["mech"] == "spot":
                self.counts[w] = max(3, round(s["share"] * worker_reports * f.spot_share[w]))
            elif s["mech"] == "recur":
                self._plan_recurring(w, g, rng)
                self.counts[w] = len(self.recur_days[w])
            elif s.get("mode") == "stationary":
                self.anchor[w] = (self._micro_at(g, *s["anchor"]), *s["anchor"])
                self.counts[w] = sum(1 for d in s["days"] if _day_us(d, 9.9) < f.end_us)
        pairs = sum(n for w, n in self.counts.items() if self.specs[w]["mech"] == "dup")
        n_base = n_total - sum(self.counts.values()) - pairs
        self._quota(n_base, grid_share)
        self.monthly: dict[int, dict[int, int]] = {}
        for w, s in self.specs.items():
            if "fill" in s:
                self.monthly[w] = self._shortfall(w, s, n_base, grid_share)
                self.counts[w] = sum(self.monthly[w].values())
        self.planted = sorted(self.times())
        self.total = len(self.planted) + sum(1 for _, _, kind in self.planted if kind == "dup")
        self.origin: dict[tuple[int, int], tuple] = {}  # (worker, pair) -> first report's point and text

    # volumes
    def _months_in_period(self) -> float:
        return (self.f.end_us - self.f.start_us) / (30.4375 * US_DAY)

    def _expected_monthly(self, g: int, n_base: int, grid_share: np.ndarray) -> float:
        """Expected monthly grid reports of one full-time worker of grid g from the base events."""
        grid_reports = sum(SOURCE_SHARES[s] for s in GRID_SOURCES) * n_base / self._months_in_period()
        return grid_reports * grid_share[g] * FT_SHARE / max(1, len(self.f.grid_ft[g]))

    def _quota(self, n_base: int, grid_share: np.ndarray) -> None:
        """The as-practised quota set from the county's own volume (docs/INTEGRITY.md "A coherent
        quota"): the largest whole number of reports a month that at least half of the honest
        full-time workers' months are expected to reach, each worker's monthly count taken as
        Poisson around their expected volume; street workers owe the ruleset's add-on in
        proportion (10 on 30: a third of the quota, rounded) on top, within that half."""
        f = self.f
        lam, street = [], []
        for g, ft in enumerate(f.grid_ft):
            for w, _, left in ft:
                if left > f.end_us and w not in self.specs:
                    lam.append(self._expected_monthly(g, n_base, grid_share))
                    street.append(bool(f.world.town_is_street[f.micro_town[np.flatnonzero(f.micro_grid == g)[0]]]))
        rules = {r["key"]: r["value"] for r in default_rule_rows() if r["ruleset"] == "as_practised"}
        ratio = rules["street_quota_bonus"] / rules["quota_events_per_worker"]
        quota = 1
        while lam and quota < 200:
            nxt = quota + 1
            need = [nxt + (round(nxt * ratio) if s else 0) for s in street]
            if np.mean([_poisson_at_least(x, k) for x, k in zip(lam, need)]) < 0.5:
                break
            quota = nxt
        f.plan.quota = float(quota) if lam else rules["quota_events_per_worker"]
        f.plan.street_bonus = float(round(f.plan.quota * ratio))

    def _shortfall(self, w: int, s: dict, n_base: int, grid_share: np.ndarray) -> dict[int, int]:
        """Quota pressure: per month (key year*12+month) the padded reports, `fill` of the gap
        between the worker's quota and what they would report anyway (a part month pro rata), as a
        Poisson count."""
        f = self.f
        g = f._worker_grid(w)
        street = bool(f.world.town_is_street[f.micro_town[np.flatnonzero(f.micro_grid == g)[0]]])
        quota = f.plan.quota + (f.plan.street_bonus if street else 0.0)
        gap = max(0.0, quota - self._expected_monthly(g, n_base, grid_share))
        out = {}
        for key in np.unique(self.month_key).tolist():
            in_month = self.month_key == key
            days_in = calendar.monthrange((key - 1) // 12, (key - 1) % 12 + 1)[1]
            n = int(f.rng.poisson(s["fill"] * gap * in_month.sum() / days_in))
            if n:
                out[key] = n
        return out

    def _plan_recurring(self, w: int, g: int, rng) -> None:
        """A fixed spot in the worker's grid and the working days of a six-week run of reports."""
        f = self.f
        micro = np.flatnonzero(f.micro_grid == g)
        m = int(micro[rng.integers(len(micro))])
        lon, lat = shapely.get_coordinates(shapely.point_on_surface(f.world.tiling.micro[m]))[0]
        self.anchor[w] = (m, round(float(lon), 6), round(float(lat), 6))
        span = 7 * self.specs[w]["weeks"]
        first = int(self.days[0] + rng.integers(0, max(1, len(self.days) - span - 1)))
        last = int(self.days[-1])
        self.recur_days[w] = [d for d in range(first, min(first + span, last)) if (d + 3) % 7 < 5]

    def _micro_at(self, g: int, lon: float, lat: float) -> int:
        micro = np.flatnonzero(self.f.micro_grid == g)
        inside = micro[shapely.contains_xy(self.f.world.tiling.micro[micro], lon, lat)]
        return int(inside[0]) if len(inside) else int(micro[0])

    # times
    def times(self) -> list[tuple[int, int, str]]:
        """(time µs, worker, kind) of every planted event (a near-duplicate pair by its first)."""
        out: list[tuple[int, int, str]] = []
        for w, s in self.specs.items():
            n = self.counts.get(w, 0)
            if s["mech"] == "pad":
                out += [(t, w, "pad") for t in (self._quota_times(w, s) if "fill" in s else self._pad_times(s, n))]
            elif s["mech"] == "dup":
                out += [(t, w, "dup") for t in self._dup_times(s, n)]
            elif s["mech"] == "spot":
                out += [
                    (self._work_time(int(self.f.rng.choice(self.workdays)), 8.1, 10.5), w, "spot") for _ in range(n)
                ]
            elif s["mech"] == "recur":
                out += [(self._work_time(d, 8.4, 10.0), w, "recur") for d in self.recur_days[w]]
            elif s.get("mode") == "stationary":
                times = [self._work_time(d, 8.4, 9.8) for d in s["days"]]
                out += [(t, w, "token") for t in times if t < self.f.end_us]
        return [p for p in out if self.f.start_us <= p[0] < self.f.end_us]

    def _work_time(self, day: int, hour_lo: float, hour_hi: float) -> int:
        return _day_us(day, 0.0) + int(self.f.rng.uniform(hour_lo, hour_hi) * US_HOUR)

    def _pad_times(self, s: dict, n: int, days: np.ndarray | None = None, month_end: np.ndarray | None = None):
        """Clusters of reports a few minutes apart: on working days in the spec's windows
        (burst_share of them), else on the month's last days."""
        rng, f = self.f.rng, self.f
        work = self.workdays if days is None else days
        if month_end is None:
            month_end = self.days[self.to_month_end < max(1, s["month_end_days"])]
        if not len(work) and not len(month_end):
            return []
        out: list[int] = []
        tries = 0
        while len(out) < n and tries < 50 * n + 100:  # a window outside the period cannot be filled
            tries += 1
            k = min(int(rng.integers(*s["cluster"])), n - len(out))
            if (rng.random() < s["burst_share"] or not len(month_end)) and len(work):
                lo, hi = s["windows"][int(rng.integers(len(s["windows"])))]
                t = self._work_time(int(rng.choice(work)), lo, hi)
            else:
                t = self._work_time(int(rng.choice(month_end)), 8.0, 17.0)
            for _ in range(k):
                if f.start_us <= t < f.end_us:
                    out.append(t)
                t += int(rng.uniform(2, 8) * US_MIN)
        return out[:n]

    def _quota_times(self, w: int, s: dict) -> list[int]:
        out: list[int] = []
        for key, n in self.monthly[w].items():
            in_month = self.month_key == key
            work = self.days[in_month & ((self.days + 3) % 7 < 5)]
            month_end = self.days[in_month & (self.to_month_end < max(1, s["month_end_days"]))]
            out += self._pad_times(s, n, days=work, month_end=month_end if s["month_end_days"] else work[:0])
        return out

    def _dup_times(self, s: dict, n: int) -> list[int]:
        last_ok = self.f.end_us - (US_DAY if s["hours"] is None else 4 * US_DAY)
        out: list[int] = []
        while len(out) < n:
            t = self._work_time(int(self.f.rng.choice(self.workdays)), 8.5, 17.0)
            if self.f.start_us <= t < last_ok:
                out.append(t)
        return out

    # events
    def events_at(self, w: int, kind: str, t0: int, tag) -> list[tuple[int, int, int, str, tuple]]:
        """(time, micro-grid, item index, source, (kind, tag)) of the event(s) planted at t0."""
        f, rng = self.f, self.f.rng
        s = self.specs[w]
        g = f._worker_grid(w)
        if kind in ("recur", "token"):
            m = self.anchor[w][0]
        else:
            choices = np.flatnonzero(f.micro_grid == g)
            m = int(choices[rng.integers(len(choices))])
        if kind == "recur":
            c, i = s["item"]
        else:
            c, i = s["items"][self._pick(s, rng)]
        it = f.item_index[(c, i)]
        src = "patrol" if kind in ("spot", "recur", "token") or rng.random() < 0.8 else "household_visit"
        out = [(t0, m, it, src, (kind, tag))]
        if kind == "dup":
            t1 = self._again_time(s, t0, rng)
            again = it
            if s["sibling_p"] and rng.random() < s["sibling_p"]:
                again = self._sibling(c, i, rng)
            out.append((t1, m, again, src, ("dup_again", tag)))
        return out

    @staticmethod
    def _pick(s: dict, rng) -> int:
        weights = s.get("item_weights")
        if weights is None:
            return int(rng.integers(len(s["items"])))
        return int(
            np.searchsorted(np.cumsum(weights), rng.random() * sum(weights), side="right").clip(0, len(weights) - 1)
        )

    @staticmethod
    def _again_time(s: dict, t0: int, rng) -> int:
        """The re-entry: hours after the first (the next morning when it would fall after 18:00)."""
        if s["hours"] is None:  # the legacy recipe: 1-5 h later
            t1 = t0 + int(rng.uniform(1.0, 5.0) * US_HOUR)
            if ((t1 + LOCAL_OFFSET_US) // US_HOUR) % 24 >= 18:
                t1 += 14 * US_HOUR
            return t1
        t1 = t0 + int(rng.uniform(*s["hours"]) * US_HOUR)
        hour = ((t1 + LOCAL_OFFSET_US) % US_DAY) / US_HOUR
        if hour >= 18:
            t1 += int((24 - hour + rng.uniform(8.0, 9.5)) * US_HOUR)
        elif hour < 8:
            t1 += int((rng.uniform(8.0, 9.5) - hour) * US_HOUR)
        return t1

    def _sibling(self, c: str, i: int, rng) -> int:
        """Another trivial item of the same category (where the catalogue has one)."""
        f = self.f
        allowed = f.world.shape.padding_categories
        same = [
            f.item_index[(c, k)]
            for k, it in enumerate(f.world.shape.items[c])
            if it[2] and k != i and (allowed is None or c in allowed)
        ]
        return same[int(rng.integers(len(same)))] if same else f.item_index[(c, i)]

    # where, what text, which path
    def place(self, kind: str, tag, m: int, lon: float, lat: float) -> tuple[int, float, float]:
        """Where a planted event is (micro-grid, lon, lat as Python floats)."""
        w = tag[0]
        if kind == "dup_again":
            m, lon, lat = self._again_point(tag, m)
        elif kind == "recur":  # the same spot: fixes within a few metres of it
            m, lon, lat = self._around(w, self.anchor[w], 3.0, gauss=True)
        elif kind == "token":  # from the spot the stationary walker's fixes stay near
            m, lon, lat = self._around(w, self.anchor[w], self.specs[w]["radius_m"], gauss=False)
        return int(m), float(lon), float(lat)

    def _around(self, w: int, anchor, metres: float, gauss: bool) -> tuple[int, float, float]:
        rng = self.f.rng
        m, lon0, lat0 = anchor
        poly = self.f.world.tiling.micro[m]
        for _ in range(10):
            if gauss:
                dx, dy = rng.normal(0, metres, 2)
            else:
                r, a = metres * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
                dx, dy = r * math.cos(a), r * math.sin(a)
            lon, lat = self._offset(lon0, lat0, dx, dy)
            if shapely.contains_xy(poly, lon, lat):
                return m, lon, lat
        return m, lon0, lat0

    @staticmethod
    def _offset(lon: float, lat: float, dx_m: float, dy_m: float) -> tuple[float, float]:
        dlon = dx_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
        return round(lon + dlon, 6), round(lat + dy_m / M_PER_DEG_LAT, 6)

    def remember(self, tag, m: int, lon: float, lat: float, place: str, text: str) -> None:
        self.origin[tag] = (m, lon, lat, place, text)

    def _again_point(self, tag, m: int) -> tuple[int, float, float]:
        f, rng = self.f, self.f.rng
        s = self.specs[tag[0]]
        m0, lon0, lat0, _, _ = self.origin[tag]
        if "relocate" in s:
            return s["relocate"](f, m0, (lon0, lat0), rng)
        if s["metres"] is None:
            return (m0, *f._near(m0, (lon0, lat0)))
        g = int(f.micro_grid[m0])
        grid_poly = f.world.tiling.grids[g]
        for _ in range(20):
            r, a = rng.uniform(*s["metres"]), rng.uniform(0, 2 * math.pi)
            lon, lat = self._offset(lon0, lat0, r * math.cos(a), r * math.sin(a))
            if shapely.contains_xy(grid_poly, lon, lat):
                return self._micro_at(g, lon, lat), lon, lat
        return m0, lon0, lat0

    def describe(self, kind: str, tag, source: str, place: str, item_name: str, text: str) -> tuple[str, str]:
        """(place, description) of a planted event: a pair's re-entry keeps the first's place and
        either its very text (the legacy recipe) or a rewording; a recurring spot keeps its place."""
        w = tag[0]
        s = self.specs[w]
        if kind == "recur":
            place = self.f.world.village_names[self.f.micro_village[self.anchor[w][0]]] + (
                "菜市场旁" if self.f.micro_urban[self.anchor[w][0]] else "农贸点"
            )
            return place, f"{cat.SOURCE_PHRASES[source]}{place}{item_name}问题。"
        if kind != "dup_again":
            return place, text
        _, _, _, first_place, first_text = self.origin.pop(tag)
        if not s.get("reword"):
            return first_place, first_text
        template = cat.REWORDINGS[int(self.f.rng.integers(len(cat.REWORDINGS)))]
        return first_place, template.format(place=first_place, item=item_name)

    def path(self, ev, kind: str, w: int) -> None:
        """The planted event's steps: made-up and self-fixed reports are closed by the worker
        themself (after the spec's delay); re-entries and recurring reports take the normal path."""
        s = self.specs[w]
        if kind == "pad":
            ev.padded(s.get("delay"))
        elif kind == "spot":
            ev.padded((10.0, 45.0))
        elif kind == "token":
            ev.padded((5.0, 40.0))
        else:
            ev.grid_reported(filtering=False)
