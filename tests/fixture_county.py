"""A hand-built fixture county whose every number is known by reading this file.

Two towns (东城街道 id 2, 白鹤镇 id 3), three villages, four grids, eight micro-grids, seven
workers (one of whom has left), eleven events. The dashboard's clock is pinned to
`AS_OF` and the filter is March 2026 (2026-03-02 .. 2026-03-31, 30 days); the previous period is
2026-01-31 .. 2026-03-01 with its end at 2026-03-01 18:00.

Event ledger (local times, Asia/Shanghai):
  E1  T1 V1 G1 city    03-05 09:00 ordinary  closed 03-06 10:00   on time, satisfaction 4
  E2  T1 V1 G1 city    03-10 10:00 urgent    closed 03-12 10:00   late (deadline 03-11 10:00)
  E3  T1 V2 G2 safety  03-15 08:00 ordinary  closed 03-16 09:00   on time, rejected once, sat. 3
  E4  T2 V3 G3 city    03-20 09:00 ordinary  open                 overdue (deadline 03-25 09:00)
  E5  T2 V3 G4 safety  03-30 09:00 ordinary  open                 not yet due (04-04 09:00)
  E6  T2 V3 G3 city    03-25 11:00 filing-only, filed
  E7  T1 V1 G1 safety  03-31 09:00 emergency open                 overdue (deadline 03-31 13:00)
  E8  T2 V3 G4 city    03-18 14:00 urgent    closed 03-19 12:00   on time, satisfaction 5
  E9  T1 V2 G2 city    02-20 09:00 ordinary  open                 old backlog, overdue since 02-25
  E10 T2 V3 G3 city    02-10 09:00 ordinary  closed 02-12 09:00   on time
  E11 T1 V1 G1 city    02-25 10:00 urgent    closed 03-03 10:00   late; open at the previous period's end
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from shapely.geometry import box

from data_access import rollups, schema
from data_access.rules import seed_default_rules
from data_access.store import create_store_engine
from data_access.users import seed_demo_users

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2026, 3, 31, 18, 0, tzinfo=TZ)
AS_OF_ISO = AS_OF.isoformat()
DATE_FROM = dt.date(2026, 3, 2)
DATE_TO = dt.date(2026, 3, 31)

TOWN_EAST, TOWN_WEST = 2, 3  # 东城街道, 白鹤镇

# What the overview must show for the March filter (worked out from the ledger above).
EXPECTED = {
    "county": {
        "events_reported": 8,
        "open_events": 4,
        "overdue_events": 3,
        "on_time_closure_rate": 3 / 6,
        "filing_only_events": 1,
        "workers_checked_in_today": 2,
        "workers_active": 6,
        "rework_rate": 1 / 4,
        "satisfaction_avg": 4.0,
    },
    "county_previous": {
        "events_reported": 3,
        "open_events": 2,
        "overdue_events": 2,
        "on_time_closure_rate": 1 / 3,
        "filing_only_events": 0,
        "workers_checked_in_today": 2,
    },
    TOWN_EAST: {"events_reported": 4, "open_events": 2, "overdue_events": 2, "on_time_closure_rate": 2 / 4},
    TOWN_WEST: {"events_reported": 4, "open_events": 2, "overdue_events": 1, "on_time_closure_rate": 1 / 2},
    "closed_in_march": 5,
}


def march(**kw):
    """The fixture's standard filter: March 2026 (2026-03-02 .. 2026-03-31), clock at AS_OF."""
    from data_access.filters import Filters

    return Filters(date_from=DATE_FROM, date_to=DATE_TO, as_of=AS_OF, **kw)


def _t(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def _geom(minx, miny, maxx, maxy) -> dict:
    g = box(minx, miny, maxx, maxy)
    return {
        "boundary_wkt": g.wkt,
        "centroid_lon": g.centroid.x,
        "centroid_lat": g.centroid.y,
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
        "area_km2": (maxx - minx) * 111.32 * 0.8746 * (maxy - miny) * 110.57,
    }


ADMIN = [
    dict(
        id=1, level="county", kind="county", parent_id=None, code="C", name="示例县", **_geom(121.0, 29.0, 121.2, 29.1)
    ),
    dict(
        id=2, level="town", kind="street", parent_id=1, code="T01", name="东城街道", **_geom(121.0, 29.0, 121.1, 29.1)
    ),
    dict(id=3, level="town", kind="town", parent_id=1, code="T02", name="白鹤镇", **_geom(121.1, 29.0, 121.2, 29.1)),
    dict(
        id=4,
        level="village",
        kind="community",
        parent_id=2,
        code="T01V01",
        name="河西社区",
        **_geom(121.0, 29.0, 121.1, 29.05),
    ),
    dict(
        id=5,
        level="village",
        kind="community",
        parent_id=2,
        code="T01V02",
        name="河东社区",
        **_geom(121.0, 29.05, 121.1, 29.1),
    ),
    dict(
        id=6,
        level="village",
        kind="village",
        parent_id=3,
        code="T02V01",
        name="白鹤村",
        **_geom(121.1, 29.0, 121.2, 29.1),
    ),
]
GRIDS = [
    dict(
        id=1,
        code="T01V01G01",
        name="河西社区第1网格",
        village_id=4,
        town_id=2,
        households=300,
        residents=800,
        **_geom(121.0, 29.0, 121.1, 29.05),
    ),
    dict(
        id=2,
        code="T01V02G01",
        name="河东社区第1网格",
        village_id=5,
        town_id=2,
        households=250,
        residents=700,
        **_geom(121.0, 29.05, 121.1, 29.1),
    ),
    dict(
        id=3,
        code="T02V01G01",
        name="白鹤村第1网格",
        village_id=6,
        town_id=3,
        households=120,
        residents=330,
        **_geom(121.1, 29.0, 121.2, 29.05),
    ),
    dict(
        id=4,
        code="T02V01G02",
        name="白鹤村第2网格",
        village_id=6,
        town_id=3,
        households=100,
        residents=270,
        **_geom(121.1, 29.05, 121.2, 29.1),
    ),
]


def _micro_grids() -> list[dict]:
    rows = []
    for g in GRIDS:
        minx, miny, maxx, maxy = g["min_lon"], g["min_lat"], g["max_lon"], g["max_lat"]
        mid = round((minx + maxx) / 2, 6)
        for i, (a, b) in enumerate(((minx, mid), (mid, maxx)), start=1):
            rows.append(
                dict(
                    id=(g["id"] - 1) * 2 + i,
                    code=f"{g['code']}M{i}",
                    name=f"{g['name']}微网格{i}",
                    grid_id=g["id"],
                    village_id=g["village_id"],
                    town_id=g["town_id"],
                    households=g["households"] // 2,
                    residents=g["residents"] // 2,
                    **_geom(a, miny, b, maxy),
                )
            )
    return rows


CATEGORIES = [
    dict(code="city_management", name="城市管理", name_en="City management", sort_order=1),
    dict(code="public_safety", name="公共安全与法治", name_en="Public security and law", sort_order=2),
]
ITEM_TYPES = [
    dict(
        code="street_vending",
        category_code="city_management",
        name="占道经营",
        name_en="Street vending on the road",
        trivial=True,
        default_urgency="ordinary",
    ),
    dict(
        code="road_damage",
        category_code="city_management",
        name="路面破损",
        name_en="Damaged road surface",
        trivial=False,
        default_urgency="urgent",
    ),
    dict(
        code="fire_exit_blocked",
        category_code="public_safety",
        name="消防通道堵塞",
        name_en="Blocked fire exit",
        trivial=False,
        default_urgency="emergency",
    ),
]
DEPARTMENTS = [
    dict(
        id=1,
        code="D01",
        name="综合行政执法局",
        name_en="Comprehensive Law Enforcement Bureau",
        level="county",
        town_id=None,
        line_of_business="city_management",
    ),
    dict(
        id=2,
        code="D02",
        name="公安局",
        name_en="Public Security Bureau",
        level="county",
        town_id=None,
        line_of_business="public_safety",
    ),
]
WORKERS = [
    # id, name, gender, birth, education, employment, role, town, village, grid, mg, dept, hired, left, phone
    (
        1,
        "张伟",
        "M",
        dt.date(1970, 5, 1),
        "junior_college",
        "full_time",
        "full_time_worker",
        2,
        4,
        1,
        1,
        None,
        dt.date(2020, 1, 1),
        None,
        "13812341234",
    ),
    (
        2,
        "王芳",
        "F",
        dt.date(1985, 3, 2),
        "junior_college",
        "full_time",
        "full_time_worker",
        2,
        5,
        2,
        3,
        None,
        dt.date(2021, 6, 1),
        None,
        "13912345678",
    ),
    (
        3,
        "李强",
        "M",
        dt.date(1968, 8, 9),
        "high_school_or_below",
        "full_time",
        "full_time_worker",
        3,
        6,
        3,
        5,
        None,
        dt.date(2019, 3, 1),
        None,
        "15012345678",
    ),
    (
        4,
        "刘洋",
        "M",
        dt.date(1965, 1, 1),
        "high_school_or_below",
        "part_time",
        "grid_head",
        3,
        6,
        4,
        7,
        None,
        dt.date(2018, 1, 1),
        None,
        "15112345678",
    ),
    (
        5,
        "陈静",
        "F",
        dt.date(1972, 12, 12),
        "junior_college",
        "part_time",
        "part_time_worker",
        2,
        4,
        1,
        2,
        None,
        dt.date(2022, 1, 1),
        None,
        "18812345678",
    ),
    (
        6,
        "赵磊",
        "M",
        dt.date(1990, 7, 7),
        "postgraduate",
        "departmental",
        "professional_worker",
        2,
        None,
        1,
        None,
        1,
        dt.date(2023, 1, 1),
        None,
        "18912345678",
    ),
    (
        7,
        "孙丽",
        "F",
        dt.date(1975, 4, 4),
        "junior_college",
        "full_time",
        "full_time_worker",
        3,
        6,
        4,
        8,
        None,
        dt.date(2020, 1, 1),
        dt.date(2026, 1, 15),
        "17712345678",
    ),
]
DEADLINE_HOURS = {"emergency": 4, "urgent": 24, "ordinary": 120}

# id, town, village, grid, micro-grid, category, item, urgency, reported, closed, filing, rejections, satisfaction,
# reporter
EVENTS = [
    (1, 2, 4, 1, 1, "city_management", "street_vending", "ordinary", _t(3, 5, 9), _t(3, 6, 10), False, 0, 4, 1),
    (2, 2, 4, 1, 2, "city_management", "road_damage", "urgent", _t(3, 10, 10), _t(3, 12, 10), False, 0, None, 1),
    (3, 2, 5, 2, 3, "public_safety", "fire_exit_blocked", "ordinary", _t(3, 15, 8), _t(3, 16, 9), False, 1, 3, 2),
    (4, 3, 6, 3, 5, "city_management", "road_damage", "ordinary", _t(3, 20, 9), None, False, 0, None, 3),
    (5, 3, 6, 4, 7, "public_safety", "fire_exit_blocked", "ordinary", _t(3, 30, 9), None, False, 0, None, 4),
    (6, 3, 6, 3, 6, "city_management", "road_damage", "ordinary", _t(3, 25, 11), None, True, 0, None, 3),
    (7, 2, 4, 1, 1, "public_safety", "fire_exit_blocked", "emergency", _t(3, 31, 9), None, False, 0, None, 1),
    (8, 3, 6, 4, 8, "city_management", "street_vending", "urgent", _t(3, 18, 14), _t(3, 19, 12), False, 0, 5, 4),
    (9, 2, 5, 2, 4, "city_management", "road_damage", "ordinary", _t(2, 20, 9), None, False, 0, None, 2),
    (10, 3, 6, 3, 5, "city_management", "street_vending", "ordinary", _t(2, 10, 9), _t(2, 12, 9), False, 0, None, 3),
    (11, 2, 4, 1, 1, "city_management", "road_damage", "urgent", _t(2, 25, 10), _t(3, 3, 10), False, 0, None, 1),
]
# worker, local time
CHECKINS = [
    (1, _t(3, 31, 8, 10)),
    (2, _t(3, 31, 8, 20)),
    (3, _t(3, 31, 19, 0)),
    (5, _t(3, 30, 8, 0)),
    (1, _t(3, 30, 8, 5)),
]


def _steps(
    event_id: int,
    mg: int,
    grid: int,
    reporter: int,
    reported: dt.datetime,
    closed: dt.datetime | None,
    filing: bool,
    rejections: int,
) -> list[dict]:
    """A grid-level lifecycle: report, accept, handle, complete, verify[, reject, ...], close."""
    at = reported
    seq = 0
    rows = []

    def add(action, from_level, from_unit, to_level, to_unit, minutes):
        nonlocal at, seq
        seq += 1
        at = at + dt.timedelta(minutes=minutes)
        rows.append(
            dict(
                event_id=event_id,
                seq=seq,
                action=action,
                from_level=from_level,
                from_unit_id=from_unit,
                to_level=to_level,
                to_unit_id=to_unit,
                at=at,
                actor_worker_id=reporter,
                actor=None,
            )
        )

    add("report", "micro_grid", mg, "grid", grid, 0)
    if filing:
        add("file", "grid", grid, "grid", grid, 5)
        return rows
    add("accept", "grid", grid, "grid", grid, 10)
    add("handle", "grid", grid, "grid", grid, 20)
    if closed is None:
        return rows
    for _ in range(rejections):
        add("complete", "grid", grid, "grid", grid, 10)
        add("verify", "grid", grid, "grid", grid, 10)
        add("reject", "grid", grid, "grid", grid, 1)
        add("handle", "grid", grid, "grid", grid, 5)
    complete_at = closed - dt.timedelta(minutes=30)
    rows.append(
        dict(
            event_id=event_id,
            seq=seq + 1,
            action="complete",
            from_level="grid",
            from_unit_id=grid,
            to_level="grid",
            to_unit_id=grid,
            at=complete_at,
            actor_worker_id=reporter,
            actor=None,
        )
    )
    rows.append(
        dict(
            event_id=event_id,
            seq=seq + 2,
            action="verify",
            from_level="grid",
            from_unit_id=grid,
            to_level="grid",
            to_unit_id=grid,
            at=closed - dt.timedelta(minutes=5),
            actor_worker_id=reporter,
            actor=None,
        )
    )
    rows.append(
        dict(
            event_id=event_id,
            seq=seq + 3,
            action="close",
            from_level="grid",
            from_unit_id=grid,
            to_level="grid",
            to_unit_id=grid,
            at=closed,
            actor_worker_id=reporter,
            actor=None,
        )
    )
    return rows


def build_fixture(url: str) -> None:
    """Create the schema at `url` (dropping what was there) and fill it with the fixture county."""
    engine = create_store_engine(url, writable=True)
    schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    event_rows, step_rows = [], []
    for eid, town, village, grid, mg, cat, item, urgency, reported, closed, filing, rej, sat, reporter in EVENTS:
        deadline = reported + dt.timedelta(hours=DEADLINE_HOURS[urgency])
        status = "filed" if filing else ("closed" if closed else "handling")
        event_rows.append(
            dict(
                id=eid,
                code=f"E{eid}",
                category_code=cat,
                item_type_code=item,
                source="patrol",
                urgency=urgency,
                description=f"<b>示例</b> 事件{eid}",
                micro_grid_id=mg,
                grid_id=grid,
                village_id=village,
                town_id=town,
                lon=121.01 + 0.1 * (town - 2) + 0.001 * eid,
                lat=29.01 + 0.05 * ((grid + 1) % 2),
                reported_at=reported,
                report_date=reported.date(),
                reported_by=reporter,
                deadline=deadline,
                status=status,
                handled_level=None if filing else "grid",
                department_id=None,
                filing_only=filing,
                quality_grade="qualified" if closed else None,
                satisfaction=sat,
                completed_at=closed - dt.timedelta(minutes=30) if closed else None,
                closed_at=closed,
                close_date=closed.date() if closed else None,
                escalations=0,
                returns=0,
                rejections=rej,
            )
        )
        step_rows.extend(_steps(eid, mg, grid, reporter, reported, closed, filing, rej))
    worker_rows = [
        dict(
            zip(
                (
                    "id",
                    "name",
                    "gender",
                    "birth_date",
                    "education",
                    "employment_type",
                    "role",
                    "town_id",
                    "village_id",
                    "grid_id",
                    "micro_grid_id",
                    "department_id",
                    "hired_on",
                    "left_on",
                    "phone",
                ),
                w,
            ),
            code=f"W{w[0]:03d}",
        )
        for w in WORKERS
    ]
    grid_of = {w[0]: (w[9], w[7]) for w in WORKERS}
    checkin_rows = [
        dict(
            worker_id=w,
            grid_id=grid_of[w][0],
            town_id=grid_of[w][1],
            at=at,
            checkin_date=at.date(),
            lon=121.05,
            lat=29.02,
        )
        for w, at in CHECKINS
    ]
    with engine.begin() as conn:
        conn.execute(schema.admin_units.insert(), ADMIN)
        conn.execute(schema.grids.insert(), GRIDS)
        conn.execute(schema.micro_grids.insert(), _micro_grids())
        conn.execute(schema.event_categories.insert(), CATEGORIES)
        conn.execute(schema.event_item_types.insert(), ITEM_TYPES)
        conn.execute(schema.departments.insert(), DEPARTMENTS)
        conn.execute(schema.workers.insert(), worker_rows)
        conn.execute(schema.events.insert(), event_rows)
        conn.execute(schema.event_steps.insert(), step_rows)
        conn.execute(schema.patrol_checkins.insert(), checkin_rows)
        conn.execute(
            schema.store_meta.insert(),
            [{"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}, {"key": "profile", "value": "fixture"}],
        )
        seed_default_rules(conn)
        rollups.rebuild(conn)
    seed_demo_users(engine)  # duty, leader, planner, admin; `town` is 东城街道 (the first town)
    engine.dispose()
