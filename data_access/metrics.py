"""Metric definitions: the one place that says what each number on the dashboard means.

Every metric has a Chinese and an English name, a one-sentence definition in both languages,
and — next to it — the SQL that computes it, so the words and the arithmetic cannot drift apart.
The README's metric table is generated from `METRICS` and a test checks it is up to date.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, true
from sqlalchemy.sql.elements import ColumnElement

from .filters import Filters
from .schema import events


@dataclass(frozen=True)
class Metric:
    key: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    unit: str = ""  # "" count, "%" share shown as a percentage, "score" 1..5


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric(
        "events_reported", "上报事件", "Events reported",
        "统计期内上报的全部事件数,含报备事件。",
        "All events reported in the period, filing-only events included.",
    ),
    Metric(
        "open_events", "在办事件", "Open events",
        "统计期末尚未结案的事件数(含统计期之前上报的积压件),不含报备事件。",
        "Events not yet closed at the end of the period, including older backlog; filing-only events excluded.",
    ),
    Metric(
        "overdue_events", "超期事件", "Overdue events",
        "统计期末未结案且已超过处置时限的事件数,不含报备事件。",
        "Open events whose deadline had passed at the end of the period; filing-only events excluded.",
    ),
    Metric(
        "on_time_closure_rate", "按期办结率", "On-time closure rate",
        "统计期内上报、已到期或已结案的事件中,在时限内结案的比例;未结案的超期件计入分母,报备事件不计入。",
        "Of the events reported in the period that were due or closed by its end, the share closed by their "
        "deadline; overdue open events count against it, filing-only events are excluded.",
        unit="%",
    ),
    Metric(
        "filing_only_events", "报备事件", "Filing-only events",
        "统计期内登记为“报备”的事件数:有记录、可查看,但不计入办结率。",
        "Events reported in the period as filing-only: recorded and visible, but outside the closure rate.",
    ),
    Metric(
        "workers_checked_in_today", "今日签到网格员", "Workers checked in today",
        "今天(北京时间)至少签到一次的在岗网格员人数,占在岗网格员总数的比例。",
        "Active workers with at least one check-in today (Beijing time), out of all active workers.",
    ),
    Metric(
        "rework_rate", "返工率", "Rework rate",
        "统计期内上报、已经核查(已结案或曾被驳回)的事件中,核查时被驳回至少一次的比例;报备事件不计入。",
        "Of the events reported in the period that reached verification (closed, or rejected before), the share "
        "rejected at least once; filing-only events excluded.",
        unit="%",
    ),
    Metric(
        "satisfaction_avg", "群众满意度", "Resident satisfaction",
        "统计期内上报、已结案且居民给出评价的事件的平均评分(1–5分)。",
        "Average resident rating (1–5) of the events reported in the period that were closed and rated.",
        unit="score",
    ),
]}


# --- SQL for each metric (over `events`, already restricted to the unit/category filter) -------

def _not_filing() -> ColumnElement:
    return events.c.filing_only == false()


def _in_period(f: Filters) -> ColumnElement:
    return events.c.report_date.between(f.date_from, f.date_to)


def _closed_by(moment) -> ColumnElement:
    return and_(events.c.closed_at.is_not(None), events.c.closed_at <= moment)


def _count_if(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def events_reported_expr(f: Filters) -> ColumnElement:
    return _count_if(_in_period(f))


def filing_only_expr(f: Filters) -> ColumnElement:
    return _count_if(and_(_in_period(f), events.c.filing_only == true()))


def _backlog_condition(f: Filters) -> ColumnElement:
    return and_(
        _not_filing(),
        events.c.reported_at <= f.period_end,
        or_(events.c.closed_at.is_(None), events.c.closed_at > f.period_end),
    )


def open_events_expr(f: Filters) -> ColumnElement:
    return _count_if(_backlog_condition(f))


def overdue_events_expr(f: Filters) -> ColumnElement:
    return _count_if(and_(_backlog_condition(f), events.c.deadline < f.period_end))


def on_time_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    """(numerator, denominator) of the on-time closure rate."""
    due_or_closed = and_(
        _in_period(f), _not_filing(),
        or_(events.c.deadline <= f.period_end, _closed_by(f.period_end)),
    )
    on_time = and_(due_or_closed, _closed_by(f.period_end), events.c.closed_at <= events.c.deadline)
    return _count_if(on_time), _count_if(due_or_closed)


def rework_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    # Closed events have been verified; rejected ones reached verification at least once.
    verified = and_(_in_period(f), _not_filing(), or_(_closed_by(f.period_end), events.c.rejections > 0))
    return _count_if(and_(verified, events.c.rejections > 0)), _count_if(verified)


def satisfaction_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    rated = and_(_in_period(f), _not_filing(), _closed_by(f.period_end), events.c.satisfaction.is_not(None))
    return (
        func.coalesce(func.sum(case((rated, events.c.satisfaction), else_=0)), 0),
        _count_if(rated),
    )


def ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    """numerator / denominator, or None (shown as "—") when there is nothing to divide by."""
    if not denominator:
        return None
    return float(numerator or 0) / float(denominator)


def markdown_table(lang: str = "zh") -> str:
    """The metric table for the README (both languages in one table)."""
    lines = [
        "| key | 指标 | Metric | 定义 | Definition |",
        "|---|---|---|---|---|",
    ]
    for m in METRICS.values():
        lines.append(f"| `{m.key}` | {m.name_zh} | {m.name_en} | {m.definition_zh} | {m.definition_en} |")
    return "\n".join(lines)
