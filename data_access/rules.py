"""Assessment rules: stored as data in `assessment_rules`, seeded from a TOML file."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from .schema import assessment_rules

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "sample_data" / "assessment_rules.toml"


def default_rule_rows(path: Path = DEFAULT_RULES_FILE) -> list[dict]:
    """The rules of a TOML file as rows (copies: a caller may change them)."""
    stat = path.stat()
    return [dict(row) for row in _parsed_rules(str(path), stat.st_mtime_ns, stat.st_size)]


@functools.lru_cache(maxsize=8)
def _parsed_rules(path: str, _mtime_ns: int, _size: int) -> tuple[dict, ...]:
    # Parsed once per file version: pages ask for the shipped defaults many times per render.
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for ruleset, rules in data.items():
        for key, rule in rules.items():
            rows.append(
                {
                    "ruleset": ruleset,
                    "key": key,
                    "value": float(rule["value"]),
                    "unit": rule.get("unit", ""),
                    "description": rule["zh"],
                    "description_en": rule["en"],
                }
            )
    return tuple(rows)


def seed_default_rules(conn: Connection, path: Path = DEFAULT_RULES_FILE) -> int:
    rows = default_rule_rows(path)
    conn.execute(assessment_rules.delete())
    conn.execute(assessment_rules.insert(), rows)
    return len(rows)


def load_rules(engine: Engine, ruleset: str) -> dict[str, float]:
    """{key: value} for one ruleset, with the `common` rules underneath it."""
    query = select(assessment_rules.c.ruleset, assessment_rules.c.key, assessment_rules.c.value).where(
        assessment_rules.c.ruleset.in_(["common", ruleset])
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    merged = {k: v for rs, k, v in rows if rs == "common"}
    merged.update({k: v for rs, k, v in rows if rs == ruleset})
    return merged
