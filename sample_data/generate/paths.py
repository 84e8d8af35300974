"""One event's path through the levels (`_Event`), as steps with times."""

import math

from sample_data.generate.profiles import (
    ESCALATE_P,
    FALLBACK_DEPARTMENT,
    UP_LEVELS,
    URGENCY_SPEED,
    US_MIN,
    VERIFY_SPEED,
)


def _handled_so_far(steps) -> tuple[str | None, int | None]:
    """(handled_level, department_id) of an event whose path is cut at the end: the last unit that
    took it on (accepted or handled it), and the department only once one has accepted it."""
    level = dept = None
    for action, _fl, _fu, to_level, to_id, *_ in steps:
        if action in ("accept", "handle"):
            level = to_level
            if to_level == "department":
                dept = to_id
    return level, dept


class _Event:
    """One event's path through the levels, as a list of steps with times (µs)."""

    def __init__(self, f, t0: int, m: int, g: int, v: int, tw: int, it: int, urg: str, reporter: int | None):
        self.f, self.t, self.m, self.g, self.v, self.tw = f, t0, m, g, v, tw
        self.info = f.items[it]
        self.kind = f.item_kind[it]
        self.urg = urg
        self.reporter = reporter
        self.steps: list[tuple] = []
        self.handled_level = None
        self.department_id = None
        self.filing_only = False
        self.rejections = 0
        self.speed = URGENCY_SPEED[urg]
        self.town_speed = float(f.plan.town_speed[tw])
        self.grid_id = g + 1
        self.village_id = f.world.village_id(v)
        self.town_id = f.world.town_id(tw)

    def wait(self, stage: str, factor: float = 1.0, sigma: float = 0.8) -> None:
        """Let a lognormal stage duration pass."""
        median = self.f.stage[stage] * factor * (VERIFY_SPEED[self.urg] if stage == "verify" else self.speed)
        self.t += int(max(median, 0.2) * math.exp(sigma * self.f.normal()) * US_MIN)

    def add(self, action, from_level, from_id, to_level, to_id, worker=None, actor=None):
        self.steps.append((action, from_level, from_id, to_level, to_id, self.t, worker, actor))

    def at(self, action, level, unit, worker=None, actor=None):
        """An action a unit takes in place (accept, handle, ...): from and to are that unit."""
        self.add(action, level, unit, level, unit, worker, actor)

    def report(self, w, g) -> None:
        """The worker's report into the grid: from the micro-grid, or the grid itself without them."""
        if self.f.has_micro:
            self.add("report", "micro_grid", self.m + 1, "grid", g, w)
        else:
            self.add("report", "grid", g, "grid", g, w)

    # paths
    def padded(self, delay: tuple[float, float] | None = None) -> None:
        """Trivial events the worker closes themself, never verified on site by anyone else: each step
        within minutes (the legacy recipe), or closed `delay` (min, max minutes) after the report."""
        w, g, rnd = self.reporter, self.grid_id, self.f.rnd
        self.report(w, g)
        if delay is not None:
            t0, total = self.t, max(rnd.uniform(*delay), 0.5) * US_MIN
            for action, share in zip(
                ("accept", "handle", "complete", "verify"), sorted(rnd.random() for _ in range(4))
            ):
                self.t = t0 + int(share * total)
                self.at(action, "grid", g, w)
            self.t = t0 + int(total)
            self.at("close", "grid", g, w)
            self.handled_level = "grid"
            return
        for action, lo, hi in (
            ("accept", 0.5, 2),
            ("handle", 1, 3),
            ("complete", 2, 8),
            ("verify", 1, 5),
            ("close", 0.2, 3),
        ):
            self.t += int(rnd.uniform(lo, hi) * US_MIN)
            self.at(action, "grid", g, w)
        self.handled_level = "grid"

    def grid_reported(self, filtering: bool) -> None:
        f, rnd, w, g = self.f, self.f.rnd, self.reporter, self.grid_id
        self.report(w, g)
        p_file = 0.0 if filtering else (0.2 if self.kind == "hard" else 0.02)
        if rnd.random() < p_file:
            self.wait("register")
            self.at("file", "grid", g, w)
            self.filing_only = True
            return
        p_up = ESCALATE_P[self.kind] * f.plan.village_escalation[self.v]
        if self.urg == "emergency":
            p_up = max(p_up, 0.6)
        if filtering:
            p_up = 0.005
        if rnd.random() >= p_up:
            self.wait("grid_accept")
            self.at("accept", "grid", g, w)
            self.handle_cycle("grid", g, w, "grid_handle", "grid_complete")
            self.verify_close("grid", g, w)
            self.handled_level = "grid"
            return
        shares = UP_LEVELS[self.kind]
        x = rnd.random() * sum(shares)
        target = "village" if x < shares[0] else ("town" if x < shares[0] + shares[1] else "county")
        head = f.grid_head[self.g] or None
        if target == "village":
            self.wait("escalate")
            self.add("escalate", "grid", g, "village", self.village_id, w)
            self.village_handles(head)
            return
        self.wait("escalate")
        if self.urg == "emergency" and rnd.random() < 0.7:
            self.add("escalate", "grid", g, "town", self.town_id, w)  # straight to the town centre
            via_village = False
        else:
            self.add("escalate", "grid", g, "village", self.village_id, w)
            self.wait("village_accept", self.town_speed)
            self.wait("escalate_up", self.town_speed)
            self.add("escalate", "village", self.village_id, "town", self.town_id, head)
            via_village = True
        self.wait("town_accept", self.town_speed)
        if via_village and rnd.random() < 0.08:  # the town finds it is the village's job
            self.add("return", "town", self.town_id, "village", self.village_id, actor="镇街社会治理中心")
            self.village_handles(head)
            return
        self.at("accept", "town", self.town_id, actor="镇街社会治理中心")
        if target == "county":
            self.wait("escalate_up", self.town_speed)
            self.add("escalate", "town", self.town_id, "county", 1, actor="镇街社会治理中心")
            self.wait("county_accept")
            if rnd.random() < 0.1:  # the county sends it back: the town's responsibility
                self.add("return", "county", 1, "town", self.town_id, actor="县社会治理中心")
                self.wait("town_accept", self.town_speed)
                self.at("accept", "town", self.town_id, actor="镇街社会治理中心")
                self.town_dispatch()
                return
            self.at("accept", "county", 1, actor="县社会治理中心")
            self.wait("register")
            self.at("register", "county", 1, actor="县社会治理中心")
            self.department_cycle("county", 1, "县社会治理中心")
            return
        self_handle = 0.5 if self.info["category"] in ("disputes", "petitions") else 0.12
        if rnd.random() < self_handle:  # the town centre's own cadres handle it
            self.wait("register")
            self.at("register", "town", self.town_id, actor="镇街社会治理中心")
            self.handle_cycle(
                "town", self.town_id, None, "dept_handle", "town_complete", self.town_speed, actor="镇街社会治理中心"
            )
            self.verify_close("town", self.town_id, None, actor="镇街社会治理中心")
            self.handled_level = "town"
            return
        self.town_dispatch()

    def town_dispatch(self) -> None:
        self.wait("register", self.town_speed)
        self.at("register", "town", self.town_id, actor="镇街社会治理中心")
        self.department_cycle("town", self.town_id, "镇街社会治理中心")

    def village_handles(self, head: int | None) -> None:
        self.wait("village_accept", self.town_speed)
        self.at("accept", "village", self.village_id, head)
        self.handle_cycle("village", self.village_id, head, "village_handle", "village_complete", self.town_speed)
        self.verify_close("village", self.village_id, head)
        self.handled_level = "village"

    def centre(self, source: str) -> None:
        f, rnd = self.f, self.f.rnd
        actor = "camera" if source == "camera_alert" else "12345"
        self.add("report", None, None, "county", 1, actor=actor)
        self.wait("county_accept", 0.3)
        self.at("accept", "county", 1, actor="县社会治理中心")
        self.wait("register")
        self.at("register", "county", 1, actor="县社会治理中心")
        to_grid = 0.85 if source == "camera_alert" else (0.7 if self.kind == "trivial" else 0.25)
        if rnd.random() < to_grid:
            worker = f._pick_reporter(self.g, self.t)
            self.wait("dispatch")
            self.add("dispatch", "county", 1, "town", self.town_id, actor="县社会治理中心")
            self.wait("dispatch", self.town_speed)
            self.add("dispatch", "town", self.town_id, "grid", self.grid_id, actor="镇街社会治理中心")
            self.reporter = worker
            self.wait("grid_accept", 5)
            self.at("accept", "grid", self.grid_id, worker, None if worker else "网格员")
            self.handle_cycle("grid", self.grid_id, worker, "grid_handle", "grid_complete")
            self.verify_close("county", 1, worker, actor="县社会治理中心")
            self.handled_level = "grid"
            return
        self.reporter = f._pick_reporter(self.g, self.t)
        self.department_cycle("county", 1, "县社会治理中心")

    def handle_cycle(self, level, unit, worker, handle_stage, complete_stage, factor=1.0, actor=None):
        self.wait(handle_stage, factor)
        self.at("handle", level, unit, worker, actor)
        self.wait(complete_stage, factor, sigma=0.8)
        self.at("complete", level, unit, worker, actor)

    def verify_close(self, close_level, close_unit, closer, actor=None) -> None:
        """Verification on site by the grid worker (rejected and redone now and then), then close."""
        f, rnd = self.f, self.f.rnd
        handler = self.steps[-1]
        p_reject = 0.012 if handler[1] == "grid" else 0.045
        while True:
            self.wait("verify", sigma=1.0)
            self.at("verify", "grid", self.grid_id, self.reporter, None if self.reporter else "网格员")
            if self.rejections >= 2 or rnd.random() >= p_reject:
                break
            self.rejections += 1
            self.wait("reject")
            self.add("reject", "grid", self.grid_id, handler[1], handler[2], self.reporter)
            factor = f.plan.dept_speed.get(handler[2], 1.0) if handler[1] == "department" else 1.0
            stages = {
                "grid": ("grid_handle", "grid_complete"),
                "village": ("village_handle", "village_complete"),
                "town": ("dept_handle", "town_complete"),
                "department": ("dept_handle", "dept_complete"),
            }
            h, c = stages[handler[1]]
            self.handle_cycle(handler[1], handler[2], handler[6], h, c, 0.5 * factor, handler[7])
        self.wait("close", sigma=1.0)
        self.at("close", close_level, close_unit, closer, actor)

    def _department_for(self, centre_level: str, exclude: set[int]) -> int:
        f, rnd = self.f, self.f.rnd
        key = self.info["key"]
        options = []
        if centre_level == "town" and (self.tw, key) in f.world.town_unit and rnd.random() < 0.75:
            options.append(f.world.town_unit[(self.tw, key)])
        options.append(f.world.dept_by_key[key])
        for d in options:
            if d not in exclude:
                return d
        line = f.world.departments[f.world.dept_by_key[key] - 1]["line_of_business"]
        peers = [
            d["id"]
            for d in f.world.departments
            if d["level"] == "county" and d["line_of_business"] == line and d["id"] not in exclude
        ]
        if not peers:
            peers = [f.world.dept_by_key[FALLBACK_DEPARTMENT.get(key, "gov_office")]]
        return peers[0] if len(peers) == 1 else rnd.choice(peers)

    def department_cycle(self, centre_level: str, centre_id: int, centre_actor: str) -> None:
        f, rnd, plan = self.f, self.f.rnd, self.f.plan
        tried: set[int] = set()
        dept = self._department_for(centre_level, tried)
        misrouted = rnd.random() < 0.02  # an honest mistake the department sends back
        if misrouted:
            dept = f.misroute_target(dept)
        while True:
            self.wait("dispatch", self.town_speed if centre_level == "town" else 1.0)
            self.add("dispatch", centre_level, centre_id, "department", dept, actor=centre_actor)
            tried.add(dept)
            p_ret = 0.4 if dept in plan.returning_depts else (0.9 if misrouted else 0.0)
            if len(tried) < 3 and rnd.random() < p_ret:
                self.wait("return", plan.dept_speed[dept])
                self.add("return", "department", dept, centre_level, centre_id, actor=self.dept_name(dept))
                dept = self._department_for(centre_level, tried)
                misrouted = False
                continue
            break
        slow = dept in plan.slow_depts
        speed = plan.dept_speed[dept]
        worker = f.prof.get((self.g, dept))
        actor = self.dept_name(dept)
        self.wait("dept_accept", speed * (8.0 if slow else 1.0))
        self.at("accept", "department", dept, worker, actor)
        self.handle_cycle(
            "department", dept, worker, "dept_handle", "dept_complete", speed * (3.0 if slow else 1.0), actor
        )
        self.department_id = dept
        self.handled_level = "department"
        self.verify_close(centre_level, centre_id, None, actor=centre_actor)

    def dept_name(self, dept: int) -> str:
        return self.f.world.departments[dept - 1]["name"]
