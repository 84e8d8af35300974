"""部门响应 Department response: how fast each department accepts, handles and finishes its work,
its score, and whether the towns' ratings (街呼区应) agree with the data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import departments as dep
from data_access import units
from data_access.departments import DEPARTMENT_METRICS as DM
from ui import export_columns
from ui import format as fmt
from ui.charts import count_axis, is_partial, mark_partial
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import download_buttons
from ui.labels import lang, local_name, metric_definition, metric_name, t
from ui.shell import page_filters

PAGE_SIZE = 15
PAGE_SIZES = [5, 15, 50]
CHART_MEASURES = {  # key in the table -> (label key, metric key, is a share, a high value is bad)
    "complete_h_median": ("dept_col_complete_median", "dept_complete_hours", False, True),
    "complete_h_p90": ("dept_col_complete_p90", "dept_complete_hours", False, True),
    "accept_h_median": ("dept_col_accept_median", "dept_accept_hours", False, True),
    "on_time_rate": ("dept_col_on_time", "dept_on_time_rate", True, False),
    "return_rate": ("dept_col_return", "dept_return_rate", True, True),
    "rework_rate": ("dept_col_rework", "dept_rework_rate", True, True),
}

f = page_filters()
st.title(t("dept_title"))
st.caption(t("dept_caption", start=f.date_from, end=f.date_to, as_of=fmt.local_time(f.as_of)))
st.caption(t("dept_filter_note"))

# One cached call: the table, the county row and the all-department breakdowns (one statement).
view = query(dep.department_page, f)
table = view["table"].copy()
county = view["county"].iloc[0]
rules_df = query(dep.department_rules)
rules = dict(zip(rules_df["key"], rules_df["value"]))
if table.empty:
    st.info(t("dept_no_data"))
    st.stop()

english = lang() == "en"
table["label"] = table["name_en"].where(table["name_en"].astype(bool), table["name"]) if english else table["name"]
names = dict(zip(table["department_id"].astype(int), table["label"]))


def defn(key: str) -> str:
    return metric_definition(DM[key])


def mismatch_text(value: str) -> str:
    return {"rated_above_data": t("dept_mismatch_above"), "rated_below_data": t("dept_mismatch_below")}.get(value, "")


# --- the department table, county reference first -----------------------------------------------
COLUMNS = [  # (source column, label key, metric key for the help text, kind); the score up front
    ("label", "dept_col_department", None, "text"),
    ("score", "dept_col_score", "dept_score", "score"),
    ("received", "dept_col_received", "dept_received", "count"),
    ("on_time_rate", "dept_col_on_time", "dept_on_time_rate", "share"),
    ("complete_h_median", "dept_col_complete_median", "dept_complete_hours", "hours"),
    ("complete_h_p90", "dept_col_complete_p90", "dept_complete_hours", "hours"),
    ("accept_h_median", "dept_col_accept_median", "dept_accept_hours", "hours"),
    ("accept_h_p90", "dept_col_accept_p90", "dept_accept_hours", "hours"),
    ("open_now", "dept_col_open_now", None, "count"),
    ("overdue_now", "dept_col_overdue_now", "dept_overdue_now", "count"),
    ("return_rate", "dept_col_return", "dept_return_rate", "share"),
    ("rework_rate", "dept_col_rework", "dept_rework_rate", "share"),
    ("closure_rate", "dept_col_closure", "dept_closure_rate", "share"),
    ("satisfaction_avg", "dept_col_satisfaction", "dept_satisfaction", "score"),
    ("rating_avg", "dept_col_rating", "dept_rating", "score"),
    ("mismatch_text", "dept_col_mismatch", None, "text"),
]
# The reference row pools every department over what this view covers: the county, or for a
# town filter (a town user always has one) that town, and it says so.
if f.town_id is not None:
    scope_towns = query(units.towns, f.scope)
    town_name = dict(zip(scope_towns["id"].astype(int), scope_towns["name"])).get(f.town_id, str(f.town_id))
    reference_row = t("dept_town_row", town=town_name)
else:
    reference_row = t("dept_county_row")
ref = county.to_dict()
ref.update(
    label=reference_row,
    open_now=int(table["open_now"].sum()),
    overdue_now=int(table["overdue_now"].sum()),
    rating_avg=None,
    score=None,
    mismatch="",
)
rows = pd.concat([pd.DataFrame([ref]), table], ignore_index=True)
rows["mismatch_text"] = rows["mismatch"].fillna("").map(mismatch_text)
shown = pd.DataFrame({t(label): rows[src] for src, label, _, _ in COLUMNS})
for _src, label, _, kind in COLUMNS:
    if kind in ("hours", "share", "score"):
        digits = 4 if kind == "share" else 2
        shown[t(label)] = pd.to_numeric(shown[t(label)], errors="coerce").astype(float).round(digits)
    elif kind == "count":
        shown[t(label)] = shown[t(label)].astype(int)

config = {}
for src, label, metric_key, kind in COLUMNS:
    help_text = defn(metric_key) if metric_key else (t("dept_open_help") if src == "open_now" else None)
    if kind == "share":
        config[t(label)] = st.column_config.NumberColumn(help=help_text, format="percent")
    elif kind in ("hours", "score"):
        config[t(label)] = st.column_config.NumberColumn(help=help_text, format="%.2f")
    elif kind == "count":
        config[t(label)] = st.column_config.NumberColumn(help=help_text, format="%d")
    else:
        config[t(label)] = st.column_config.TextColumn(help=help_text, pinned=src == "label")

st.subheader(t("dept_table_title"))
st.caption(t("dept_table_caption", county=reference_row))
st.dataframe(shown, hide_index=True, column_config=config, key="dept_table", height=420)
st.markdown(f"**{t('dept_export')}**")
download_buttons(
    shown,
    f"department_response_{f.date_from}_{f.date_to}",
    key="dept_export",
    columns=export_columns.department_columns(COLUMNS),
)

st.markdown(f"**{t('dept_score_title')}**")
st.caption(
    t(
        "dept_score_formula",
        w_closure=rules["score_weight_closure"],
        w_on_time=rules["score_weight_on_time"],
        w_rework=rules["score_weight_rework"],
        w_volume=rules["score_weight_volume"],
        min_n=rules["min_received_for_rank"],
    )
)
defaults = rules_df.loc[rules_df["source"] == "default", "key"].tolist()
if defaults:
    st.caption(t("dept_rules_default", keys=", ".join(defaults)))
with st.expander(t("dept_definitions")):
    st.markdown("\n".join(f"- **{metric_name(m)}**:{metric_definition(m)}" for m in DM.values()))

# --- departments compared on one measure ---------------------------------------------------------
st.subheader(t("dept_chart_title"))
measure = st.selectbox(
    t("dept_chart_measure"),
    list(CHART_MEASURES),
    key="dept_chart_measure",
    format_func=lambda k: t(CHART_MEASURES[k][0]),
    placeholder=t("select_placeholder"),
)
label_key, metric_key, is_share, high_is_bad = CHART_MEASURES[measure]
min_n = int(rules["min_received_for_rank"])
# Plotly draws the first bar at the bottom: order so that the worst department is on top.
bars = table[(table["received"] >= min_n) & table[measure].notna()].sort_values(measure, ascending=high_is_bad)
scale = 100 if is_share else 1
figure = go.Figure(
    go.Bar(
        x=bars[measure] * scale,
        y=bars["label"],
        orientation="h",
        marker_color="#4C78A8",
        hovertemplate="%{y}: %{x:.1f}<extra></extra>",
    )
)
if not fmt.is_missing(county[measure]):
    figure.add_vline(
        x=float(county[measure]) * scale,
        line_dash="dash",
        line_color="#E45756",
        annotation_text=reference_row,
        annotation_position="top",
    )
figure.update_layout(
    height=max(260, 24 * len(bars) + 80),
    margin=dict(l=10, r=10, t=30, b=10),
    xaxis_title=t(label_key) + (" (%)" if is_share else ""),
    yaxis=dict(automargin=True),
)
plotly_chart(figure, key="dept_compare_chart")
st.caption(t("dept_chart_min", n=min_n) + " " + defn(metric_key))

# --- distributions -------------------------------------------------------------------------------
st.subheader(t("dept_dist_title"))
box_measure = st.radio(
    t("dept_box_measure"),
    ["complete", "accept"],
    key="dept_box_measure",
    horizontal=True,
    format_func=lambda k: t(f"dept_box_{k}"),
)
box = query(dep.box_stats, f, box_measure)
box = box[box["n"] >= min_n].copy()
box["label"] = box["department_id"].map(names)
box = box.dropna(subset=["label"]).sort_values("median")
county_median = county["complete_h_median" if box_measure == "complete" else "accept_h_median"]
box_fig = go.Figure(
    go.Box(
        y=box["label"],
        q1=box["q1"],
        median=box["median"],
        q3=box["q3"],
        lowerfence=box["lowerfence"],
        upperfence=box["upperfence"],
        orientation="h",
        marker_color="#4C78A8",
        name="",
        showlegend=False,
    )
)
if not fmt.is_missing(county_median):
    box_fig.add_vline(x=float(county_median), line_dash="dash", line_color="#E45756")
box_fig.update_layout(
    height=max(260, 26 * len(box) + 80),
    margin=dict(l=10, r=10, t=10, b=10),
    xaxis_title=t("dept_hours_axis"),
    yaxis=dict(automargin=True),
)
plotly_chart(box_fig, key="dept_box_chart")
st.caption(t("dept_box_caption", median="—" if fmt.is_missing(county_median) else f"{county_median:.1f}"))

# One department (or all of them) for the trend, the breakdowns and the open list; ?department=ID.
options = [None, *table.sort_values("received", ascending=False, kind="stable")["department_id"].astype(int)]
param = st.query_params.get("department")
if param is not None:
    if not (param.isdigit() and int(param) in names):
        st.warning(t("dept_bad_param", value=md(param[:40])))
    elif st.session_state.get("_dept_param_applied") != param:  # once, so the selectbox can change it later
        st.session_state["dept_focus"] = int(param)
        st.session_state["_dept_param_applied"] = param
focus = st.selectbox(
    t("dept_focus"),
    options,
    key="dept_focus",
    format_func=lambda d: t("dept_focus_all") if d is None else names[d],
    on_change=lambda: st.session_state.pop("dept_oldest_page", None),
    placeholder=t("select_placeholder"),
)  # back to page 1
focus_name = t("dept_focus_all") if focus is None else names[focus]

# One department's month, category and town breakdowns: again one statement (cached).
focus_sets = view if focus is None else query(dep.response_sets, f, ("month", "category", "town"), focus)
trend = focus_sets["month"]
months = pd.DataFrame({"bucket": dep.local_months(f)})
trend = months.merge(trend, on="bucket", how="left")
trend["received"] = trend["received"].fillna(0).astype(int)
st.markdown(f"**{t('dept_trend_title', name=md(focus_name))}**")
# Bars on the base axis so the lines (overlaid axes are drawn on top) stay visible above them.
trend_fig = go.Figure(
    [
        go.Bar(
            x=trend["bucket"],
            y=trend["received"],
            name=t("dept_col_received"),
            marker_color="#D5D0CC",
            text=trend["received"],
            textposition="inside",
        ),
        go.Scatter(
            x=trend["bucket"],
            y=trend["complete_h_median"],
            name=t("dept_col_complete_median"),
            mode="lines+markers",
            line_color="#4C78A8",
            yaxis="y2",
        ),
        go.Scatter(
            x=trend["bucket"],
            y=trend["on_time_rate"] * 100,
            name=t("dept_col_on_time") + " (%)",
            mode="lines+markers",
            line_color="#54A24B",
            yaxis="y3",
        ),
    ]
)
trend_fig.update_layout(
    height=360,
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", y=1.15),
    xaxis=dict(title=t("dept_month"), type="category", domain=[0, 0.88]),
    yaxis=dict(title=t("dept_col_received"), showgrid=False),
    yaxis2=dict(
        title=t("dept_hours_axis"),
        overlaying="y",
        side="right",
        rangemode="tozero",
        title_font_color="#4C78A8",
        tickfont_color="#4C78A8",
    ),
    yaxis3=dict(
        title="%",
        overlaying="y",
        side="right",
        anchor="free",
        position=0.97,
        range=[0, 105],
        showgrid=False,
        title_font_color="#54A24B",
        tickfont_color="#54A24B",
    ),
)
count_axis(trend_fig, trend["received"].max() if len(trend) else 0)
if len(trend):  # the running month holds only part of its events
    year, month = map(int, trend["bucket"].iloc[-1].split("-"))
    mark_partial(trend_fig, is_partial(dt.date(year, month, 1), "month", f.period_end), "month")
plotly_chart(trend_fig, key="dept_trend_chart")
st.caption(t("dept_trend_caption"))


def breakdown(frame: pd.DataFrame, name_col: str, name_label: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            t(name_label): frame[name_col],
            t("dept_col_received"): frame["received"].astype(int),
            t("dept_col_accept_median"): frame["accept_h_median"].astype(float).round(2),
            t("dept_col_complete_median"): frame["complete_h_median"].astype(float).round(2),
            t("dept_col_complete_p90"): frame["complete_h_p90"].astype(float).round(2),
            t("dept_col_on_time"): frame["on_time_rate"].astype(float).round(4),
            t("dept_col_return"): frame["return_rate"].astype(float).round(4),
            t("dept_col_rework"): frame["rework_rate"].astype(float).round(4),
        }
    )
    return out.sort_values(t("dept_col_received"), ascending=False)


BREAKDOWN_CONFIG = {
    t(k): st.column_config.NumberColumn(format="percent", help=defn(m))
    for k, m in (
        ("dept_col_on_time", "dept_on_time_rate"),
        ("dept_col_return", "dept_return_rate"),
        ("dept_col_rework", "dept_rework_rate"),
    )
}
by_cat, by_town = st.columns(2)
with by_cat:
    st.markdown(f"**{t('dept_by_category_title', name=md(focus_name))}**")
    cats = query(dep.categories, f)
    cat_names = {r["code"]: local_name(r) for _, r in cats.iterrows()}
    data = focus_sets["category"].copy()
    data["name"] = data["bucket"].map(cat_names).fillna(data["bucket"])
    st.dataframe(
        breakdown(data, "name", "dept_col_category"),
        hide_index=True,
        key="dept_by_category",
        column_config=BREAKDOWN_CONFIG,
    )
with by_town:
    st.markdown(f"**{t('dept_by_town_title', name=md(focus_name))}**")
    town_df = query(dep.towns, f)
    town_names = dict(zip(town_df["id"], town_df["name"]))
    data = focus_sets["town"].copy()
    data["name"] = data["bucket"].map(town_names).fillna(t("dept_unlocated"))  # hotline events may lack a town
    st.dataframe(
        breakdown(data, "name", "dept_col_town"), hide_index=True, key="dept_by_town", column_config=BREAKDOWN_CONFIG
    )

# --- oldest open items ---------------------------------------------------------------------------
st.subheader(t("dept_oldest_title", name=md(focus_name)))
if focus is None:
    st.info(t("dept_oldest_pick"))
else:
    held = table.set_index("department_id").loc[focus]
    n_open, n_overdue = int(held["open_now"]), int(held["overdue_now"])
    if n_open == 0:
        st.info(t("dept_oldest_none"))
    else:
        per_page = st.selectbox(
            t("dept_oldest_per_page"),
            PAGE_SIZES,
            index=PAGE_SIZES.index(PAGE_SIZE),
            key="dept_oldest_page_size",
            on_change=lambda: st.session_state.pop("dept_oldest_page", None),
            placeholder=t("select_placeholder"),
        )
        pages = max(1, math.ceil(n_open / per_page))
        page = st.pagination(pages, key="dept_oldest_page") if pages > 1 else 1
        st.caption(t("dept_oldest_caption", n=n_open, overdue=n_overdue, per=per_page))
        items = query(dep.oldest_open, f, focus, per_page, (page - 1) * per_page)
        listing = pd.DataFrame(
            {
                t("dept_col_code"): items["code"],
                t("dept_col_category"): items["category_en" if english else "category"],
                t("dept_col_urgency"): items["urgency"].map(lambda u: t(f"dept_urgency_{u}")),
                t("dept_col_source"): items["source"].map(lambda s: t(f"dept_source_{s}")),
                t("dept_col_town"): items["town"].fillna(t("dept_unlocated")),
                t("dept_col_village"): items["village"].fillna(""),
                t("dept_col_grid"): items["grid"].fillna(""),
                t("dept_col_dispatched"): items["dispatched_at"].map(fmt.local_time),
                t("dept_col_accepted"): items["accepted_at"].map(lambda v: "" if pd.isna(v) else fmt.local_time(v)),
                t("dept_col_deadline"): items["deadline"].map(fmt.local_time),
                t("dept_col_waited"): (items["waited_hours"] / 24).round(1),
                t("dept_col_overdue"): items["overdue"].map(lambda o: t("dept_yes") if o else t("dept_no")),
            }
        )
        st.dataframe(listing, hide_index=True, key="dept_oldest_table")

# --- reverse evaluation (街呼区应) ------------------------------------------------------------------
st.subheader(t("dept_reverse_title"))
st.caption(t("dept_reverse_caption", min_n=rules["min_received_for_rank"], gap=rules["mismatch_robust_z"]))
compared = table[table["z_gap"].notna()]
if compared.empty:
    st.info(t("dept_reverse_unrated"))
else:
    flagged = compared["mismatch"] != ""
    scatter = go.Figure()
    for mask, colour, name in (
        (~flagged, "#4C78A8", t("dept_flag_normal")),
        (flagged, "#E45756", t("dept_reverse_flagged")),
    ):
        part = compared[mask]
        scatter.add_trace(
            go.Scatter(
                x=part["score"],
                y=part["rating_avg"],
                mode="markers+text",  # every point names its department
                text=part["label"],
                textposition="top center",
                name=name,
                marker=dict(color=colour, size=11),
                customdata=part["label"],
                hovertemplate="%{customdata}<br>%{x:.1f} / %{y:.1f}<extra></extra>",
            )
        )
    scatter.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.12),
        xaxis_title=metric_name(DM["dept_score"]),
        yaxis_title=metric_name(DM["dept_rating"]),
    )
    plotly_chart(scatter, key="dept_reverse_chart")
    if flagged.any():
        st.markdown(f"**{t('dept_reverse_flagged')}**")
        st.dataframe(
            pd.DataFrame(
                {
                    t("dept_col_department"): compared.loc[flagged, "label"],
                    t("dept_col_rating"): compared.loc[flagged, "rating_avg"].round(2),
                    t("dept_col_rating_rank"): compared.loc[flagged, "rating_rank"].astype(int),
                    t("dept_col_score"): compared.loc[flagged, "score"].round(2),
                    t("dept_col_score_rank"): compared.loc[flagged, "score_rank"].astype(int),
                    t("dept_col_z_gap"): compared.loc[flagged, "z_gap"].round(2),
                    t("dept_col_mismatch"): compared.loc[flagged, "mismatch"].map(mismatch_text),
                }
            ),
            hide_index=True,
            key="dept_reverse_table",
        )
    else:
        st.success(t("dept_reverse_none"))
