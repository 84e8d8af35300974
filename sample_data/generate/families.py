"""Families of planted worker behaviour: gaming with parameters drawn per worker, and honest controls.

Each planted full-time worker gets one spec (a dict) saying what the events, steps and check-ins
stages write for them. Every spec carries:
- signal: 'padding' | 'near_duplicates' | 'empty_patrol' (gaming) or 'control';
- family: e.g. 'padding.spread_day' (docs/INTEGRITY.md, "How the sample plants gaming");
- kind: 'gaming' | 'control'; mech: which stage mechanism writes it; detail: the drawn parameters
  in words (planted_patterns.detail).
Ranges are stated once, here and in docs/INTEGRITY.md. The legacy recipe of each signal is kept
as one family (morning_burst, same_spot, jump_repeat), so results can be broken down by family.
"""

from __future__ import annotations

import random

import numpy as np

# Family order per signal: the legacy recipe first, so a profile with one planted worker per
# signal (tiny) keeps the recipe every page test was written against.
PADDING_FAMILIES = ("morning_burst", "spread_day", "fixed_hour", "month_end", "slow_close")
DUPLICATE_FAMILIES = ("same_spot", "reworded", "sibling_item")
EMPTY_FAMILIES = ("jump_repeat", "replay_noise", "stationary", "partial_coverage")
CONTROL_KINDS = ("on_the_spot", "recurring_spot", "busy", "noisy_gps")
# Planted workers per signal, as shares of the profile's full-time workers (at least one each).
SIGNAL_SHARES = {"padding": 0.05, "near_duplicates": 0.03, "empty_patrol": 0.04}
QUOTA_PRESSURE_SHARE = 0.015  # padders toward the as-practised quota (also signal 'padding')
CONTROL_SHARE = 0.02  # per control kind (at least one while candidates last): 17 on the county's 836
RECURRING_WEEKS = 6


def _minutes(lo: float, hi: float) -> str:
    return f"{lo:.0f}-{hi:.0f} min"


def _hours_text(window: tuple[float, float]) -> str:
    lo, hi = window
    return f"{int(lo):02d}:{round(lo % 1 * 60):02d}-{int(hi):02d}:{round(hi % 1 * 60):02d}"


def _close_delay(rng: np.random.Generator) -> tuple[float, float]:
    """Report-to-close delay range in minutes, drawn within 0-90."""
    lo = float(rng.uniform(0, 60))
    return lo, float(min(90.0, lo + rng.uniform(10, 40)))


def padding(family: str, rng: np.random.Generator, rnd: random.Random, trivial: list) -> dict:
    """Extra made-up trivial reports (凑件): when, how many, how fast they are closed."""
    items = rnd.sample(trivial, 5 if family == "morning_burst" else int(rng.integers(2, 7)))
    spec = {"signal": "padding", "family": f"padding.{family}", "kind": "gaming", "mech": "pad", "items": items}
    if family in ("morning_burst", "slow_close"):
        # The legacy times: bursts early on working days (55%) and in the month's last 3 days.
        spec.update(mult=float(rng.uniform(2.5, 4.0)), windows=[(8.0, 8.4)], burst_share=0.55, month_end_days=3)
        spec["cluster"] = (3, 7)
        if family == "morning_burst":
            spec["delay"] = None  # the legacy path: each step within minutes (about 5-21 min in all)
            when = "in bursts 08:00-09:00 on working days and in the last 3 days of the month, closed within minutes"
        else:
            lo = float(rng.uniform(35, 50))
            spec["delay"] = (lo, float(rng.uniform(max(lo + 10, 60), 90)))
            when = (
                "in bursts 08:00-09:00 on working days and in the last 3 days of the month, "
                f"closed {_minutes(*spec['delay'])} after reporting"
            )
    else:
        spec.update(mult=float(rng.uniform(1.5, 4.0)), delay=_close_delay(rng))
        if family == "spread_day":
            spec.update(windows=[(8.0, 17.5)], burst_share=1.0, month_end_days=0, cluster=(1, 3))
            when = "spread over the whole working day (08:00-17:30), no month-end surge"
        elif family == "fixed_hour":
            h = float(rng.uniform(7.0, 17.5))
            window = (h, h + float(rng.uniform(0.3, 1.0)))
            me = int(rng.integers(2, 6)) if rng.random() < 0.5 else 0
            spec.update(windows=[window], burst_share=1.0 if not me else 0.6, month_end_days=me, cluster=(2, 6))
            when = f"concentrated at {_hours_text(window)} on working days" + (
                f" and in the last {me} days of the month" if me else ", no month-end surge"
            )
        else:  # month_end
            me = int(rng.integers(2, 6))
            spec.update(windows=[(8.0, 17.5)], burst_share=0.0, month_end_days=me, cluster=(1, 5))
            when = f"a surge in the last {me} days of each month, spread over the working day"
        when += f", closed {_minutes(*spec['delay'])} after reporting"
    names = len(items)
    spec["detail"] = (
        f"凑件 ({spec['family']}): about {spec['mult']:.1f}x the usual volume of extra trivial reports "
        f"({names} trivial items), {when}"
    )
    return spec


def quota_pressure(rng: np.random.Generator, rnd: random.Random, trivial: list) -> dict:
    """A worker below the as-practised quota who pads up toward it (运动式达标)."""
    me = int(rng.integers(3, 7)) if rng.random() < 0.5 else 0
    spec = {
        "signal": "padding",
        "family": "padding.quota_pressure",
        "kind": "gaming",
        "mech": "pad",
        "items": rnd.sample(trivial, int(rng.integers(2, 7))),
        "fill": float(rng.uniform(0.8, 1.3)),
        "level": float(rng.uniform(0.3, 0.6)),
        "windows": [(8.0, 17.5)],
        "burst_share": 0.0 if me else 1.0,
        "month_end_days": me,
        "cluster": (1, 4),
        "delay": _close_delay(rng),
    }
    when = f"in the last {me} days of each month" if me else "spread over the month's working days"
    spec["detail"] = (
        f"运动式达标 (padding.quota_pressure): on their own about {spec['level']:.0%} of the median worker's "
        f"volume, below the as-practised quota; pads {spec['fill']:.0%} of the monthly shortfall with trivial "
        f"reports, {when}, closed {_minutes(*spec['delay'])} after reporting"
    )
    return spec


def near_duplicates(family: str, rng: np.random.Generator, rnd: random.Random, trivial: list) -> dict:
    """Trivial items re-entered after the first report (事件空转)."""
    spec = {
        "signal": "near_duplicates",
        "family": f"near_duplicates.{family}",
        "kind": "gaming",
        "mech": "dup",
        "items": rnd.sample(trivial, 4),
        "mult": float(rng.uniform(0.7, 1.0)),
    }
    if family == "same_spot":
        spec.update(metres=None, hours=None, reword=False, sibling_p=0.0)
        spec["detail"] = (
            "事件空转 (near_duplicates.same_spot): trivial items re-entered at (nearly) the same point, "
            "with the same text, 1-20 h after the first"
        )
        return spec
    max_m = float(rng.uniform(60, 300))
    max_h = float(rng.uniform(12, 48))
    sibling = float(rng.uniform(0.5, 1.0)) if family == "sibling_item" else 0.0
    spec.update(metres=(0.0, max_m), hours=(1.0, max_h), reword=True, sibling_p=sibling)
    what = f"as another trivial item of the same category {sibling:.0%} of the time" if sibling else "as the same item"
    spec["detail"] = (
        f"事件空转 ({spec['family']}): trivial items re-entered {what}, 0-{max_m:.0f} m from the first "
        f"report (GPS error), reworded, 1-{max_h:.0f} h later"
    )
    return spec


def empty_patrol(family: str, rng: np.random.Generator, rnd: random.Random, trivial: list) -> dict:
    """Patrol days without a real patrol (人员空跑), written into check-ins."""
    spec = {"signal": "empty_patrol", "family": f"empty_patrol.{family}", "kind": "gaming", "mech": "checkin"}
    share = float(rng.uniform(0.55, 0.85))
    spec["share"] = share
    if family == "jump_repeat":
        mode = rnd.choice(["jump", "repeat", "both"])
        what = {
            "jump": "GPS jumps faster than 30 km/h",
            "repeat": "the same track uploaded day after day",
            "both": "GPS jumps and the same track repeated",
        }[mode]
        spec.update(mode=mode, detail=f"人员空跑 (empty_patrol.jump_repeat): {what} on most patrol days")
    elif family == "replay_noise":
        noise = float(rng.uniform(2, 8))
        spec.update(mode="replay", noise_m=noise)
        spec["detail"] = (
            f"人员空跑 (empty_patrol.replay_noise): one recorded route replayed on {share:.0%} of patrol days "
            f"with {noise:.0f} m of GPS noise (never byte-identical)"
        )
    elif family == "stationary":
        radius = float(rng.uniform(8, 30))
        spec.update(mode="stationary", radius_m=radius, items=rnd.sample(trivial, 3))
        spec["detail"] = (
            f"人员空跑 (empty_patrol.stationary): on {share:.0%} of working days every fix stays within "
            f"{radius:.0f} m of one spot (GPS noise only), with one token trivial report from there"
        )
    else:  # partial_coverage
        points = int(rng.integers(5, 9))
        spec.update(mode="partial", points=points, share=1.0)
        spec["detail"] = (
            f"人员空跑 (empty_patrol.partial_coverage): every patrol walks only the {points} route points "
            "nearest one spot: real movement, a small corner of the grid"
        )
    return spec


def control(kind: str, rng: np.random.Generator, rnd: random.Random, trivial: list, recurring_item) -> dict:
    """Honest but unusual workers: nothing made up, and no signal should flag them."""
    spec = {"signal": "control", "family": f"control.{kind}", "kind": "control", "pattern": f"control_{kind}"}
    if kind == "on_the_spot":
        share = float(rng.uniform(0.4, 0.7))
        spec.update(mech="spot", share=share, items=rnd.sample(trivial, 5))
        spec["detail"] = (
            f"on-the-spot fixer: {share:.0%} of the usual volume are trivial problems found on the morning "
            "patrol (08:05-10:30), fixed, self-reported and closed within about 10-45 min; total volume "
            "normal, tracks real"
        )
    elif kind == "recurring_spot":
        spec.update(mech="recur", item=recurring_item, weeks=RECURRING_WEEKS)
        spec["detail"] = (
            f"a recurring problem at one fixed spot: the same trivial item reported there every working-day "
            f"morning for {RECURRING_WEEKS} weeks (fixes within a few metres), each handled normally"
        )
    elif kind == "busy":
        target = float(rng.uniform(2.6, 3.4))
        spec.update(mech="busy", target=target)
        spec["detail"] = f"very busy honest worker: about {target:.1f}x the median volume, of the normal mix"
    else:  # noisy_gps
        sigma = float(rng.uniform(15, 40))
        spec.update(mech="noisy", sigma_m=sigma)
        spec["detail"] = f"noisy GPS: fixes scattered by about {sigma:.0f} m around a real walked route"
    return spec
