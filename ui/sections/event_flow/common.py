"""What the event flow tabs share: code labels, node positions, the Sankey figure, the outcome legend."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import flows
from ui import format as fmt
from ui.labels import LABELS, t

OUTCOME_COLOURS = {  # colour-blind-safe (Okabe–Ito)
    "closed": (0, 158, 115),
    "closed_returned": (230, 159, 0),
    "closed_rejected": (213, 94, 0),
    "open": (0, 114, 178),
    "filed": (204, 121, 167),
}
COLUMN_X = {"origin": 0.0, "level": (0.18, 0.36, 0.54, 0.7), "dispatch": 0.83, "outcome": 1.0}
NODE_COLOURS = {"origin": "#6b7280", "level": "#1f4e79", "dispatch": "#4b6f44", "outcome": None}


def tr(prefix: str, value) -> str:
    """The label for a stored code, or the code itself when the store holds one we do not know."""
    key = f"{prefix}{value}"
    return t(key) if key in LABELS else str(value)


def node_label(node: str) -> str:
    kind, name = node.split(":", 1)
    return tr(f"ef_node_{kind}_", name)


def level_label(level) -> str:
    return tr("ef_level_", level) if isinstance(level, str) and level else t("ef_level_none")


def rgba(outcome: str, alpha: float) -> str:
    r, g, b = OUTCOME_COLOURS[outcome]
    return f"rgba({r},{g},{b},{alpha})"


def node_positions(nodes: list[str], size: pd.Series) -> tuple[list[float], list[float]]:
    """Fixed columns (origin, each level, dispatch, outcome) and the model's order within a column,
    so the chart reads left to right in the same order every time."""

    def column(node: str) -> float:
        kind, name = node.split(":", 1)
        if kind == "level":
            return COLUMN_X["level"][flows.PATH_LEVELS.index(name)] if name in flows.PATH_LEVELS else 0.5
        return COLUMN_X[kind]

    xs = [column(n) for n in nodes]
    ys = []
    for n, x in zip(nodes, xs):
        same = [m for m, mx in zip(nodes, xs) if mx == x]
        total = float(sum(size.get(m, 0) for m in same)) or 1.0
        gap = 0.04 if len(same) > 1 else 0.0
        scale = (1 - gap * (len(same) - 1)) / total
        before = same[: same.index(n)]
        top = sum(size.get(m, 0) for m in before) * scale + gap * len(before)
        ys.append(min(0.999, max(0.001, top + size.get(n, 0) * scale / 2)))
    return [min(0.999, max(0.001, x)) for x in xs], ys


def sankey_figure(links: pd.DataFrame, height: int = 560) -> go.Figure:
    nodes = sorted(set(links["source"]) | set(links["target"]), key=flows.node_order)
    index = {n: i for i, n in enumerate(nodes)}
    total = links.loc[links["source"].str.startswith("origin:"), "events"].sum()
    out_of = links.groupby("source")["events"].sum()
    through = pd.concat([links.groupby("target")["events"].sum(), out_of], axis=1).max(axis=1)
    labels = [f"{node_label(n)} {fmt.count(through.get(n, 0))}" for n in nodes]
    colours = [
        rgba(n.split(":", 1)[1], 0.95) if n.startswith("outcome:") else NODE_COLOURS[n.split(":", 1)[0]] for n in nodes
    ]
    custom = [
        [
            node_label(f"outcome:{o}"),
            fmt.percent(e / total if total else None),
            fmt.percent(e / out_of[s] if out_of.get(s) else None),
        ]
        for s, o, e in zip(links["source"], links["outcome"], links["events"])
    ]
    xs, ys = node_positions(nodes, through)
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            textfont=dict(color="#111827", size=13),
            node=dict(
                label=labels,
                color=colours,
                pad=18,
                thickness=16,
                line=dict(width=0),
                x=xs,
                y=ys,
                hovertemplate=t("ef_hover_node"),
            ),
            link=dict(
                source=[index[s] for s in links["source"]],
                target=[index[x] for x in links["target"]],
                value=links["events"].tolist(),
                color=[rgba(o, 0.45) for o in links["outcome"]],
                customdata=custom,
                hovertemplate=t("ef_hover_link"),
            ),
        )
    )
    figure.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), font=dict(size=13))
    return figure


def outcome_legend() -> None:
    items = " ".join(
        f"<span style='display:inline-block;width:12px;height:12px;background:{rgba(o, 0.9)};"
        f"margin:0 4px 0 12px'></span>{node_label('outcome:' + o)}"
        for o in flows.OUTCOMES
    )
    st.html(f"<div style='font-size:0.85rem'>{t('ef_legend')} {items}</div>")
