"""The shape of the hierarchy a store holds: which levels it has and what they are called.

The store's `unit_levels` table has one row per level present, top first. The level keys are the
columns events and units carry (county, town, village, grid, micro_grid); only their names and
the set present differ between counties:
- T county (the default): 县 → 镇街 → 村社 → 网格 → 微网格;
- H district: 区 → 镇街 → 管区 → 网格 (no micro-grids; see README "H district").
A store without the table (built before it) or with no rows in it has T county's levels — less
the micro-grid level when it holds no micro-grid — so older stores keep working. Importers write
the rows (`ensure`, then `add_level` for each level they bring units for). Pages, filters, breadcrumbs and
exports ask here for level names and never spell them out themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection, Engine

from .schema import unit_levels

KEYS = ("county", "town", "village", "grid", "micro_grid")
# The two levels every store has: a hierarchy is at least a county of grids.
ESSENTIAL = ("county", "grid")


@dataclass(frozen=True)
class Level:
    key: str
    name: str  # Chinese
    name_en: str  # singular
    plural_en: str


@dataclass(frozen=True)
class Levels:
    """The levels of one store, top first. Hashable (a cached query may take it)."""

    levels: tuple[Level, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(lv.key for lv in self.levels)

    def has(self, key: str) -> bool:
        return key in self.keys

    @property
    def has_micro_grids(self) -> bool:
        return self.has("micro_grid")

    def get(self, key: str) -> Level:
        for lv in self.levels:
            if lv.key == key:
                return lv
        raise KeyError(f"this store has no {key!r} level")

    def name(self, key: str, lang: str = "zh", plural: bool = False) -> str:
        """The level's name in `lang` (zh | en); English plural on request."""
        lv = self.get(key)
        if lang == "zh":
            return lv.name
        return lv.plural_en if plural else lv.name_en

    def child(self, key: str) -> str | None:
        """The next level down in this store, or None at the bottom."""
        keys = self.keys
        i = keys.index(key)
        return keys[i + 1] if i + 1 < len(keys) else None


DEFAULT_LEVELS = Levels(
    (
        Level("county", "县", "county", "counties"),
        Level("town", "镇街", "town / street", "towns and streets"),
        Level("village", "村社", "village / community", "villages and communities"),
        Level("grid", "网格", "grid", "grids"),
        Level("micro_grid", "微网格", "micro-grid", "micro-grids"),
    )
)


def validate(levels: Levels) -> Levels:
    """Refuse a set of levels the data model cannot hold: unknown keys, wrong order, a gap."""
    keys = levels.keys
    unknown = [k for k in keys if k not in KEYS]
    if unknown:
        raise ValueError(f"unknown level(s) {', '.join(unknown)}; levels are {', '.join(KEYS)}")
    if list(keys) != [k for k in KEYS if k in keys]:
        raise ValueError(f"levels must run top down as {' → '.join(KEYS)}")
    for k in ESSENTIAL:
        if k not in keys:
            raise ValueError(f"a hierarchy needs the {k!r} level")
    if len(set(keys)) != len(keys):
        raise ValueError("a level appears twice")
    return levels


def rows(levels: Levels) -> list[dict]:
    """`unit_levels` rows for `levels`."""
    validate(levels)
    return [
        {"level": lv.key, "sort_order": i + 1, "name": lv.name, "name_en": lv.name_en, "plural_en": lv.plural_en}
        for i, lv in enumerate(levels.levels)
    ]


def write(conn: Connection, levels: Levels) -> None:
    """Store `levels` as the store's shape (replacing what was there)."""
    unit_levels.create(conn, checkfirst=True)
    conn.execute(unit_levels.delete())
    conn.execute(unit_levels.insert(), rows(levels))


def ensure(conn: Connection) -> None:
    """Write the store's levels where it has none yet (an import into a fresh store): T county's,
    less the micro-grid level while it holds no micro-grid."""
    unit_levels.create(conn, checkfirst=True)
    if conn.execute(select(unit_levels.c.level).limit(1)).first() is None:
        conn.execute(unit_levels.insert(), rows(_derived(conn)))


def add_level(conn: Connection, key: str) -> None:
    """Make sure `key` is one of the store's levels (an import just wrote units of it), named
    as in T county if the store had no name for it."""
    ensure(conn)
    have = read(conn)
    if have.has(key):
        return
    present = set(have.keys) | {key}
    merged = [have.get(k) if have.has(k) else DEFAULT_LEVELS.get(k) for k in KEYS if k in present]
    write(conn, Levels(tuple(merged)))


def _derived(conn: Connection) -> Levels:
    from .schema import micro_grids

    if inspect(conn).has_table(micro_grids.name) and conn.execute(select(micro_grids.c.id).limit(1)).first():
        return DEFAULT_LEVELS
    return Levels(tuple(lv for lv in DEFAULT_LEVELS.levels if lv.key != "micro_grid"))


def read(conn: Connection) -> Levels:
    if not inspect(conn).has_table(unit_levels.name):
        return _derived(conn)
    got = conn.execute(
        select(unit_levels.c.level, unit_levels.c.name, unit_levels.c.name_en, unit_levels.c.plural_en).order_by(
            unit_levels.c.sort_order
        )
    ).all()
    if not got:
        return _derived(conn)
    return validate(Levels(tuple(Level(*r) for r in got)))


def store_levels(engine: Engine) -> Levels:
    """The levels of the store behind `engine` (derived from T county's when it records none)."""
    with engine.connect() as conn:
        return read(conn)


# --- level names inside texts ------------------------------------------------------------------
# Catalogue texts (ui/labels, metric definitions) name levels by placeholder: {lv_village} is the
# store's name of the village level (管区 in H district, 村社 in T county; English singular),
# {lv_village_pl} its plural (English; the same word in Chinese), {Lv_...} capitalised. A
# placeholder may carry T county's own wording, {lv_village|community}: a store whose level is
# named as in T county reads exactly that, any other store its own name. A level the store lacks
# keeps T county's name, so a text about it still reads.

_PLACEHOLDER = re.compile(r"\{([Ll])v_(county|town|village|grid|micro_grid)(_pl)?(?:\|([^{}|]*))?\}")


def fill(text: str, levels: Levels, lang: str = "zh") -> str:
    """`text` with every level placeholder replaced by this store's level name."""
    if "v_" not in text:
        return text

    def name(m: re.Match) -> str:
        key, plural, wording = m.group(2), bool(m.group(3)), m.group(4)
        if not levels.has(key) or levels.get(key) == DEFAULT_LEVELS.get(key):
            if wording is not None:
                return wording
            source = DEFAULT_LEVELS
        else:
            source = levels
        word = source.name(key, lang, plural=plural)
        return word[:1].upper() + word[1:] if m.group(1) == "L" else word

    return _PLACEHOLDER.sub(name, text)
