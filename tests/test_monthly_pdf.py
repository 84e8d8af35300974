"""The PDF monthly report (ui/monthly_pdf.py): made from the rankings page's download button and
by its command line, read back with pdftotext (the page's top 10 in the page's order, the Chinese
town names, one language at a time), rendered with pdftoppm, the same on SQLite and PostgreSQL,
and clear refusals (bad month, unknown town, no CJK font) without a traceback."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from data_access import rankings, units
from tests.conftest import login, point_app_at, require, tiny_pg_database, tiny_sqlite_copy

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
END_ISO = "2026-11-22T10:00:00+08:00"
MONTH = dt.date(2026, 10, 1)
SEED = 7


@pytest.fixture(scope="module")
def tiny_sqlite(tmp_path_factory) -> str:
    return tiny_sqlite_copy(tmp_path_factory.mktemp("pdf") / "tiny.db", SEED)


@pytest.fixture(scope="module")
def tiny_pg() -> str:
    return tiny_pg_database("monthly_pdf", SEED)


def poppler() -> None:
    require(bool(shutil.which("pdftotext") and shutil.which("pdftoppm")), "poppler-utils (pdftotext) missing")


def pdf_text(path: Path, layout: bool = True) -> str:
    args = ["pdftotext", "-layout", str(path), "-"] if layout else ["pdftotext", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def ranking_names(text: str, section: str) -> list[str]:
    """The names in the ranking table, in print order (rows read as: rank, change, name, ...)."""
    body = text.split(section, 1)[1].split("\f")[0]
    names = []
    for line in body.splitlines():
        m = re.match(r"^\s*(\d+)\s+([+\-−]?\d+|—|0)\s+(\S+)", line)
        if m:
            names.append(m.group(3))
    return names


def run_cli(url: str, out: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "GRID_NOW": END_ISO, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "ui.monthly_pdf", "--db", url, "--out", str(out), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def test_page_download_is_a_pdf_with_the_page_top_10(monkeypatch, tiny_sqlite, tmp_path):
    poppler()
    from streamlit.delta_generator import DeltaGenerator

    captured = {}
    real = DeltaGenerator.download_button

    def capture(self, label, data, *args, **kwargs):
        if kwargs.get("key") == "rankings_pdf_download":
            captured["pdf"] = data() if callable(data) else data  # made on click: make it here
            captured["name"] = kwargs["file_name"]
        return real(self, label, data, *args, **kwargs)

    import streamlit as st

    monkeypatch.setattr(DeltaGenerator, "download_button", capture)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: capture(st._main, *a, **k))
    point_app_at(monkeypatch, tiny_sqlite, END_ISO)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    login(at, "leader")
    at.switch_page("pages/monthly_rankings.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="rankings_ruleset").set_value("reformed").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="rankings_month").value == MONTH

    pdf = captured["pdf"]
    assert pdf[:5] == b"%PDF-" and captured["name"] == "monthly_report_2026-10_reformed_worker.pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fonts or "CID" in fonts, fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:]), f"every font embedded:\n{fonts}"

    text = pdf_text(path)
    table = next(d.value for d in at.dataframe if "网格员" in d.value.columns and "总分" in d.value.columns)
    page_top = list(table["网格员"].head(10))
    printed = ranking_names(text, "二、排名")
    assert printed[:10] == page_top, (printed[:10], page_top)
    # Cover: month, ruleset, scope, as-of; every town of the county by its Chinese name.
    assert "2026-10" in text and "改革规则" in text and "全县" in text and "2026-11-22 10:00" in text
    towns = units.towns(create_engine(tiny_sqlite))
    for name in towns["name"]:
        assert name in text, f"town {name} missing from the PDF"
    for heading in ("一、关键指标", "四、签批后果", "五、履职真实性信号", "六、部门响应", "附录:指标定义与规则"):
        assert heading in text, heading
    # Same KPI as the page's metric tiles.
    metrics = {m.label: m.value for m in at.metric}
    kpi_page = text.split("一、关键指标", 1)[1].split("\f")[0]
    for label in ("参与排名", "扣发绩效", "解聘风险"):
        assert label in kpi_page and metrics[label] in kpi_page, (label, metrics[label])
    # The rules appendix says yes/no and units in words, not "bool" or snake_case keys.
    assert "bool" not in text and "quota_events_per_worker" not in text

    # Rendered to PNG at print resolution: every page has ink on it.
    from PIL import Image, ImageStat

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / "monthly_report"
    for old in ARTIFACTS.glob("monthly_report-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(path), str(prefix)], check=True)
    pngs = sorted(ARTIFACTS.glob("monthly_report-*.png"))
    n_pages = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        ).group(1)
    )
    assert len(pngs) == n_pages >= 6
    for png in pngs:
        with Image.open(png) as im:
            assert im.size[0] == pytest.approx(827, abs=2)  # A4 width at 100 dpi
            assert ImageStat.Stat(im.convert("L")).extrema[0][0] < 60, f"{png.name} is blank"


def test_cli_writes_a_town_report_in_english(tiny_sqlite, tmp_path):
    poppler()
    engine = create_engine(tiny_sqlite)
    towns = units.towns(engine)
    town_id, town_name = int(towns["id"].iloc[0]), towns["name"].iloc[0]
    out = tmp_path / "town.pdf"
    done = run_cli(
        tiny_sqlite, out, "--month", "2026-10", "--ruleset", "as_practised", "--town", str(town_id), "--lang", "en"
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and out.stat().st_size > 10_000
    text = pdf_text(out)
    assert "Grid governance monthly assessment report" in text
    assert f"{town_name} (town id {town_id})" in text
    # One language: no Chinese label of the report (data values such as names are Chinese).
    for zh in ("排名", "考核规则", "关键指标", "签批后果", "附录", "数据截至", "名次变化", "是/否"):
        assert zh not in text, zh
    # Only the town's rows, county-wide ranks.
    from data_access.filters import Filters

    f = Filters(date_from=MONTH, date_to=MONTH, as_of=dt.datetime.fromisoformat(END_ISO), town_id=town_id)
    want = rankings.monthly_scores(engine, f, MONTH, "as_practised", "worker")
    assert set(want["town_name"]) == {town_name}
    printed = ranking_names(text, "2. Ranking")
    assert printed == list(want["name"])[: len(printed)] and len(printed) == min(len(want), 31)


def test_cli_is_the_same_on_postgresql(tiny_sqlite, tiny_pg, tmp_path):
    poppler()
    a, b = tmp_path / "sqlite.pdf", tmp_path / "pg.pdf"
    for url, out in ((tiny_sqlite, a), (tiny_pg, b)):
        done = run_cli(url, out, "--month", "2026-10", "--ruleset", "reformed", "--user", "cron")
        assert done.returncode == 0, done.stderr
    assert pdf_text(a) == pdf_text(b)


def test_cli_refuses_bad_input_with_a_message(tiny_sqlite, tmp_path):
    out = tmp_path / "x.pdf"
    cases = [
        (("--month", "2026-13", "--ruleset", "reformed"), {}, 2, "YYYY-MM"),
        (("--month", "2019-01", "--ruleset", "reformed"), {}, 2, "2019-01"),
        (("--month", "2026-10", "--ruleset", "reformed", "--town", "99999"), {}, 2, "99999"),
        (("--month", "2026-10", "--ruleset", "reformed"), {"GRID_PDF_FONT": "/no/such/font.ttc"}, 3, "GRID_PDF_FONT"),
    ]
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if dejavu.is_file():  # a real font without Chinese glyphs is refused, not used
        cases.append(
            (
                ("--month", "2026-10", "--ruleset", "reformed", "--lang", "en"),
                {"GRID_PDF_FONT": str(dejavu)},
                3,
                "no Chinese glyphs",
            )
        )
    for args, env, code, words in cases:
        done = run_cli(tiny_sqlite, out, *args, env=env)
        assert done.returncode == code, (args, done.returncode, done.stderr)
        assert words in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr and "sqlite:///" not in done.stderr
        assert not out.exists()


def test_font_lookup_prefers_the_simplified_chinese_face(monkeypatch):
    from ui import monthly_pdf

    monkeypatch.delenv("GRID_PDF_FONT", raising=False)
    monthly_pdf._find_cjk_font.cache_clear()
    try:
        font = monthly_pdf.find_cjk_font()
    except monthly_pdf.ReportFontError as exc:
        require(False, f"no CJK font on this machine: {exc}")
    from fontTools.ttLib import TTCollection

    if font.regular.endswith(".ttc"):
        face = TTCollection(font.regular, lazy=True).fonts[font.regular_index]
        assert "SC" in face["name"].getDebugName(1)
    with monthly_pdf.use_lang("zh"):
        monkeypatch.setenv("GRID_PDF_FONT", "/no/such/font.ttc")
        with pytest.raises(monthly_pdf.ReportFontError, match="GRID_PDF_FONT"):
            monthly_pdf.find_cjk_font()
