"""data_access.levels: the store's levels and their names, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from data_access import levels, schema
from data_access.levels import DEFAULT_LEVELS, Level, Levels
from sample_data.hdistrict import LEVELS as H_LEVELS


def test_fill_names_levels_as_the_store_does():
    text = "上报至{lv_village}或以上;{lv_town}/{lv_village}筛选"
    assert levels.fill(text, DEFAULT_LEVELS) == "上报至村社或以上;镇街/村社筛选"
    assert levels.fill(text, H_LEVELS) == "上报至管区或以上;镇街/管区筛选"
    en = "ranks {lv_village_pl} and {lv_town_pl}; one {lv_village}"
    assert levels.fill(en, H_LEVELS, "en") == "ranks management areas and towns and streets; one management area"
    # A level the store lacks keeps T county's name; other braces are left alone.
    assert levels.fill("{lv_micro_grid} {x}", H_LEVELS) == "微网格 {x}"
    assert levels.fill("{Lv_village_pl}", H_LEVELS, "en") == "Management areas"
    # T county's own wording where the store names the level as T county does.
    worded = "the {lv_town|town} / {lv_village|community} filter"
    assert levels.fill(worded, DEFAULT_LEVELS, "en") == "the town / community filter"
    assert levels.fill(worded, H_LEVELS, "en") == "the town / management area filter"


def test_validate_refuses_shapes_the_model_cannot_hold():
    grid, county = DEFAULT_LEVELS.get("grid"), DEFAULT_LEVELS.get("county")
    with pytest.raises(ValueError, match="top down"):
        levels.validate(Levels((grid, county)))
    with pytest.raises(ValueError, match="needs"):
        levels.validate(Levels((county,)))
    with pytest.raises(ValueError, match="unknown"):
        levels.validate(Levels((county, Level("hamlet", "组", "hamlet", "hamlets"), grid)))


def test_child_follows_the_store():
    assert DEFAULT_LEVELS.child("grid") == "micro_grid"
    assert H_LEVELS.child("grid") is None and H_LEVELS.child("town") == "village"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'l.db'}"
    else:
        from tests.conftest import fresh_pg_database

        url = fresh_pg_database("levels")
    eng = create_engine(url)
    schema.metadata.create_all(eng, tables=list(schema.REQUIRED_TABLES))  # as a store built before the table
    yield eng
    schema.metadata.drop_all(eng)
    eng.dispose()


def test_stores_without_the_table_and_imports(empty_store):
    # Built before unit_levels, no micro-grids: T county's names, no micro-grid level.
    assert levels.store_levels(empty_store).keys == ("county", "town", "village", "grid")
    with empty_store.begin() as conn:
        levels.ensure(conn)  # an import writes them
        levels.add_level(conn, "micro_grid")  # then micro-grid boundaries arrive
    got = levels.store_levels(empty_store)
    assert got == DEFAULT_LEVELS
    with empty_store.begin() as conn:
        levels.write(conn, H_LEVELS)
        levels.ensure(conn)  # rows exist: left alone
        levels.add_level(conn, "town")
    assert levels.store_levels(empty_store) == H_LEVELS
