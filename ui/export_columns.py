"""What each exported column of the rankings and department tables is: its unit (so the XLSX
shows it as the page does and CSV and XLSX hold the same numbers) and its definition (for the
XLSX About sheet). Keyed by the column titles the pages show, in the session's language."""

from __future__ import annotations

from data_access.metrics import METRICS

from .export import Column
from .labels import metric_definition, t


def _m(key: str) -> str:
    return metric_definition(METRICS[key], with_source=False)


def ranking_columns(level: str) -> dict[str, Column]:
    """The monthly ranking table (pages/monthly_rankings.py), at `level`."""
    name_key = "mr_col_worker" if level == "worker" else "mr_col_name"
    cols = {
        t("mr_col_rank"): Column("count", t("xdef_rank")),
        t("mr_col_change"): Column("signed", t("mr_col_change_help")),
        t(name_key): Column("text", t(f"xdef_subject_{level}")),
        t("mr_col_town"): Column("text", t("xdef_town")),
        t("mr_col_village"): Column("text", t("xdef_village")),
        t("mr_col_reported"): Column("count", t("xdef_reported")),
        t("mr_col_quota"): Column("decimal1", t("xdef_quota")),
        t("mr_col_total"): Column("decimal1", _m("rank_total")),
        t("mr_col_grade"): Column("text", t("xdef_grade")),
        t("mr_col_flags"): Column("text", t("xdef_flags")),
        t("mr_col_closure"): Column("percent100", t("xdef_closure")),
        t("mr_col_qualified"): Column("percent100", t("xdef_qualified")),
        t("mr_col_excellent"): Column("percent100", t("xdef_excellent")),
        t("mr_col_verify"): Column("percent100", _m("rank_on_time_verify_rate")),
        t("mr_col_team"): Column("percent100", _m("rank_team_share")),
        t("mr_col_transfer"): Column("percent100", _m("rank_transfer_share")),
        t("mr_col_satisfaction"): Column("decimal2", t("xdef_satisfaction")),
    }
    for part in ("quantity", "quality", "process", "residents"):
        cols[t(f"mr_col_{part}")] = Column("decimal1", _m(f"rank_{part}"))
    return cols


def consequence_columns() -> dict[str, Column]:
    """The consequences table of the rankings page."""
    return {
        t("mr_col_worker"): Column("text", t("xdef_subject_worker")),
        t("mr_col_town"): Column("text", t("xdef_town")),
        t("mr_col_village"): Column("text", t("xdef_village")),
        t("mr_col_rank"): Column("count", t("xdef_rank")),
        t("mr_col_total"): Column("decimal1", _m("rank_total")),
        t("mr_col_prev_total"): Column("decimal1", t("xdef_prev_total")),
        t("mr_col_reasons"): Column("text", t("xdef_reasons")),
        t("mr_col_state"): Column("text", t("xdef_review_state")),
        t("mr_col_flagged"): Column("text", t("xdef_flagged")),
    }


DEPARTMENT_KINDS = {"share": "percent2", "hours": "decimal2", "score": "decimal2", "count": "count", "text": "text"}


def department_columns(spec: list[tuple[str, str, str | None, str]]) -> dict[str, Column]:
    """The department table, from the page's (source, label key, metric key, kind) list."""
    out = {}
    for src, label, metric_key, kind in spec:
        if metric_key:
            definition = _m(metric_key)
        else:
            definition = t({"label": "xdef_department", "open_now": "dept_open_help"}.get(src, "xdef_mismatch"))
        out[t(label)] = Column(DEPARTMENT_KINDS[kind], definition)
    return out
