"""The suite's own scheduling (tests/conftest.py): the slowest files are collected first, so the
two pytest-xdist workers (`--dist loadfile`) start them at once and finish together."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from tests import conftest

TESTS = Path(__file__).resolve().parent


def test_every_listed_slow_file_exists_once():
    """A renamed or deleted file would silently drop out of the order and be scheduled last."""
    names = conftest.SLOW_FILES_FIRST
    assert names, "no slow files listed: xdist's workers would start the slow files last"
    assert len(set(names)) == len(names), "a file is listed twice"
    missing = [name for name in names if not (TESTS / name).is_file()]
    assert missing == [], f"listed in SLOW_FILES_FIRST but not in tests/: {missing}"


def test_slow_files_go_first_and_each_file_keeps_its_order():
    first, second = conftest.SLOW_FILES_FIRST[:2]

    def item(file: str, name: str):
        return SimpleNamespace(path=TESTS / file, name=name)

    items = [
        item("test_aaa.py", "a1"),
        item(second, "s1"),
        item("test_aaa.py", "a2"),
        item(first, "f1"),
        item(second, "s2"),
        item(first, "f2"),
        item("test_zzz.py", "z1"),
    ]
    conftest.slow_files_first(items)
    assert [i.name for i in items] == ["f1", "f2", "s1", "s2", "a1", "a2", "z1"]


def test_xdist_keeps_the_collection_order(pytestconfig):
    """xdist's loadfile scheduler re-sorts files by test count unless told not to (conftest)."""
    if hasattr(pytestconfig.option, "loadscopereorder"):
        assert pytestconfig.option.loadscopereorder is False
