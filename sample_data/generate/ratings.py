"""Department ratings (街呼区应): each town rates each county department monthly."""

import datetime as dt
import math

import numpy as np

from sample_data.generate.planting import Plan
from sample_data.generate.profiles import LOCAL_OFFSET_US, _rngs
from sample_data.generate.world import World


def _ratings(world: World, plan: Plan, seed: int, stats: dict, start_us: int, end_us: int):
    """Each town rates each county department monthly; scores track the department's data."""
    rng, _ = _rngs(seed, 6)
    county = [d for d in world.departments if d["level"] == "county"]
    start_local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=start_us + LOCAL_OFFSET_US)
    end_local = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=end_us + LOCAL_OFFSET_US)
    months = []
    y, m = start_local.year, start_local.month
    while (y, m) < (end_local.year, end_local.month):  # only months that are over
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    totals: dict[int, list] = {}
    for (d, _), s in stats.items():
        acc = totals.setdefault(d, [0, 0, 0.0, 0])
        for i in range(4):
            acc[i] += s[i]
    med_accept = np.median([s[2] / s[3] for s in totals.values() if s[3]]) if totals else 1.0

    def performance(s) -> float:
        if not s or not s[0]:
            return 0.75
        ret = s[1] / s[0]
        accept = (s[2] / s[3]) if s[3] else med_accept
        speed = np.clip(0.6 - math.log(max(accept, 1e-9) / med_accept) / math.log(8), 0, 1)
        return float(np.clip(0.7 * speed + 0.3 * (1 - 2.5 * ret), 0, 1))

    town_bias = rng.normal(0, 3, len(world.town_names))
    cols = {k: [] for k in ("id", "town_id", "department_id", "month", "score", "comment")}
    for y, m in months:
        for d in county:
            perf = 0.5 * performance(stats.get((d["id"], y * 100 + m))) + 0.5 * performance(totals.get(d["id"]))
            base = 50 + 45 * perf
            kind = plan.mismatch.get(d["id"])
            if kind == "praised":
                base = 93
            elif kind == "panned":
                base = 55
            for t in range(len(world.town_names)):
                score = float(np.clip(round(base + town_bias[t] + rng.normal(0, 3.5), 1), 0, 100))
                comment = (
                    "配合积极,响应迅速"
                    if score >= 90
                    else "配合较好"
                    if score >= 78
                    else "响应偏慢,需加强"
                    if score >= 62
                    else "推诿扯皮,多次催办未果"
                )
                cols["id"].append(len(cols["id"]) + 1)
                cols["town_id"].append(world.town_id(t))
                cols["department_id"].append(d["id"])
                cols["month"].append(np.datetime64(dt.date(y, m, 1), "D"))
                cols["score"].append(score)
                cols["comment"].append(comment)
    cols["month"] = np.array(cols["month"], dtype="datetime64[D]")
    return cols
