"""Writing the static tables (places, people, catalogue) and the county's own rule values."""

import numpy as np
import shapely

from data_access import schema
from sample_data import hdistrict
from sample_data.bulk import BulkWriter
from sample_data.generate.events import EventFactory
from sample_data.generate.planting import Plan
from sample_data.generate.world import World


def _poly_columns(geoms, proj) -> dict:
    bounds = shapely.bounds(geoms)
    cent = shapely.get_coordinates(shapely.centroid(geoms))
    return {
        "boundary_wkt": shapely.to_wkt(geoms, rounding_precision=6, trim=True).tolist(),
        "centroid_lon": np.round(cent[:, 0], 6),
        "centroid_lat": np.round(cent[:, 1], 6),
        "min_lon": bounds[:, 0],
        "min_lat": bounds[:, 1],
        "max_lon": bounds[:, 2],
        "max_lat": bounds[:, 3],
        "area_km2": np.round(proj.area_km2(geoms), 6),
    }


def _write_static(writer: BulkWriter, world: World, factory: EventFactory) -> None:
    til = world.tiling
    proj = til.projection
    n_t, n_v = len(til.towns), len(til.villages)
    admin_geoms = np.concatenate([[til.county], til.towns, til.villages])
    vil_counter: dict[int, int] = {}
    codes, names, kinds, levels, parents = ["C01"], [world.shape.county_name], ["county"], ["county"], [None]
    for t in range(n_t):
        codes.append(f"T{t + 1:02d}")
        names.append(world.town_names[t])
        kinds.append("street" if world.town_is_street[t] else "town")
        levels.append("town")
        parents.append(1)
    for v in range(n_v):
        t = int(til.village_town[v])
        vil_counter[t] = vil_counter.get(t, 0) + 1
        codes.append(f"T{t + 1:02d}V{vil_counter[t]:02d}")
        names.append(world.village_names[v])
        kinds.append(world.shape.village_kind(bool(world.town_is_street[t])))
        levels.append("village")
        parents.append(world.town_id(t))
    writer.insert(
        schema.admin_units,
        {
            "id": list(range(1, len(codes) + 1)),
            "level": levels,
            "kind": kinds,
            "parent_id": parents,
            "code": codes,
            "name": names,
            **_poly_columns(admin_geoms, proj),
        },
    )
    vcode = codes[1 + n_t :]
    grid_codes, counters = [], {}
    for v in til.grid_village.tolist():
        counters[v] = counters.get(v, 0) + 1
        grid_codes.append(f"{vcode[v]}G{counters[v]:02d}")
    hh = np.bincount(til.micro_grid, weights=world.micro_households).astype(int)
    res = np.bincount(til.micro_grid, weights=world.micro_residents).astype(int)
    gv = til.grid_village
    writer.insert(
        schema.grids,
        {
            "id": list(range(1, len(gv) + 1)),
            "code": grid_codes,
            "name": world.grid_names,
            "village_id": [world.village_id(v) for v in gv.tolist()],
            "town_id": [world.town_id(int(til.village_town[v])) for v in gv.tolist()],
            "households": hh,
            "residents": res,
            **_poly_columns(til.grids, proj),
        },
    )
    if world.shape.micro_grids:
        _write_micro_grids(writer, world, factory, grid_codes)
    _write_people_and_catalogue(writer, world, factory)


def _write_micro_grids(writer: BulkWriter, world: World, factory: EventFactory, grid_codes: list[str]) -> None:
    til = world.tiling
    proj = til.projection
    m_codes, m_names, counters = [], [], {}
    for g in til.micro_grid.tolist():
        counters[g] = counters.get(g, 0) + 1
        m_codes.append(f"{grid_codes[g]}M{counters[g]}")
        m_names.append(f"{world.grid_names[g]}微网格{counters[g]}")
    writer.insert(
        schema.micro_grids,
        {
            "id": list(range(1, len(til.micro) + 1)),
            "code": m_codes,
            "name": m_names,
            "grid_id": (til.micro_grid + 1),
            "village_id": [world.village_id(v) for v in factory.micro_village.tolist()],
            "town_id": [world.town_id(t) for t in factory.micro_town.tolist()],
            "households": world.micro_households,
            "residents": world.micro_residents,
            **_poly_columns(til.micro, proj),
        },
    )


def _write_people_and_catalogue(writer: BulkWriter, world: World, factory: EventFactory) -> None:
    dep_cols = ("id", "code", "name", "name_en", "level", "town_id", "line_of_business")
    writer.insert(schema.departments, {c: [d[c] for d in world.departments] for c in dep_cols})
    rows = world.workers["rows"]
    writer.insert(
        schema.workers,
        {
            "id": [r["id"] for r in rows],
            "code": [r["code"] for r in rows],
            "name": [r["name"] for r in rows],
            "gender": ["M" if r["male"] else "F" for r in rows],
            "birth_date": np.array([r["birth"] for r in rows], dtype="datetime64[D]"),
            "education": [r["education"] for r in rows],
            "employment_type": [r["employment_type"] for r in rows],
            "role": [r["role"] for r in rows],
            "town_id": [world.town_id(r["town"]) for r in rows],
            "village_id": [world.village_id(r["village"]) for r in rows],
            "grid_id": [r["grid"] + 1 for r in rows],
            "micro_grid_id": [None if r["micro"] is None else r["micro"] + 1 for r in rows],
            "department_id": [r["dept"] for r in rows],
            "hired_on": np.array([r["hired"] for r in rows], dtype="datetime64[D]"),
            "left_on": np.array([r["left"] if r["left"] else "NaT" for r in rows], dtype="datetime64[D]"),
            "phone": [r["phone"] for r in rows],
        },
    )
    writer.insert(
        schema.event_categories,
        {
            "code": [c[0] for c in world.shape.categories],
            "name": [c[1] for c in world.shape.categories],
            "name_en": [c[2] for c in world.shape.categories],
            "sort_order": list(range(1, len(world.shape.categories) + 1)),
        },
    )
    items = factory.items
    writer.insert(
        schema.event_item_types,
        {
            "code": [i["code"] for i in items],
            "category_code": [i["category"] for i in items],
            "name": [i["name"] for i in items],
            "name_en": [i["name_en"] for i in items],
            "trivial": [i["trivial"] for i in items],
            "default_urgency": [i["urgency"] for i in items],
        },
    )


def _own_rules(conn, world: World, plan: Plan) -> None:
    """Rule values that belong to this county: the as-practised quota set from its own volume
    (docs/INTEGRITY.md "A coherent quota"; H district's own ruleset keeps its published 30), and
    H district's one street that asks for 40."""
    r = schema.assessment_rules.c
    for key, value in (("quota_events_per_worker", plan.quota), ("street_quota_bonus", plan.street_bonus)):
        conn.execute(
            schema.assessment_rules.update().where(r.ruleset == "as_practised", r.key == key).values(value=float(value))
        )
    if world.shape is hdistrict.H_DISTRICT:
        street = world.town_id(hdistrict.QUOTA_STREET)  # towns 0..n_streets-1 are the streets
        conn.execute(
            schema.assessment_rules.update()
            .where(r.ruleset == "hdistrict", r.key == "street_quota_bonus_town_id")
            .values(value=float(street))
        )
