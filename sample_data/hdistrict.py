"""H district (Qingdao, as in DOMAIN.md): the second county shape of the sample generator.

    python -m sample_data.generate --profile hdistrict --seed 7

District → town/street (镇街) → management area (管区) → grid (网格); no micro-grids.
- 1,309 grids, 1,309 full-time workers ("one grid, one worker": every grid has exactly one,
  no gaps, no second worker), 1,309 grid heads, and professional workers sent by the district
  police, law-enforcement and justice bureaus, one covering 12 grids.
- 183 management areas, placed at the level between town and grid. Why there and not as the
  community level itself: a 管区 is the town's own office for a cluster of communities (街道 →
  管区 → 社区), and the published H district grid team is headed by "the community party
  secretary" — so communities and grids coincide closely (1,309 grids), while the 183 管区 sit
  above them, about 7 grids each. The store's middle level (`village`) therefore holds the
  管区, named 管区 through `unit_levels`; a community is not a separate level.
- 13 categories with the published names (public security & law, city management, safety
  supervision, urban construction, science/education/culture/health, economic management,
  beyond-scope, and six more of T county's catalogue), each T county item split into six
  item types by where it happens (1,020 item types, "about 1,000").
- Volumes of the published order: one street reported 14,978 events over Nov 2018 – Dec 2020
  (26 months, ~576 a month); 22 towns/streets at that rate give ~12,700 events a month.
  City management and public security are > 90% of closed events; ~96.7% of graded closed
  events are judged qualified or better.
- Ranked by the `hdistrict` ruleset (assessment_rules.toml): 30 events a month, 40 in one
  street; bottom 2 or ≤ 59 lose pay, top 2 double, two months ≤ 59 → dismissal.
"""

from __future__ import annotations

import random

from data_access.levels import Level, Levels
from sample_data import catalogue as cat
from sample_data.geometry import TilingSpec
from sample_data.shapes import Shape

N_GRIDS = 1309
N_MANAGEMENT_AREAS = 183
N_TOWNS, N_STREETS = 22, 12
PROFESSIONAL_COVERS = 12
# Published: one street, 14,978 events over Nov 2018 – Dec 2020 (26 months).
STREET_EVENTS, STREET_MONTHS = 14_978, 26
QUOTA_STREET = 0  # index of the street whose quota is 40 (the one that adds +10)

LEVELS = Levels(
    (
        Level("county", "区", "district", "districts"),
        Level("town", "镇街", "town / street", "towns and streets"),
        Level("village", "管区", "management area", "management areas"),
        Level("grid", "网格", "grid", "grids"),
    )
)

STREET_NAMES = (
    "珠海街道",
    "长兴路街道",
    "海港街道",
    "辛庄街道",
    "岛前街道",
    "灵山街道",
    "红崖街道",
    "隐山街道",
    "滨湾街道",
    "王岭街道",
    "开元街道",
    "新湾街道",
)
TOWN_NAMES = ("泊湾镇", "大坪镇", "大集镇", "六里镇", "海青镇", "宝泉镇", "藏马镇", "张楼镇", "琅山镇", "铁岭镇")

DOMINANT = ("city_mgmt", "public_safety")
# Category shares of grid reports: city management and public security dominate (> 90%).
GRID_SHARES = {
    "public_safety": 31.0,
    "city_mgmt": 62.0,
    "work_safety": 1.5,
    "construction": 1.2,
    "edu_health": 0.6,
    "economy": 0.6,
    "environment": 0.8,
    "social_affairs": 0.7,
    "disputes": 0.8,
    "agriculture": 0.3,
    "transport": 0.3,
    "petitions": 0.1,
    "beyond_scope": 0.1,
}
HOTLINE_SHARES = {
    "public_safety": 30.0,
    "city_mgmt": 58.0,
    "work_safety": 1.0,
    "construction": 2.5,
    "edu_health": 1.0,
    "economy": 1.5,
    "environment": 1.5,
    "social_affairs": 1.5,
    "disputes": 1.5,
    "agriculture": 0.3,
    "transport": 0.7,
    "petitions": 0.2,
    "beyond_scope": 0.3,
}
# Each T county item becomes six item types by where it happens (the first keeps the plain name,
# which the camera list refers to). Weights split the item's weight.
PLACES = (
    ("", "", 0.40),
    ("(居民小区)", " (residential compound)", 0.20),
    ("(沿街商铺)", " (street-front shops)", 0.15),
    ("(农村地区)", " (rural area)", 0.12),
    ("(学校周边)", " (near a school)", 0.06),
    ("(工地及周边)", " (building site)", 0.07),
)


def _items() -> dict:
    out = {}
    for code, items in cat.ITEMS.items():
        out[code] = [
            (name + zh, name_en + en, trivial, urg, hard, key, w * share)
            for name, name_en, trivial, urg, hard, key, w in items
            for zh, en, share in PLACES
        ]
    return out


def _management_area_name(rnd: random.Random, in_street: bool, used: set[str]) -> str:
    while True:
        if in_street:
            base = "".join(rnd.sample(cat.COMMUNITY_CHARS, 2))
        else:
            pool = cat.VILLAGE_FIRST if rnd.random() < 0.5 else cat.VILLAGE_AUSPICIOUS
            base = rnd.choice(pool) + rnd.choice(cat.VILLAGE_LANDFORM)
        name = f"{base}管区"
        if name not in used:
            used.add(name)
            return name


H_DISTRICT = Shape(
    county_name="海川区",
    street_names=STREET_NAMES,
    town_names=TOWN_NAMES,
    village_name=_management_area_name,
    village_kinds=("management_area", "management_area"),
    categories=tuple((c, n, e, GRID_SHARES[c], u, r) for c, n, e, _, u, r in cat.CATEGORIES),
    items=_items(),
    item_code_digits=3,
    hotline_category_shares=HOTLINE_SHARES,
    camera_items={
        name: w for name, w in cat.CAMERA_ITEMS.items() if any(it[0] == name for c in DOMINANT for it in cat.ITEMS[c])
    },
    county_departments=tuple(
        (key, name.replace("县", "区"), name_en.replace("County", "District"), line)
        for key, name, name_en, line in cat.COUNTY_DEPARTMENTS
    ),
    professional_departments=(
        ("police", PROFESSIONAL_COVERS),
        ("enforcement", PROFESSIONAL_COVERS),
        ("justice", PROFESSIONAL_COVERS),
    ),
    levels=LEVELS,
    ruleset="hdistrict",
    one_worker_per_grid=True,
    # The quota is padded with what the worker sees most: street and order items.
    padding_categories=DOMINANT,
)

TILING = TilingSpec(
    n_towns=N_TOWNS,
    n_streets=N_STREETS,
    n_villages=N_MANAGEMENT_AREAS,
    # Grids are unions of Voronoi cells; three cells a grid give them irregular shapes. The cells
    # are never written: the district has no micro-grids.
    n_grids=N_GRIDS,
    n_micro=3 * N_GRIDS,
    area_km2=2096.0,
    lon0=120.05,
    lat0=35.87,
    half_width_km=32.0,
    half_height_km=21.0,
    core_offset_km=(6.0, -4.0),
    core_sigma_km=5.0,
    core_peak=8.0,
)
N_PROFESSIONAL = len(H_DISTRICT.professional_departments) * -(-N_GRIDS // PROFESSIONAL_COVERS)
ACTIVE_WORKERS = 2 * N_GRIDS + N_PROFESSIONAL  # full-time + grid heads + professional workers
EVENTS_PER_MONTH = round(STREET_EVENTS / STREET_MONTHS * N_TOWNS)
