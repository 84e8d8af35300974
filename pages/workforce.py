"""队伍画像 Workforce: staffing, age and education, tenure and turnover, workload, retirement, for planners."""

from __future__ import annotations

import streamlit as st

from data_access import workforce as wf
from data_access.filters import FilterError
from ui import format as fmt
from ui.data import query
from ui.escape import md
from ui.labels import error_text, t
from ui.sections.workforce import profiles, projection, staffing, turnover, workload
from ui.sections.workforce.common import kpi, reference
from ui.shell import page_filters

f = page_filters()
st.title(t("workforce_title"))
if f.category_code:
    st.info(t("workforce_category_note"))
else:
    st.caption(t("workforce_category_note"))

with st.expander(t("workforce_controls"), expanded=True):
    c1, c2 = st.columns(2)
    target = c1.number_input(
        t("workforce_target"),
        min_value=0.0,
        max_value=20.0,
        value=1.0,
        step=0.5,
        key="workforce_target",
        help=t("workforce_target_help"),
    )
    months = c2.slider(
        t("workforce_months"),
        min_value=1,
        max_value=wf.MAX_WINDOW_MONTHS,
        value=12,
        key="workforce_months",
        help=t("workforce_months_help"),
    )

try:
    window = wf.analysis_months(f, int(months))
    total = query(wf.staffing_total, f, float(target)).iloc[0]
    by_town = query(wf.staffing_by_town, f, float(target))
except FilterError as exc:
    st.error(t("bad_filter", reason=md(error_text(exc))))
    st.stop()

st.caption(t("workforce_caption", day=f.date_to, wstart=window[0][0], wend=window[-1][1], months=len(window)))

cols = st.columns(6)
kpi(cols[0], "workforce_active", fmt.count(total["workers"]), reference(fmt.count(wf.REFERENCE["workers"])))
kpi(
    cols[1],
    "workforce_full_time",
    fmt.count(total["full_time"]),
    f"{fmt.percent(total['full_time_share'])}. " + reference(fmt.count(wf.REFERENCE["full_time"])),
)
kpi(
    cols[2],
    "workforce_aged_50_plus",
    fmt.percent(total["aged_50_plus_share"]),
    f"{fmt.count(total['aged_50_plus'])} / {fmt.count(total['workers'])}. "
    + reference(fmt.percent(wf.REFERENCE["aged_50_plus_share"])),
)
kpi(cols[3], "workforce_per_1000_residents", fmt.score(total["per_1000_residents"]))
kpi(cols[4], "workforce_per_100_households", fmt.score(total["per_100_households"]))
kpi(
    cols[5],
    "workforce_grids_without_full_time",
    fmt.count(total["grids_without_full_time"]),
    f"/ {fmt.count(total['grids'])}",
)

tab_staff, tab_profile, tab_turnover, tab_workload, tab_projection = st.tabs(
    [
        t("workforce_tab_staffing"),
        t("workforce_tab_profiles"),
        t("workforce_tab_turnover"),
        t("workforce_tab_workload"),
        t("workforce_tab_projection"),
    ]
)


with tab_staff:
    staffing.render(f, total, by_town, float(target))
with tab_profile:
    profiles.render(f, total, by_town)
with tab_turnover:
    turnover.render(f, int(months))
with tab_workload:
    workload.render(f, int(months))
with tab_projection:
    projection.render(f, total, float(target))
