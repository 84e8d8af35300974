"""The README keeps up with the code: metric table and every setting the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from data_access.metrics import METRICS, markdown_table

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_metric_table_matches_code():
    block = README.split("<!-- metrics:start -->")[1].split("<!-- metrics:end -->")[0].strip()
    assert block == markdown_table(), "README metric table is stale: regenerate it from data_access.metrics"


def test_every_metric_is_fully_defined():
    for m in METRICS.values():
        assert m.name_zh and m.name_en and m.definition_zh and m.definition_en, m.key
        assert m.definition_en.endswith("."), f"{m.key}: one full sentence"


def test_every_setting_the_code_reads_is_documented():
    read = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
    named = re.compile(r"""["'](GRID(?:SIGHT)?_[A-Z0-9_]+)["']""")  # also names kept in constants
    names = set()
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names |= set(read.findall(text)) | set(named.findall(text))
    assert names, "the scan found no settings at all: the pattern is broken"
    undocumented = sorted(n for n in names if f"`{n}`" not in README)
    assert not undocumented, f"settings missing from the README's Settings table: {undocumented}"


def test_two_commands_match_ci():
    commands = re.findall(r"```bash\n(pip install[^\n]+)\n```", README)
    assert len(commands) >= 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, "the README's test command must be what .ci/run runs"


def test_mapping_reference_matches_code():
    from data_access.ingest.mapping import FIELD_HELP, FIELDS, reference_markdown

    assert set(FIELD_HELP) == set(FIELDS), "every [fields] key needs a FIELD_HELP line"
    block = README.split("<!-- mapping:start -->")[1].split("<!-- mapping:end -->")[0].strip()
    assert block == reference_markdown(), "README mapping reference is stale: regenerate it from ingest.mapping"
