"""队伍画像 Workforce: staffing, age and education, tenure and turnover, workload, retirement, for planners."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import metrics, rules
from data_access import workforce as wf
from data_access.filters import FilterError
from ui import format as fmt
from ui.charts import is_partial, mark_partial
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import download_buttons
from ui.labels import error_text, lang, metric_definition, metric_name, t
from ui.shell import page_filters

PAGE_SIZE = 20
TYPE_COLOURS = {"full_time": "#1f77b4", "part_time": "#ff7f0e", "departmental": "#2ca02c"}
CHART_MARGIN = dict(l=10, r=10, t=30, b=10)

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
ref_source = wf.REFERENCE_SOURCE[1 if lang() == "en" else 0]


def pct(value) -> str:
    return fmt.percent(value)


def ratio_text(value) -> str:
    return "—" if fmt.is_missing(value) else f"{value:.2f}"


def kpi(column, key: str, value: str, extra: str = "") -> None:
    metric = metrics.METRICS[key]
    column.metric(
        metric_name(metric), value, help=metric_definition(metric) + (" " + extra if extra else ""), border=True
    )


def labelled(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The columns to show, renamed to the current language (ids and internal keys dropped)."""
    return df[list(names)].rename(columns={col: t(key) for col, key in names.items()})


def rounded(df: pd.DataFrame, percent: tuple[str, ...] = ()) -> pd.DataFrame:
    """Floats to 2 decimals for display, shares (shown as percentages) to 3 so they keep one."""
    return df.round({c: (3 if c in percent else 2) for c in df.columns if pd.api.types.is_float_dtype(df[c])})


def nice_step(peak: int) -> int:
    """A round tick step (1, 2 or 5 × 10^k) giving at most five ticks on each side of zero."""
    step = 1
    while True:
        for base in (1, 2, 5):
            if peak <= 5 * base * step:
                return base * step
        step *= 10


def show_table(df: pd.DataFrame, key: str, percent: tuple[str, ...] = ()) -> None:
    """A table with its share columns drawn as percentages."""
    st.dataframe(
        rounded(df, percent),
        hide_index=True,
        key=key,
        column_config={col: st.column_config.NumberColumn(format="percent") for col in percent},
    )


def coded(series: pd.Series, prefix: str) -> pd.Series:
    return series.map(lambda code: t(f"{prefix}{code}"))


def reference(value: str) -> str:
    return t("workforce_reference_value", value=value) + " (" + ref_source + ")"


cols = st.columns(6)
kpi(cols[0], "workforce_active", fmt.count(total["workers"]), reference(fmt.count(wf.REFERENCE["workers"])))
kpi(
    cols[1],
    "workforce_full_time",
    fmt.count(total["full_time"]),
    f"{pct(total['full_time_share'])}. " + reference(fmt.count(wf.REFERENCE["full_time"])),
)
kpi(
    cols[2],
    "workforce_aged_50_plus",
    pct(total["aged_50_plus_share"]),
    f"{fmt.count(total['aged_50_plus'])} / {fmt.count(total['workers'])}. "
    + reference(pct(wf.REFERENCE["aged_50_plus_share"])),
)
kpi(cols[3], "workforce_per_1000_residents", ratio_text(total["per_1000_residents"]))
kpi(cols[4], "workforce_per_100_households", ratio_text(total["per_100_households"]))
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

# --- staffing ----------------------------------------------------------------------------------
STAFF_COLUMNS = {
    "town": "workforce_col_town",
    "grids": "workforce_col_grids",
    "micro_grids": "workforce_col_micro_grids",
    "residents": "workforce_col_residents",
    "households": "workforce_col_households",
    "workers": "workforce_col_workers",
    "full_time": "workforce_col_full_time",
    "part_time": "workforce_col_part_time",
    "departmental": "workforce_col_departmental",
    "workers_per_grid": "workforce_col_workers_per_grid",
    "workers_per_micro_grid": "workforce_col_workers_per_micro_grid",
    "full_time_per_grid": "workforce_col_full_time_per_grid",
    "per_1000_residents": "workforce_col_per_1000",
    "per_100_households": "workforce_col_per_100",
    "grids_without_full_time": "workforce_col_no_ft",
    "target_full_time": "workforce_col_target",
    "full_time_gap": "workforce_col_gap",
}
with tab_staff:
    st.subheader(t("workforce_staffing_title"))
    with_total = pd.concat(
        [by_town, pd.DataFrame([{**total.to_dict(), "town": t("workforce_total_row")}])], ignore_index=True
    )
    staff_table = labelled(with_total, STAFF_COLUMNS).round(2)
    st.dataframe(staff_table, hide_index=True, key="workforce_staffing_table")
    st.caption(t("workforce_gap_note") + " " + t("workforce_target_help"))
    download_buttons(staff_table, "workforce_staffing", "workforce_staffing_export")

    st.markdown(f"**{t('workforce_gap_chart_title')}**")
    fig = go.Figure(
        go.Bar(
            x=by_town["town"],
            y=by_town["full_time_per_grid"],
            name=t("workforce_col_full_time_per_grid"),
            marker_color=TYPE_COLOURS["full_time"],
            text=by_town["full_time_gap"].map(lambda g: f"{g:+d}"),
            hovertemplate="%{x}: %{y:.2f}, " + t("workforce_col_gap") + " %{text}<extra></extra>",
        )
    )
    fig.add_hline(
        y=float(target),
        line_dash="dash",
        line_color="#d62728",
        annotation_position="top left",
        annotation_text=f"{t('workforce_target')}: {target:g}",
    )
    top = max(float(target), float(by_town["full_time_per_grid"].max() or 0))
    fig.update_layout(
        height=340,
        margin=CHART_MARGIN,
        yaxis_title=t("workforce_col_full_time_per_grid"),
        yaxis_range=[0, top * 1.15 + 0.05],
    )
    plotly_chart(fig, key="workforce_gap_chart")

    n_missing = int(total["grids_without_full_time"])
    st.markdown(f"**{t('workforce_no_ft_title', n=fmt.count(n_missing))}**")
    if n_missing == 0:
        st.success(t("workforce_no_ft_none"))
    else:
        pages = math.ceil(n_missing / PAGE_SIZE)
        page_no = st.number_input(
            t("workforce_page", pages=pages), min_value=1, max_value=pages, value=1, step=1, key="workforce_no_ft_page"
        )
        rows = query(wf.grids_without_full_time, f, PAGE_SIZE, (int(page_no) - 1) * PAGE_SIZE)
        names = {
            "town": "workforce_col_town",
            "village": "workforce_col_village",
            "grid": "workforce_col_grid",
            "households": "workforce_col_households",
            "residents": "workforce_col_residents",
            "other_workers": "workforce_col_other_workers",
        }
        st.dataframe(labelled(rows, names), hide_index=True, key="workforce_no_ft_table")
        download_buttons(
            labelled(query(wf.grids_without_full_time, f, n_missing, 0), names),
            "workforce_grids_without_full_time",
            "workforce_no_ft_export",
        )

# --- profiles ----------------------------------------------------------------------------------
with tab_profile:
    town_names = dict(zip(by_town["town_id"].astype(int), by_town["town"]))
    scope_town = st.selectbox(
        t("workforce_profile_scope"),
        [None, *town_names],
        key="workforce_profile_town",
        format_func=lambda i: t("workforce_profile_all") if i is None else town_names[i],
        placeholder=t("select_placeholder"),
    )
    pyramid = query(wf.age_pyramid, f, scope_town)
    education = query(wf.education_profile, f, scope_town)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('workforce_pyramid_title')}**")
        # Drop empty bands at both ends (there are rarely workers under 20 or over 75).
        filled = pyramid.loc[pyramid["workers"] > 0, "band_order"]
        shown = pyramid if filled.empty else pyramid[pyramid["band_order"].between(filled.min(), filled.max())]
        men = shown[shown["gender"] == "M"].sort_values("band_order")
        women = shown[shown["gender"] == "F"].sort_values("band_order")
        # Symmetric axis with positive labels on both sides: men are drawn as negative numbers.
        peak = max(1, int(pyramid["workers"].max()))
        step = nice_step(peak)
        reach = -(-peak // step) * step
        ticks = list(range(-reach, reach + 1, step))
        fig = go.Figure(
            [
                go.Bar(
                    y=men["band"],
                    x=-men["workers"],
                    orientation="h",
                    name=t("workforce_men"),
                    marker_color="#4c78a8",
                    customdata=men["workers"],
                    hovertemplate="%{y}: %{customdata}<extra>" + t("workforce_men") + "</extra>",
                ),
                go.Bar(
                    y=women["band"],
                    x=women["workers"],
                    orientation="h",
                    name=t("workforce_women"),
                    marker_color="#e45756",
                    customdata=women["workers"],
                    hovertemplate="%{y}: %{customdata}<extra>" + t("workforce_women") + "</extra>",
                ),
            ]
        )
        fig.update_layout(
            barmode="relative",
            bargap=0.08,
            height=420,
            margin=dict(l=10, r=10, t=40, b=10),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0.5, xanchor="center"),
            xaxis=dict(
                title=t("workforce_people"),
                tickvals=ticks,
                ticktext=[str(abs(v)) for v in ticks],
                range=[-reach * 1.05, reach * 1.05],
            ),
            yaxis=dict(title=t("workforce_age_band"), categoryorder="array", categoryarray=list(men["band"])),
        )
        plotly_chart(fig, key="workforce_pyramid")
    with right:
        st.markdown(f"**{t('workforce_education_title')}**")
        edu_names = coded(education["education"], "workforce_edu_")
        # Share and head count in the axis label: text on the bars would collide with the markers.
        edu_axis = [
            f"{name}  {pct(s)} ({fmt.count(n)})"
            for name, s, n in zip(edu_names, education["share"], education["workers"])
        ]
        fig = go.Figure(
            [
                go.Bar(
                    y=edu_axis,
                    x=education["share"],
                    orientation="h",
                    name=t("workforce_this_scope"),
                    marker_color="#4c78a8",
                    hovertemplate="%{y}<extra></extra>",
                ),
                go.Scatter(
                    y=edu_axis,
                    x=education["reference_share"],
                    mode="markers",
                    name=t("workforce_reference_share"),
                    marker=dict(symbol="line-ns", size=46, line=dict(width=4, color="#f58518")),
                    hovertemplate=t("workforce_reference_share") + ": %{x:.0%}<extra></extra>",
                ),
            ]
        )
        fig.update_layout(
            height=420,
            margin=dict(l=10, r=10, t=40, b=10),
            legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0.5, xanchor="center"),
            xaxis=dict(title=t("workforce_share"), tickformat=".0%", range=[0, 1]),
            yaxis=dict(categoryorder="array", categoryarray=edu_axis[::-1]),
        )
        plotly_chart(fig, key="workforce_education")
    scope_total = int(pyramid["workers"].sum())
    scope_row = total if scope_town is None else by_town[by_town["town_id"] == scope_town].iloc[0]
    st.caption(
        t(
            "workforce_aged_50_caption",
            share=pct(scope_row["aged_50_plus_share"]),
            n=fmt.count(scope_row["aged_50_plus"]),
            total=fmt.count(scope_total),
            ref=pct(wf.REFERENCE["aged_50_plus_share"]),
        )
        + " "
        + t("workforce_reference", source=ref_source)
    )
    exp_left, exp_right = st.columns(2)
    with exp_left:
        pyramid_table = pyramid.assign(gender=coded(pyramid["gender"], "workforce_gender_"))
        download_buttons(
            labelled(
                pyramid_table,
                {"band": "workforce_col_band", "gender": "workforce_col_gender", "workers": "workforce_col_workers"},
            ),
            "workforce_age_pyramid",
            "workforce_pyramid_export",
        )
    with exp_right:
        download_buttons(
            labelled(
                education.assign(education=edu_names),
                {
                    "education": "workforce_col_education",
                    "workers": "workforce_col_workers",
                    "share": "workforce_share",
                    "reference_share": "workforce_col_reference",
                },
            ),
            "workforce_education",
            "workforce_education_export",
        )

    st.subheader(t("workforce_profile_by_town_title"))
    profile = query(wf.profile_by_town, f)
    profile_names = {
        "town": "workforce_col_town",
        "workers": "workforce_col_workers",
        "aged_50_plus": "workforce_col_aged_50",
        "aged_50_plus_share": "workforce_col_aged_50_share",
    }
    for e in wf.EDUCATION_LEVELS:
        profile_names[f"{e}_share"] = f"workforce_edu_{e}"
    scope_education = query(wf.education_profile, f, None)
    total_row = {
        "town": t("workforce_total_row"),
        "workers": total["workers"],
        "aged_50_plus": total["aged_50_plus"],
        "aged_50_plus_share": total["aged_50_plus_share"],
        **{f"{e}_share": s for e, s in zip(scope_education["education"], scope_education["share"])},
    }
    reference_row = {
        "town": t("workforce_reference_share"),
        "aged_50_plus_share": wf.REFERENCE["aged_50_plus_share"],
        **{f"{e}_share": s for e, s in wf.REFERENCE["education_share"].items()},
    }
    profile_table = labelled(
        pd.concat([profile, pd.DataFrame([total_row, reference_row])], ignore_index=True), profile_names
    )
    show_table(
        profile_table,
        "workforce_profile_table",
        tuple(t(key) for col, key in profile_names.items() if col.endswith("_share")),
    )
    download_buttons(profile_table, "workforce_profile_by_town", "workforce_profile_export")

# --- tenure and turnover -----------------------------------------------------------------------
with tab_turnover:
    flow = query(wf.hires_and_leavers_by_month, f, int(months))
    st.subheader(t("workforce_flow_title"))
    month_text = flow["month"].map(lambda d: d.strftime("%Y-%m"))
    fig = go.Figure(
        [
            go.Bar(x=month_text, y=flow["hires"], name=t("workforce_hires"), marker_color="#54a24b"),
            go.Bar(
                x=month_text,
                y=-flow["leavers"],
                name=t("workforce_leavers"),
                marker_color="#e45756",
                customdata=flow["leavers"],
                hovertemplate="%{x}: %{customdata}<extra></extra>",
            ),
            go.Scatter(
                x=month_text,
                y=flow["headcount_end"],
                name=t("workforce_headcount"),
                yaxis="y2",
                mode="lines+markers",
                line=dict(color="#333"),
            ),
        ]
    )
    fig.update_layout(
        barmode="relative",
        height=340,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", y=1.12),
        xaxis=dict(title=t("workforce_month"), type="category"),
        yaxis=dict(title=f"{t('workforce_hires')} / −{t('workforce_leavers')}"),
        yaxis2=dict(title=t("workforce_headcount"), overlaying="y", side="right", showgrid=False),
    )
    if len(flow):  # a window ending in the running month draws that month as partial
        mark_partial(fig, is_partial(pd.Timestamp(flow["month"].iloc[-1]).date(), "month", f.period_end), "month")
    plotly_chart(fig, key="workforce_flow_chart")
    flow_table = labelled(
        flow.assign(month=month_text),
        {
            "month": "workforce_month",
            "hires": "workforce_col_hires",
            "leavers": "workforce_col_leavers",
            "headcount_end": "workforce_headcount",
        },
    )
    download_buttons(flow_table, "workforce_hires_leavers", "workforce_flow_export")

    turnover_metric = metrics.METRICS["workforce_turnover_annualised"]
    st.subheader(t("workforce_turnover_title"), help=metric_definition(turnover_metric))
    turnover = query(wf.turnover_by_town, f, int(months))
    turnover_table = labelled(
        turnover,
        {
            "town": "workforce_col_town",
            "headcount_start": "workforce_col_head_start",
            "headcount_end": "workforce_col_head_end",
            "average_headcount": "workforce_col_head_avg",
            "hires": "workforce_col_hires",
            "leavers": "workforce_col_leavers",
            "turnover_annualised": "workforce_col_turnover",
        },
    )
    show_table(turnover_table, "workforce_turnover_table", (t("workforce_col_turnover"),))
    download_buttons(turnover_table, "workforce_turnover_by_town", "workforce_turnover_export")

    st.subheader(t("workforce_tenure_title"))
    tenure = query(wf.tenure_distribution, f)
    fig = go.Figure(
        [
            go.Bar(
                x=part["band"] + " " + t("workforce_years_axis"),
                y=part["workers"],
                name=t(f"workforce_type_{etype}"),
                marker_color=TYPE_COLOURS[etype],
            )
            for etype, part in (
                (e, tenure[tenure["employment_type"] == e].sort_values("band_order")) for e in wf.EMPLOYMENT_TYPES
            )
        ]
    )
    fig.update_layout(
        barmode="stack",
        height=320,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", y=1.12),
        xaxis_title=t("workforce_col_tenure"),
        yaxis_title=t("workforce_people"),
    )
    plotly_chart(fig, key="workforce_tenure_chart")
    download_buttons(
        labelled(
            tenure.assign(employment_type=coded(tenure["employment_type"], "workforce_type_")),
            {
                "band": "workforce_col_tenure",
                "employment_type": "workforce_col_type",
                "workers": "workforce_col_workers",
            },
        ),
        "workforce_tenure",
        "workforce_tenure_export",
    )

# --- workload ----------------------------------------------------------------------------------
with tab_workload:
    etype = st.selectbox(
        t("workforce_workload_type"),
        list(wf.EMPLOYMENT_TYPES),
        key="workforce_workload_type",
        format_func=lambda e: t(f"workforce_type_{e}"),
        placeholder=t("select_placeholder"),
    )
    quota = float(query(rules.load_rules, "as_practised").get("quota_events_per_worker", 30.0))
    st.caption(t("workforce_quota_caption", quota=f"{quota:g}"))
    spread = query(wf.workload_distribution, f, int(months), etype)
    town_load = query(wf.workload_by_town, f, int(months), etype, quota)
    per_worker = query(wf.workload_by_worker, f, int(months), etype, quota)
    if spread.empty:
        st.info(t("workforce_no_worker_months"))
    else:
        worker_months = int(town_load["worker_months"].sum())
        c1, c2, c3 = st.columns(3)
        load_metric = metrics.METRICS["workforce_events_per_worker_month"]
        c1.metric(
            metric_name(load_metric),
            ratio_text(town_load["events"].sum() / worker_months),
            help=metric_definition(load_metric),
            border=True,
        )
        median = per_worker.attrs.get("median_per_month")
        c2.metric(t("workforce_kpi_median"), ratio_text(median), help=t("workforce_kpi_median_help"), border=True)
        c3.metric(
            t("workforce_kpi_at_quota"),
            pct(town_load["months_at_quota"].sum() / worker_months),
            help=t("workforce_kpi_at_quota_help") + f" {fmt.count(town_load['months_at_quota'].sum())} / "
            f"{fmt.count(worker_months)}",
            border=True,
        )

        st.subheader(t("workforce_spread_title"))
        fig = go.Figure(
            go.Bar(
                x=spread["events"],
                y=spread["worker_months"],
                marker_color="#4c78a8",
                hovertemplate="%{x}: %{y}<extra></extra>",
            )
        )
        fig.add_vline(
            x=quota,
            line_dash="dash",
            line_color="#d62728",
            annotation_text=t("workforce_quota_line", quota=f"{quota:g}"),
        )
        fig.update_layout(
            height=320,
            margin=CHART_MARGIN,
            bargap=0.05,
            xaxis_title=t("workforce_events_axis"),
            yaxis_title=t("workforce_worker_months_axis"),
            xaxis=dict(range=[-0.5, max(quota, float(spread["events"].max())) + 1.5]),
        )
        plotly_chart(fig, key="workforce_spread_chart")
        download_buttons(
            labelled(spread, {"events": "workforce_events_axis", "worker_months": "workforce_worker_months_axis"}),
            "workforce_workload_spread",
            "workforce_spread_export",
        )

        st.subheader(t("workforce_town_workload_title"))
        town_table = labelled(
            town_load,
            {
                "town": "workforce_col_town",
                "workers": "workforce_col_compared",
                "worker_months": "workforce_col_worker_months",
                "events": "workforce_col_events",
                "events_per_worker_month": "workforce_col_per_month",
                "quota_share": "workforce_col_quota_share",
            },
        )
        show_table(town_table, "workforce_town_workload_table", (t("workforce_col_quota_share"),))
        download_buttons(town_table, "workforce_workload_by_town", "workforce_town_workload_export")

        far = per_worker[per_worker["flag"] != ""]
        st.subheader(t("workforce_far_title", n=fmt.count(len(far))))
        st.caption(
            t(
                "workforce_far_rule",
                median=ratio_text(median),
                above=f"{wf.FAR_ABOVE_FACTOR:g}",
                below=f"{wf.FAR_BELOW_FACTOR:g}",
            )
        )
        if far.empty:
            st.success(t("workforce_far_none"))
        else:
            far_table = labelled(
                far.assign(flag=coded(far["flag"], "workforce_flag_")),
                {
                    "name": "workforce_col_name",
                    "town": "workforce_col_town",
                    "grid": "workforce_col_grid",
                    "months": "workforce_col_months",
                    "events": "workforce_col_events",
                    "per_month": "workforce_col_per_month",
                    "quota_ratio": "workforce_col_quota_ratio",
                    "flag": "workforce_col_flag",
                },
            ).round(2)
            pages = math.ceil(len(far_table) / PAGE_SIZE)
            far_page = st.number_input(
                t("workforce_page", pages=pages),
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key="workforce_far_page",
            )
            start = (int(far_page) - 1) * PAGE_SIZE
            st.dataframe(far_table.iloc[start : start + PAGE_SIZE], hide_index=True, key="workforce_far_table")
            download_buttons(far_table, "workforce_workload_outliers", "workforce_far_export")

# --- retirement projection ---------------------------------------------------------------------
with tab_projection:
    c1, c2 = st.columns(2)
    retire_age = c1.number_input(
        t("workforce_retire_age"),
        min_value=40,
        max_value=80,
        value=60,
        step=1,
        key="workforce_retire_age",
        help=t("workforce_retire_age_help"),
    )
    years = c2.slider(t("workforce_years"), min_value=1, max_value=20, value=10, key="workforce_years")
    st.caption(t("workforce_projection_caption", age=int(retire_age)))
    try:
        projection = query(wf.retirement_projection, f, int(retire_age), int(years))
    except FilterError as exc:
        st.error(t("bad_filter", reason=md(error_text(exc))))
    else:
        county = projection.groupby(["year"], as_index=False)[[*wf.EMPLOYMENT_TYPES, "total"]].sum()
        # The first bar is today's headcount, so the drop in year 0 (people already past the age) shows.
        bar_x = [t("workforce_now_bar", day=f.date_to), *county["year"].astype(str)]
        st.markdown(f"**{t('workforce_projection_chart')}**")
        fig = go.Figure(
            [
                go.Bar(
                    x=bar_x, y=[int(total[e]), *county[e]], name=t(f"workforce_type_{e}"), marker_color=TYPE_COLOURS[e]
                )
                for e in wf.EMPLOYMENT_TYPES
            ]
        )
        fig.update_layout(
            barmode="stack",
            height=320,
            margin=CHART_MARGIN,
            legend=dict(orientation="h", y=1.12),
            xaxis=dict(title=t("workforce_year"), type="category"),
            yaxis_title=t("workforce_people"),
        )
        plotly_chart(fig, key="workforce_projection_chart")

        summary = query(wf.retirement_summary, f, int(retire_age), int(years), float(target))
        st.subheader(t("workforce_projection_table", years=int(years), year=int(summary.attrs["year"])))
        projection_table = labelled(
            summary,
            {
                "town": "workforce_col_town",
                "workers_now": "workforce_col_now",
                "workers_then": "workforce_col_then",
                "retired": "workforce_col_lost",
                "retired_share": "workforce_col_lost_share",
                "full_time_now": "workforce_col_ft_now",
                "full_time_then": "workforce_col_ft_then",
                "grids": "workforce_col_grids",
                "target_full_time": "workforce_col_target",
                "full_time_gap_then": "workforce_col_ft_gap_then",
            },
        )
        show_table(projection_table, "workforce_projection_table", (t("workforce_col_lost_share"),))
        st.caption(t("workforce_export_summary"))
        download_buttons(projection_table, "workforce_retirement_projection", "workforce_projection_export")
        year_table = labelled(
            projection,
            {
                "town": "workforce_col_town",
                "year": "workforce_year",
                "full_time": "workforce_type_full_time",
                "part_time": "workforce_type_part_time",
                "departmental": "workforce_type_departmental",
                "total": "workforce_col_then",
            },
        )
        st.caption(t("workforce_export_by_year"))
        download_buttons(year_table, "workforce_retirement_projection_by_year", "workforce_projection_years_export")
