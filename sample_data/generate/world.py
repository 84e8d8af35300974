"""The world: places, organisation (departments) and people's names."""

import random
from dataclasses import dataclass, field

import numpy as np

from sample_data import catalogue as cat
from sample_data.generate.profiles import Profile, _rngs
from sample_data.geometry import Tiling, build_tiling
from sample_data.shapes import T_COUNTY, Shape


@dataclass
class World:
    tiling: Tiling
    town_names: list[str]
    town_is_street: np.ndarray
    village_names: list[str]
    grid_names: list[str]
    micro_households: np.ndarray
    micro_residents: np.ndarray
    shape: Shape = T_COUNTY
    departments: list[dict] = field(default_factory=list)
    dept_by_key: dict[str, int] = field(default_factory=dict)  # county department id
    town_unit: dict[tuple[int, str], int] = field(default_factory=dict)  # (town, key) -> id
    workers: dict[str, list] = field(default_factory=dict)
    planted: list[tuple[str, str, int, str]] = field(default_factory=list)

    # ids: admin_units = county 1, towns 2.., villages after; other tables index + 1
    def town_id(self, t: int) -> int:
        return 2 + t

    def village_id(self, v: int) -> int:
        return 2 + len(self.town_names) + v


def _build_world(profile: Profile, seed: int) -> World:
    rng, rnd = _rngs(seed, 1)
    tiling = build_tiling(rng, profile.tiling)
    spec = profile.tiling
    shape = profile.shape
    is_street = np.arange(spec.n_towns) < spec.n_streets
    town_names = rnd.sample(list(shape.street_names), spec.n_streets) + rnd.sample(
        list(shape.town_names), spec.n_towns - spec.n_streets
    )
    used: set[str] = set()
    village_names = [shape.village_name(rnd, bool(is_street[t]), used) for t in tiling.village_town.tolist()]
    grid_names, counters = [], {}
    for v in tiling.grid_village.tolist():
        counters[v] = counters.get(v, 0) + 1
        grid_names.append(f"{village_names[v]}第{counters[v]}网格")
    # Households: denser (apartment) micro-grids are bigger; 30..120 per micro-grid.
    dens = tiling.micro_density
    urbanity = np.clip((dens - 1.0) / max(spec.core_peak * 0.5, 1e-9), 0, 1)
    households = np.clip(np.round(rng.normal(45 + 55 * urbanity, 12)), 30, 120).astype(int)
    residents = np.round(households * rng.uniform(2.4, 3.0, len(households))).astype(int)
    world = World(tiling, town_names, is_street, village_names, grid_names, households, residents, shape=shape)
    _build_departments(world)
    return world


def _build_departments(world: World) -> None:
    for key, name, name_en, line in world.shape.county_departments:
        world.departments.append(
            {
                "id": len(world.departments) + 1,
                "code": f"D{len(world.departments) + 1:02d}",
                "name": name,
                "name_en": name_en,
                "level": "county",
                "town_id": None,
                "line_of_business": line,
                "key": key,
            }
        )
        world.dept_by_key[key] = len(world.departments)
    for t, town in enumerate(world.town_names):
        for k, (key, suffix, suffix_en, line) in enumerate(cat.TOWN_UNITS):
            did = len(world.departments) + 1
            world.departments.append(
                {
                    "id": did,
                    "code": f"T{t + 1:02d}D{k + 1}",
                    "name": town + suffix,
                    "name_en": f"{suffix_en}, town {t + 1:02d}",
                    "level": "town",
                    "town_id": world.town_id(t),
                    "line_of_business": line,
                    "key": key,
                }
            )
            world.town_unit[(t, key)] = did


def _person_name(rnd: random.Random, male: bool) -> str:
    pool = cat.GIVEN_MALE if male else cat.GIVEN_FEMALE
    given = rnd.choice(pool) + (rnd.choice(pool) if rnd.random() < 0.8 else "")
    return rnd.choice(cat.SURNAMES) + given
