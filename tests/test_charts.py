"""The partial-period helper every trend chart uses (ui/charts.py)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from data_access.filters import local_midnight_utc
from ui.charts import is_partial, mark_partial, next_start


def test_a_period_is_partial_until_it_has_ended():
    day = dt.date(2026, 12, 3)
    assert is_partial(day, "day", local_midnight_utc(day) + dt.timedelta(hours=3))
    assert not is_partial(day, "day", local_midnight_utc(day + dt.timedelta(days=1)))
    assert next_start(dt.date(2026, 12, 1), "month") == dt.date(2027, 1, 1)
    assert next_start(dt.date(2026, 1, 31), "month") == dt.date(2026, 2, 1)
    assert is_partial(dt.date(2026, 12, 1), "month", local_midnight_utc(dt.date(2026, 12, 31)))
    assert not is_partial(dt.date(2026, 11, 1), "month", local_midnight_utc(dt.date(2026, 12, 1)))


def test_mark_partial_dashes_the_last_segment_and_hatches_the_last_bar():
    x = ["2026-10", "2026-11", "2026-12"]
    fig = go.Figure([go.Bar(x=x, y=[5, 6, 1], name="bars"), go.Scatter(x=x, y=[3, 4, 0.5], name="line", mode="lines")])
    mark_partial(fig, True, "month")
    bar, line, tail = fig.data
    assert list(bar.marker.pattern.shape) == ["", "", "/"] and list(bar.marker.opacity) == [1.0, 1.0, 0.5]
    assert list(line.x) == x[:2] and list(line.y) == [3, 4]  # the solid line stops before the running month
    assert list(tail.x) == x[1:] and tail.line.dash == "dash" and tail.showlegend is False
    assert tail.line.color == line.line.color and tail.legendgroup == line.legendgroup
    assert fig.layout.annotations[0].x == "2026-12"


def test_mark_partial_leaves_a_finished_period_alone():
    fig = go.Figure([go.Scatter(x=[1, 2, 3], y=[1, 2, 3], mode="lines+markers")])
    mark_partial(fig, False, "day")
    assert len(fig.data) == 1 and list(fig.data[0].x) == [1, 2, 3] and not fig.layout.annotations
