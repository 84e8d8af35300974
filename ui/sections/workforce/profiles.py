"""Workforce tab 2: age pyramid, education against the reference, the profile by town."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import workforce as wf
from ui import format as fmt
from ui.choices import chosen, with_all
from ui.data import query
from ui.escape import plotly_chart
from ui.export import download_buttons
from ui.labels import t
from ui.sections.workforce.common import (
    coded,
    labelled,
    nice_step,
    ref_source,
    show_table,
)


def render(f, total, by_town) -> None:
    town_names = dict(zip(by_town["town_id"].astype(int), by_town["town"]))
    all_label = t("workforce_profile_all")
    scope_town = st.selectbox(
        t("workforce_profile_scope"),
        with_all(town_names),
        key="workforce_profile_town",
        format_func=lambda i: all_label if chosen(i) is None else town_names[i],
        placeholder=t("select_placeholder"),
    )
    scope_town = chosen(scope_town)
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
            f"{name}  {fmt.percent(s)} ({fmt.count(n)})"
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
            share=fmt.percent(scope_row["aged_50_plus_share"]),
            n=fmt.count(scope_row["aged_50_plus"]),
            total=fmt.count(scope_total),
            ref=fmt.percent(wf.REFERENCE["aged_50_plus_share"]),
        )
        + " "
        + t("workforce_reference", source=ref_source())
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
