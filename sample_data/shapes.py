"""What differs between the counties the generator builds: names, catalogue, levels, workforce.

A `Shape` is everything about a county's organisation that is not its size: the names of its
units, its categories and item types, the levels its hierarchy has (and what they are called),
how its grids are staffed and which assessment ruleset ranks its workers. `T_COUNTY` is the
shape of T county (sample_data.catalogue); `sample_data.hdistrict.H_DISTRICT` is H district's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from data_access.levels import DEFAULT_LEVELS, Levels
from sample_data import catalogue as cat


def _t_county_village_name(rnd: random.Random, community: bool, used: set[str]) -> str:
    while True:
        if community:
            a, b = rnd.sample(cat.COMMUNITY_CHARS, 2)
            name = f"{a}{b}社区"
        else:
            r = rnd.random()
            if r < 0.3:
                base = rnd.choice(cat.PLACE_SURNAMES) + "家" + rnd.choice(cat.VILLAGE_LANDFORM)
            elif r < 0.6:
                base = rnd.choice(cat.VILLAGE_FIRST) + rnd.choice(cat.VILLAGE_LANDFORM)
            else:
                base = rnd.choice(cat.VILLAGE_AUSPICIOUS) + rnd.choice(cat.VILLAGE_LANDFORM)
            name = base + ("" if base.endswith("村") else "村")
        if name not in used:
            used.add(name)
            return name


@dataclass(frozen=True, eq=False)
class Shape:
    county_name: str
    street_names: tuple[str, ...]
    town_names: tuple[str, ...]
    # (rnd, in a street?, names used so far) -> a new unique name for a unit of the village level
    village_name: Callable[[random.Random, bool, set[str]], str]
    # admin_units.kind of a village-level unit, in a street and in a town
    village_kinds: tuple[str, str]
    categories: tuple  # as catalogue.CATEGORIES
    items: dict  # as catalogue.ITEMS
    item_code_digits: int
    hotline_category_shares: dict
    camera_items: dict
    county_departments: tuple  # as catalogue.COUNTY_DEPARTMENTS
    professional_departments: tuple  # (department key, grids one professional worker covers)
    levels: Levels
    ruleset: str  # the assessment ruleset the store ranks by (store_meta "ruleset")
    # True: every grid has exactly one full-time worker and a grid head, no other part-time
    # staff and no coverage gaps (H district's "one grid, one worker"). False: T county's 1+3+N.
    one_worker_per_grid: bool = False
    # Categories whose trivial items padding and re-entries use (None: every category).
    padding_categories: tuple[str, ...] | None = None

    @property
    def micro_grids(self) -> bool:
        return self.levels.has_micro_grids

    def village_kind(self, in_street: bool) -> str:
        return self.village_kinds[0] if in_street else self.village_kinds[1]


T_COUNTY = Shape(
    county_name=cat.COUNTY_NAME,
    street_names=tuple(cat.STREET_NAMES),
    town_names=tuple(cat.TOWN_NAMES),
    village_name=_t_county_village_name,
    village_kinds=("community", "village"),
    categories=tuple(cat.CATEGORIES),
    items=cat.ITEMS,
    item_code_digits=2,
    hotline_category_shares=cat.HOTLINE_CATEGORY_SHARES,
    camera_items=cat.CAMERA_ITEMS,
    county_departments=tuple(cat.COUNTY_DEPARTMENTS),
    professional_departments=tuple(cat.PROFESSIONAL_DEPARTMENTS),
    levels=DEFAULT_LEVELS,
    ruleset="as_practised",
)
