"""Workforce tab 5: who reaches the retirement age in the coming years, and the gap it leaves."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from data_access import workforce as wf
from data_access.filters import FilterError
from ui.data import query
from ui.escape import md, plotly_chart
from ui.export import download_buttons
from ui.labels import error_text, t
from ui.sections.workforce.common import (
    CHART_MARGIN,
    TYPE_COLOURS,
    labelled,
    show_table,
)


def render(f, total, target: float) -> None:
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
