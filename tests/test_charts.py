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


def test_count_axes_tick_whole_numbers():
    import plotly.graph_objects as go

    from ui.charts import count_axis

    for top, step in ((3, 1), (12.27, 5), (40, 10), (0, 1), (float("nan"), 1), (733, 200)):
        fig = count_axis(go.Figure(go.Bar(x=[1], y=[top])), top)
        axis = fig.layout.yaxis
        assert axis.dtick == step and axis.tickformat == ",d" and axis.tick0 == 0, (top, axis.dtick)
        assert float(axis.dtick).is_integer()


def test_a_change_that_shows_as_zero_is_neutral():
    from ui import format as fmt

    assert fmt.delta(10, 10, "") == "0" and fmt.is_zero_delta(10, 10, "")
    assert fmt.delta(4.001, 4.004, "score") == "0.00" and fmt.is_zero_delta(4.001, 4.004, "score")
    assert fmt.delta(0.5, 0.5004, "%") == "0.0 pt" and fmt.is_zero_delta(0.5, 0.5004, "%")
    assert fmt.delta(12, 10, "") == "+2" and not fmt.is_zero_delta(12, 10, "")
    assert fmt.delta(3.9, 4.0, "score") == "-0.10"
    assert fmt.delta(None, 4, "") is None and not fmt.is_zero_delta(None, 4, "")


def test_a_running_month_is_labelled_partial_in_both_languages():
    from ui import format as fmt
    from ui.labels import use_lang

    end = local_midnight_utc(dt.date(2026, 12, 5))  # the filter ends with 4 December
    with use_lang("zh"):
        assert fmt.month_label("2026-12", end) == "2026-12(截至 4 日)"
        assert fmt.month_label(dt.date(2026, 11, 1), end) == "2026-11"  # November is over
        # a month that ends exactly at the filter's end is whole
        assert fmt.month_label("2026-11", local_midnight_utc(dt.date(2026, 12, 1))) == "2026-11"
        noon = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)  # now: 12:00 on the 4th in Beijing
        assert fmt.month_label(dt.date(2026, 12, 1), noon) == "2026-12(截至 4 日)"
    with use_lang("en"):
        assert fmt.month_label("2026-12", end) == "2026-12 (to day 4)"
