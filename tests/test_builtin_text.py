"""Streamlit's and Plotly's own texts in the user's language (issue #22): the chart locale every
chart carries (ui.charts.plotly_config through ui.escape.plotly_chart) and the style block that
re-labels the file uploader and the chart's fullscreen button (ui/builtin_text.py). What a
browser draws from them is checked in tests/test_browser_builtin_text.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import login
from ui import builtin_text
from ui.charts import PLOTLY_ZH_CN, plotly_config
from ui.labels import LABELS, use_lang

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
ENGLISH_MONTH = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
CJK = re.compile(r"[\u3400-\u9fff]")


def test_the_chinese_chart_locale_has_no_english_month_or_pattern():
    zh = plotly_config("zh")
    assert zh["locale"] == "zh-CN" and zh["locales"]["zh-CN"] is PLOTLY_ZH_CN
    fmt = PLOTLY_ZH_CN["format"]
    assert len(fmt["months"]) == len(fmt["shortMonths"]) == 12 and len(fmt["days"]) == 7
    for value in [*fmt["months"], *fmt["shortMonths"], *fmt["days"], *fmt["shortDays"]]:
        assert CJK.search(value) and not ENGLISH_MONTH.search(value), value
    # Tick and hover patterns: numbers and Chinese units, no %b / %B (month names).
    for key in ("year", "month", "dayMonth", "dayMonthYear", "dateTime", "date"):
        assert "%b" not in fmt[key] and "%B" not in fmt[key] and "%a" not in fmt[key], key
    assert fmt["dayMonth"] == "%-m月%-d日"
    assert all(CJK.search(v) for v in PLOTLY_ZH_CN["dictionary"].values())
    assert plotly_config("en") == {"locale": "en-US"}


def _chart_configs(at: AppTest) -> list[dict]:
    return [json.loads(node.proto.config or "{}") for node in at.get("plotly_chart")]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_chart_of_a_page_carries_the_locale_of_its_language(app_env, language):
    for path in ("pages/overview.py", "pages/event_flow.py", "pages/monthly_rankings.py"):
        # A fresh session per page (AppTest formats a select's value outside the script run,
        # where the catalogue cannot see the session's language; see tests/test_language.py).
        at = AppTest.from_file(APP, default_timeout=120)
        login(at, "leader")
        if language == "en":
            at.sidebar.toggle(key="lang_en").set_value(True).run()
        at.switch_page(path).run()
        assert not at.exception, [e.message for e in at.exception]
        configs = _chart_configs(at)
        assert configs, (path, [x.value for x in at.title], [x.value[:80] for x in [*at.info, *at.warning, *at.error]])
        for config in configs:
            assert config["locale"] == ("zh-CN" if language == "zh" else "en-US"), (path, config)
            if language == "zh":
                assert config["locales"]["zh-CN"]["format"]["dayMonth"] == "%-m月%-d日"
            else:
                assert "locales" not in config
        styles = [h.proto.body for h in at.get("html") if "stFileUploaderDropzone" in h.proto.body]
        if language == "zh":  # the shell adds the uploader / fullscreen labels on every page
            assert len(styles) == 1 and LABELS["builtin_upload_button"][0] in styles[0], path
            assert LABELS["builtin_fullscreen"][0] in styles[0]
        else:
            assert styles == [], path


def test_css_strings_cannot_end_the_rule_or_the_style_block():
    assert builtin_text.css_string('a"b\\c') == '"a\\"b\\\\c"'
    assert builtin_text.css_string("x</style><script>\n y") == '"x\\3c /style>\\3c script> y"'
    with pytest.raises(ValueError):
        builtin_text.file_uploader("x", key="a b{}")


def test_the_size_line_names_the_limit_and_the_types_as_streamlit_does():
    with use_lang("zh"):
        assert builtin_text.limit_text() == "单个文件不超过 200MB"
        assert builtin_text.limit_text(5, [".csv", "xlsx", "csv"]) == "单个文件不超过 5MB • 格式:CSV, XLSX"
    with use_lang("en"):
        assert builtin_text.limit_text(5, "toml") == "5MB per file • TOML"


def _uploader_script():
    from ui.builtin_text import file_uploader

    file_uploader("文件", key="upl_probe", type=["csv", "xlsx"], max_upload_size=20)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_uploader_wrapper_names_its_types_in_chinese_only(language):
    at = AppTest.from_function(_uploader_script)
    at.session_state["lang_en"] = language == "en"
    at.run()
    assert not at.exception
    assert at.get("file_uploader")
    bodies = [h.proto.body for h in at.get("html")]
    if language == "zh":
        assert len(bodies) == 1
        assert ".st-key-upl_probe " in bodies[0] and '"单个文件不超过 20MB • 格式:CSV, XLSX"' in bodies[0]
    else:
        assert bodies == []


def test_switching_language_beside_an_empty_file_uploader_does_not_fail(app_env):
    """After the switch the shell writes each plain widget value back (ui.shell._relabel_selects);
    an empty uploader's None is one, and Streamlit refuses the write: the import page failed with
    StreamlitValueAssignmentNotAllowedError in English. ui.shell.note_widgets keeps such keys out."""
    at = AppTest.from_file(APP, default_timeout=120)
    login(at, "admin")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception and at.get("file_uploader")
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == LABELS["page_data_import"][1] and at.get("file_uploader")
