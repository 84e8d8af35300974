"""部门响应 Department response: how fast each department accepts, handles and finishes its work,
its score, and whether the towns' ratings (街呼区应) agree with the data.

Four tabs (ui/sections/department_response/): who is slow now (first, so the first screen answers
it), every measure with the export, the monthly trend and breakdowns, the towns' ratings."""

from __future__ import annotations

import streamlit as st

from data_access import departments as dep
from ui import format as fmt
from ui.data import query
from ui.labels import t
from ui.sections.department_response import common, measures, ratings, slow, trend
from ui.shell import page_filters

TABS = ("slow", "measures", "trend", "ratings")

f = page_filters()
st.title(t("dept_title"))
st.caption(t("dept_caption", start=f.date_from, end=f.date_to, as_of=fmt.local_time(f.as_of)))
st.caption(t("dept_filter_note"))

# One cached call: the table, the county row and the all-department breakdowns (one statement).
view = query(dep.department_page, f)
county = view["county"].iloc[0]
rules_df = query(dep.department_rules)
rules = dict(zip(rules_df["key"], rules_df["value"]))
if view["table"].empty:
    st.info(t("dept_no_data"))
    st.stop()

table = common.with_labels(view["table"])
reference_row = common.reference_label(f)
focus = common.focus_select(table)

slow_tab, measures_tab, trend_tab, ratings_tab = st.tabs([t(f"dept_tab_{k}") for k in TABS], key="dept_tabs")
with slow_tab:
    slow.render(f, table, county, rules, focus, reference_row)
with measures_tab:
    measures.render(f, table, county, rules, rules_df, reference_row)
with trend_tab:
    trend.render(f, view, focus, table)
with ratings_tab:
    ratings.render(table, rules)
