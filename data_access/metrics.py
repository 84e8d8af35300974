"""Metric definitions: the one place that says what each number on the dashboard means.

Every metric has a Chinese and an English name, a one-sentence definition in both languages,
and — next to it — the SQL that computes it, so the words and the arithmetic cannot drift apart.
The README's metric table is generated from `METRICS` and a test checks it is up to date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import and_, case, false, func, or_, true
from sqlalchemy.sql.elements import ColumnElement

from .filters import Filters
from .schema import events, workers
from .sqlfuncs import count_if


@dataclass(frozen=True)
class Metric:
    key: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    unit: str = ""  # "" count, "%" share shown as a percentage, "score" 1..5
    # Where the number comes from (filled from SOURCES below): the data_access function a page
    # calls for it, and the derived tables (data_access/rollups modules) that function reads.
    computed_by: str = ""
    rollups: tuple[str, ...] = ()


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "events_reported",
            "上报事件",
            "Events reported",
            "统计期内上报的全部事件数,含报备事件。",
            "All events reported in the period, filing-only events included.",
        ),
        Metric(
            "open_events",
            "在办事件",
            "Open events",
            "统计期末尚未结案的事件数(含统计期之前上报的积压件),不含报备事件。",
            "Events not yet closed at the end of the period, including older backlog; filing-only events excluded.",
        ),
        Metric(
            "overdue_events",
            "超期事件",
            "Overdue events",
            "统计期末未结案且已超过处置时限的事件数,不含报备事件。",
            "Open events whose deadline had passed at the end of the period; filing-only events excluded.",
        ),
        Metric(
            "on_time_closure_rate",
            "按期办结率",
            "On-time closure rate",
            "统计期内上报、已到期或已结案的事件中,在时限内结案的比例;未结案的超期件计入分母,报备事件不计入。",
            "Of the events reported in the period that were due or closed by its end, the share closed by their "
            "deadline; overdue open events count against it, filing-only events are excluded.",
            unit="%",
        ),
        Metric(
            "filing_only_events",
            "报备事件",
            "Filing-only events",
            "统计期内登记为“报备”的事件数:有记录、可查看,但不计入办结率。",
            "Events reported in the period as filing-only: recorded and visible, but outside the closure rate.",
        ),
        Metric(
            "workers_checked_in_today",
            "今日签到网格员",
            "Workers checked in today",
            "今天(北京时间)至少签到一次的在岗网格员人数,占在岗网格员总数的比例。",
            "Active workers with at least one check-in today (Beijing time), out of all active workers.",
        ),
        Metric(
            "rework_rate",
            "返工率",
            "Rework rate",
            "统计期内上报、已经核查(已结案或曾被驳回)的事件中,核查时被驳回至少一次的比例;报备事件不计入。",
            "Of the events reported in the period that reached verification (closed, or rejected before), the share "
            "rejected at least once; filing-only events excluded.",
            unit="%",
        ),
        Metric(
            "satisfaction_avg",
            "群众满意度",
            "Resident satisfaction",
            "统计期内上报、已结案且居民给出评价的事件的平均评分(1–5分)。",
            "Average resident rating (1–5) of the events reported in the period that were closed and rated.",
            unit="score",
        ),
        # --- event flow --- (SQL: data_access/flows.py; the node model is in its docstring)
        Metric(
            "flow_events",
            "流转事件",
            "Events in the flow",
            "统计期内上报(截至期末)的事件,每件按来源计一次,沿其到达的最高层级走到派单去向和结果。",
            "Events reported in the period (by its end), each counted once at its origin and followed up to the "
            "highest level it reached, where it was dispatched, and its outcome.",
        ),
        Metric(
            "flow_escalated_share",
            "上报率",
            "Escalated share",
            "回看窗口内网格上报(巡查、走访、来电)、非报备、已受理或已上报的事件中,曾上报至{lv_village}或以上的比例。",
            "Of the grid-reported events (patrol, visit, call) in the look-back window that were not filing-only "
            "and had been accepted or escalated, the share escalated to the {lv_village|village} level or above.",
            unit="%",
        ),
        Metric(
            "flow_hotline_per_report",
            "热线件/网格上报件",
            "Hotline events per grid report",
            "回看窗口内定位在该单位的12345热线事件数 ÷ 其网格上报的计入事件数;居民绕过网格直接求助的信号。",
            "12345 hotline events located in the unit in the look-back window divided by its counted grid "
            "reports; a sign of residents going around the grid.",
            unit="ratio",
        ),
        Metric(
            "flow_stage_p90_hours",
            "环节用时(中位数/90分位)",
            "Stage time (median / 90th percentile)",
            "每个环节从首个起始步骤到结束步骤的用时(小时),只计期末前已完成该环节的事件;精确分位数。",
            "Hours from a stage's starting step to its ending step, over the events that finished that stage by "
            "the end of the period; exact percentiles.",
            unit="ratio",
        ),
        Metric(
            "flow_stage_breach_share",
            "环节超时率",
            "Stage breach share",
            "完成该环节的事件中超时的比例:办结→核查超过核查时限(24小时);其他环节结束时已超过事件处置时限。",
            "Of the events that finished the stage, the share late: completion→verification longer than the "
            "verification limit (24 hours); any other stage ending after the event's handling deadline.",
            unit="%",
        ),
        Metric(
            "flow_round_trips",
            "往返次数",
            "Round trips",
            "期末前每件事件的退回(上级退回下级、部门退回派单中心)与驳回(核查不合格重办)次数之和。",
            "Per event, the returns (an upper level or a department sending it back) plus rejections (failed "
            "verification, redone) by the end of the period.",
        ),
        # --- workforce --- (SQL: `active_on` below; the rest in data_access/workforce.py)
        Metric(
            "workforce_active",
            "在岗网格员",
            "Active workers",
            "统计期末日在岗的网格员人数:入职日不晚于该日,且没有离职日或离职日晚于该日;含专职、兼职和部门下沉人员。",
            "Workers in post on the last day of the period: hired on or before it and not left by it (no leaving "
            "date, or one after it); full-time, part-time and departmental alike.",
        ),
        Metric(
            "workforce_full_time",
            "专职网格员",
            "Full-time workers",
            "统计期末日在岗、用工类型为专职的网格员人数。",
            "Active workers on the last day of the period whose employment type is full-time.",
        ),
        Metric(
            "workforce_aged_50_plus",
            "50岁及以上占比",
            "Aged 50 or over",
            "统计期末日在岗网格员中,按出生日期计算周岁满50岁的比例。",
            "Share of the active workers who are 50 or older (completed years from the birth date) on the last "
            "day of the period.",
            unit="%",
        ),
        Metric(
            "workforce_per_1000_residents",
            "每千居民网格员数",
            "Workers per 1,000 residents",
            "在岗网格员人数 ÷ 范围内网格登记常住人口 × 1000。",
            "Active workers divided by the residents registered in the grids in scope, times 1,000.",
            unit="ratio",
        ),
        Metric(
            "workforce_per_100_households",
            "每百户网格员数",
            "Workers per 100 households",
            "在岗网格员人数 ÷ 范围内网格登记户数 × 100。",
            "Active workers divided by the households registered in the grids in scope, times 100.",
            unit="ratio",
        ),
        Metric(
            "workforce_grids_without_full_time",
            "无专职网格数",
            "Grids without full-time",
            "统计期末日没有任何在岗专职网格员的网格数。",
            "Grids with no active full-time worker on the last day of the period.",
        ),
        Metric(
            "workforce_turnover_annualised",
            "年化流失率",
            "Annualised turnover",
            "分析窗口内离职人数 ÷ 平均在岗人数(窗口首日与末日在岗人数的平均)× 12 ÷ 窗口月数。",
            "Leavers in the analysis window divided by the average headcount (mean of the headcounts on its "
            "first and last day), scaled to a year (× 12 ÷ months in the window).",
            unit="%",
        ),
        Metric(
            "workforce_events_per_worker_month",
            "人均月上报事件",
            "Events per worker per month",
            "分析窗口内每个整月在岗的网格员,当月由其上报的事件数(含报备件,不按事件大类筛选)的平均值。",
            "For each worker in post for a whole month of the analysis window, the events they reported that "
            "month (filing-only included, whatever the category), averaged over those worker-months.",
            unit="ratio",
        ),
        # --- department response ---
        # "Assignment" = one event dispatched to one department, in the period of its first dispatch there;
        # SQL in data_access/departments.py.
        Metric(
            "dept_received",
            "收到派单",
            "Events received",
            "统计期内首次派给该部门的事件数(同一事件退回后改派给另一部门,两个部门各计一次);报备事件不计入。",
            "Events first dispatched to the department in the period (an event returned and re-dispatched counts "
            "once for each department); filing-only events excluded.",
        ),
        Metric(
            "dept_accept_hours",
            "签收用时",
            "Time to accept",
            "从派单到该部门首次签收的小时数,取中位数和第90百分位;未签收的不计入。",
            "Hours from dispatch to the department's first acceptance, as median and 90th percentile; events not "
            "yet accepted are left out.",
        ),
        Metric(
            "dept_complete_hours",
            "办结用时",
            "Time to complete",
            "从派单到该部门最后一次办结(驳回重办的以重办为准)的小时数,取中位数和第90百分位;退回的和未办结的不计入。",
            "Hours from dispatch to the department's last completion (a redo after rejection counts), as median and "
            "90th percentile; returned and unfinished events are left out.",
        ),
        Metric(
            "dept_on_time_rate",
            "按期处置率",
            "On-time handling rate",
            "未退回且已办结或已到期的派单中,在事件处置时限内办结的比例;到期未办结的计入分母。",
            "Of the events it kept that were completed or past their deadline by the period end, the share completed "
            "by the event's deadline; overdue unfinished ones count against it.",
            unit="%",
        ),
        Metric(
            "dept_overdue_now",
            "当前超期",
            "Overdue now",
            "统计期末仍在该部门手中(未退回、未办结、未结案)且已超过处置时限的事件数,不论何时派单。",
            "Events still with the department at the period end (not returned, completed or closed) and past their "
            "deadline, whenever dispatched.",
        ),
        Metric(
            "dept_return_rate",
            "退回率",
            "Return rate",
            "收到的派单中,被该部门以“非本部门职责”退回指挥中心的比例。",
            "Of the events received, the share the department sent back to the dispatching centre as not its own.",
            unit="%",
        ),
        Metric(
            "dept_rework_rate",
            "返工率",
            "Rework rate",
            "该部门办结的派单中,核查时被驳回至少一次的比例。",
            "Of the events the department completed, the share rejected at verification at least once.",
            unit="%",
        ),
        Metric(
            "dept_satisfaction",
            "群众满意度",
            "Resident satisfaction",
            "该部门办结(未退回)且已结案、居民给出评价的事件的平均评分(1–5分)。",
            "Average resident rating (1–5) of the events it kept that were closed and rated.",
            unit="score",
        ),
        Metric(
            "dept_closure_rate",
            "结案率",
            "Closure rate",
            "收到的派单中由该部门办结的比例;退回的计入分母。",
            "Of the events received, the share the department completed; returned ones count against it.",
            unit="%",
        ),
        Metric(
            "dept_score",
            "部门综合得分",
            "Department score",
            "按数字城管评价办法:100×(结案率×权重+按期处置率×权重+(1−返工率)×权重+处置量占比×权重),权重取自考核规则;"
            "收到件数不足规定下限的部门不评分。",
            "As the digital-urban-management standard does: 100 × (closure rate × weight + on-time rate × weight + "
            "(1 − rework rate) × weight + volume share × weight), weights from the assessment rules; departments "
            "below the minimum volume are not scored.",
        ),
        Metric(
            "dept_rating",
            "镇街评价(街呼区应)",
            "Towns' rating",
            "统计期涉及月份内各镇街对该部门的月度评分(0–100)的平均值。",
            "Average of the towns' monthly ratings (0–100) of the department over the months the period touches.",
        ),
        # --- monthly rankings --- (SQL and arithmetic: data_access/rankings.py; weights from assessment_rules)
        Metric(
            "rank_total",
            "考核总分",
            "Assessment score",
            "按所选考核规则:各部分得分(0–100)乘以规则中的权重后相加;排名对象为专职网格员、{lv_village}、{lv_town}。",
            "Under the chosen ruleset: the parts (0–100) times their weights from the rules, added up; full-time "
            "workers, {lv_village_pl|communities} and {lv_town_pl|towns} are ranked.",
            unit="score",
        ),
        Metric(
            "rank_quantity",
            "数量得分",
            "Quantity points",
            "100 × min(1, 当月网格上报事件数 ÷ 定额);定额取自规则(街道加码、按人口归一化视规则而定)。",
            "100 × min(1, grid reports in the month ÷ quota); the quota comes from the rules (street bonus and "
            "per-resident normalisation as the ruleset says).",
            unit="score",
        ),
        Metric(
            "rank_quality",
            "质量得分",
            "Quality points",
            "100 × 办结率、合格率、优秀率、按时核查率的平均(无分母的不计);报备事件是否计入办结率由规则决定。",
            "100 × the mean of closure, qualified, excellent and on-time verification rates (those with a "
            "denominator); whether filing-only events count in the closure rate is a rule.",
            unit="score",
        ),
        Metric(
            "rank_process",
            "过程得分",
            "Process points",
            "50 × min(1, 联合处置率 ÷ 规则下限) + 50 × min(1, 区级流转率 ÷ 规则目标)。",
            "50 × min(1, team-handled share ÷ the rule's minimum) + 50 × min(1, county-transfer share ÷ the "
            "rule's target).",
            unit="score",
        ),
        Metric(
            "rank_residents",
            "群众评价得分",
            "Residents' evaluation points",
            "100 × (已结案事件的平均评分 − 1) ÷ 4;当月无评价的取本层级当月平均。",
            "100 × (mean rating of closed events − 1) ÷ 4; with no ratings, the level's mean for the month.",
            unit="score",
        ),
        Metric(
            "rank_on_time_verify_rate",
            "按时核查率",
            "On-time verification rate",
            "当月上报、已办结且已核查或核查时限已过的事件中,办结后规定小时内完成核查的比例。",
            "Of the month's reports completed and verified (or past the verification limit), the share verified "
            "within the allowed hours of completion.",
            unit="%",
        ),
        Metric(
            "rank_team_share",
            "联合处置率",
            "Team-handled share",
            "当月网格上报事件中,在{lv_village}及以上层级处置(非网格自办)的比例。",
            "Of the month's grid reports, the share handled at {lv_village|village} level or above "
            "rather than by the grid alone.",
            unit="%",
        ),
        Metric(
            "rank_transfer_share",
            "区级流转率",
            "County-transfer share",
            "当月网格上报事件中,流转到{lv_county}级或职能部门处置的比例。",
            "Of the month's grid reports, the share handled by the county centre or a department.",
            unit="%",
        ),
        # --- integrity review in the consequences --- (data_access/integrity_review.py)
        Metric(
            "integrity_double_pay_flagged",
            "双倍绩效名额(其中被标记者)",
            "Double-pay places (to flagged workers)",
            "按该考核规则签发当月排名时实际给出的双倍绩效名额数,以及其中给了当月有履职真实性标记(凑件、重复上报、"
            "空巡)的网格员的名额数;待复核的不计入。",
            "Double-pay places the ruleset actually grants for the month, and how many of them go to workers with "
            "an integrity flag this month (padding, near-duplicates, empty patrols); places pending review are "
            "not counted.",
        ),
        Metric(
            "integrity_loses_pay_flagged",
            "扣发绩效人数(其中被标记者)",
            "Pay losses (of flagged workers)",
            "按该考核规则签发当月排名时实际扣发绩效的人数,以及其中当月有履职真实性标记的网格员人数;待复核的不计入。",
            "Workers the ruleset actually docks the month's performance pay, and how many of them have an "
            "integrity flag this month; losses pending review are not counted.",
        ),
        Metric(
            "integrity_pending",
            "待复核",
            "Pending review",
            "在启用复核的规则下,有强标记且尚未复核完毕的网格员中,有奖惩后果(双倍绩效、扣发绩效、解聘风险)的人数:"
            "其被标记事件暂不计入数量分,奖惩暂不生效;不启用复核的规则下为 0。",
            "Under a ruleset that reviews, workers under a strong flag whose review is not finished and who would "
            "have a consequence (double pay, pay loss, dismissal risk): their flagged events are out of the "
            "quantity part and the consequence waits; 0 under a ruleset that does not review.",
        ),
        # --- live map --- (SQL: data_access/live.py; backlog and check-ins at the live clock, not the period end)
        Metric(
            "live_open_events",
            "在办事件(实时)",
            "Open events (live)",
            "此刻尚未结案的事件数(含历史积压),不含报备事件;不受日期范围影响。",
            "Events not closed at this moment, older backlog included, filing-only excluded; the date range does "
            "not apply.",
        ),
        Metric(
            "live_overdue_events",
            "超期事件(实时)",
            "Overdue events (live)",
            "此刻未结案且已超过处置时限的事件数,不含报备事件。",
            "Open events whose deadline has passed at this moment; filing-only events excluded.",
        ),
        Metric(
            "events_per_1000_residents",
            "每千人事件数",
            "Events per 1,000 residents",
            "统计期内上报的事件数(含报备)除以该单元常住人口,再乘以1000;人口取网格登记的常住人口。",
            "Events reported in the period (filing-only included) per 1,000 registered residents of the unit.",
            unit="per1000",
        ),
        Metric(
            "live_workers_checked_in",
            "今日签到(实时)",
            "Checked in today (live)",
            "今天(北京时间)到此刻至少签到一次的在岗网格员人数(按网格员所属单元统计)/该单元在岗网格员总数。",
            "Active workers with at least one check-in today (Beijing time) up to now, counted in the unit they "
            "belong to, out of the unit's active workers.",
        ),
        Metric(
            "grids_without_checkin",
            "今日无签到网格",
            "Grids with no check-in today",
            "今天(北京时间)到此刻没有任何网格员在该网格内签到的网格数。",
            "Grids where no worker has checked in today (Beijing time) up to now.",
        ),
    ]
}


# --- where each number is computed -------------------------------------------------------------
# metric key -> (the data_access function the pages call, the rollup modules it reads). Shown next
# to the definition (ui.labels.metric_definition) and in the README's metric table; the
# "SQL behind this number" expander (ui/sqltrace.py) lists the statements that function ran.
# tests/test_metric_sources.py checks every metric has an entry and every name resolves.
_OVERVIEW, _DAILY, _BACKLOG = "overview.kpi_summary", ("daily_counts",), ("backlog_days",)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "events_reported": (_OVERVIEW, _DAILY),
    "open_events": (_OVERVIEW, _BACKLOG),
    "overdue_events": (_OVERVIEW, _BACKLOG),
    "on_time_closure_rate": (_OVERVIEW, _DAILY),
    "filing_only_events": (_OVERVIEW, _DAILY),
    "workers_checked_in_today": (_OVERVIEW, ()),
    "rework_rate": (_OVERVIEW, _DAILY),
    "satisfaction_avg": (_OVERVIEW, _DAILY),
    "flow_events": ("flows.flow_links", ("event_paths",)),
    "flow_escalated_share": ("flows.escalation_profile", ("event_paths",)),
    "flow_hotline_per_report": ("flows.escalation_profile", ("event_paths",)),
    "flow_stage_p90_hours": ("flows.stage_timing", ("event_paths",)),
    "flow_stage_breach_share": ("flows.stage_timing", ("event_paths",)),
    "flow_round_trips": ("flows.round_trips", ("event_paths",)),
    "workforce_active": ("workforce.staffing_total", ()),
    "workforce_full_time": ("workforce.staffing_total", ()),
    "workforce_aged_50_plus": ("workforce.staffing_total", ()),
    "workforce_per_1000_residents": ("workforce.staffing_total", ()),
    "workforce_per_100_households": ("workforce.staffing_total", ()),
    "workforce_grids_without_full_time": ("workforce.grids_without_full_time", ()),
    "workforce_turnover_annualised": ("workforce.turnover_by_town", ()),
    "workforce_events_per_worker_month": ("workforce.workload_by_town", ("reporter_months",)),
    **{
        k: ("departments.department_page", ("assignments",))
        for k in (
            "dept_received",
            "dept_accept_hours",
            "dept_complete_hours",
            "dept_on_time_rate",
            "dept_overdue_now",
            "dept_return_rate",
            "dept_rework_rate",
            "dept_satisfaction",
            "dept_closure_rate",
            "dept_score",
        )
    },
    "dept_rating": ("departments.ratings_by_department", ()),
    **{
        k: ("rankings.month_view", ("reporter_months",))
        for k in (
            "rank_total",
            "rank_quantity",
            "rank_quality",
            "rank_process",
            "rank_residents",
            "rank_on_time_verify_rate",
            "rank_team_share",
            "rank_transfer_share",
        )
    },
    **{
        k: ("integrity_review.month_view", ("reporter_months",))
        for k in ("integrity_double_pay_flagged", "integrity_loses_pay_flagged", "integrity_pending")
    },
    "live_open_events": ("live.unit_numbers", _BACKLOG),
    "live_overdue_events": ("live.unit_numbers", _BACKLOG),
    "events_per_1000_residents": ("live.unit_period", ("daily_counts",)),
    "live_workers_checked_in": ("live.unit_numbers", ()),
    "grids_without_checkin": ("live.grids_without_checkin", ()),
}
METRICS = {
    key: replace(m, computed_by=f"data_access.{SOURCES[key][0]}", rollups=SOURCES[key][1]) if key in SOURCES else m
    for key, m in METRICS.items()
}


# --- SQL for each metric (over `events`, already restricted to the unit/category filter) -------


def _not_filing() -> ColumnElement:
    return events.c.filing_only == false()


def _in_period(f: Filters) -> ColumnElement:
    return events.c.report_date.between(f.date_from, f.date_to)


def _closed_by(moment) -> ColumnElement:
    return and_(events.c.closed_at.is_not(None), events.c.closed_at <= moment)


def active_on(day) -> ColumnElement:
    """`workforce_active` on `workers` for one day: hired by it and not left by it."""
    return and_(workers.c.hired_on <= day, or_(workers.c.left_on.is_(None), workers.c.left_on > day))


def events_reported_expr(f: Filters) -> ColumnElement:
    return count_if(_in_period(f))


def filing_only_expr(f: Filters) -> ColumnElement:
    return count_if(and_(_in_period(f), events.c.filing_only == true()))


# --- the backlog (open_events, overdue_events): one definition, read two ways ------------------
# Direct: count the events in the backlog at the moment (`in_backlog_at`; villages, grids, and the
# tests' reference). Default path: rollups/backlog_days keeps, per day, how many counted events
# joined, left, fell due, left late and left on time, and open(T) = joined(T) − left(T),
# overdue(T) = due(T) − left_late(T) − due_and_left_on_time(T) (its docstring has the proof).
# Both paths build on the names below, so a change to what "open" means changes both.
BACKLOG_JOINS = events.c.reported_at  # an event joins the backlog when it is reported
BACKLOG_LEAVES = events.c.closed_at  # and leaves it when it is closed
BACKLOG_DUE = events.c.deadline  # from its deadline on it is overdue


def backlog_counted() -> ColumnElement:
    """The events the backlog counts at all: not filing-only."""
    return _not_filing()


def in_backlog_at(moment) -> ColumnElement:
    """One event is open at `moment`: counted, joined by then, not left by then."""
    return and_(
        backlog_counted(),
        BACKLOG_JOINS <= moment,
        or_(BACKLOG_LEAVES.is_(None), BACKLOG_LEAVES > moment),
    )


def left_late() -> ColumnElement:
    """The event left the backlog after its deadline (the rollup's `closed_late`)."""
    return and_(BACKLOG_LEAVES.is_not(None), BACKLOG_LEAVES > BACKLOG_DUE)


def left_on_time() -> ColumnElement:
    """The event left the backlog by its deadline (the rollup's `due_on_time`, once due)."""
    return and_(BACKLOG_LEAVES.is_not(None), BACKLOG_LEAVES <= BACKLOG_DUE)


def open_events_expr(f: Filters) -> ColumnElement:
    return count_if(in_backlog_at(f.period_end))


def overdue_events_expr(f: Filters) -> ColumnElement:
    return count_if(and_(in_backlog_at(f.period_end), BACKLOG_DUE < f.period_end))


def on_time_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    """(numerator, denominator) of the on-time closure rate."""
    due_or_closed = and_(
        _in_period(f),
        _not_filing(),
        or_(events.c.deadline <= f.period_end, _closed_by(f.period_end)),
    )
    on_time = and_(due_or_closed, _closed_by(f.period_end), events.c.closed_at <= events.c.deadline)
    return count_if(on_time), count_if(due_or_closed)


def rework_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    # Closed events have been verified; rejected ones reached verification at least once.
    verified = and_(_in_period(f), _not_filing(), or_(_closed_by(f.period_end), events.c.rejections > 0))
    return count_if(and_(verified, events.c.rejections > 0)), count_if(verified)


def satisfaction_parts(f: Filters) -> tuple[ColumnElement, ColumnElement]:
    rated = and_(_in_period(f), _not_filing(), _closed_by(f.period_end), events.c.satisfaction.is_not(None))
    return (
        func.coalesce(func.sum(case((rated, events.c.satisfaction), else_=0)), 0),
        count_if(rated),
    )


def ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    """numerator / denominator, or None (shown as "—") when there is nothing to divide by."""
    if not denominator:
        return None
    return float(numerator or 0) / float(denominator)


def source_text(metric: Metric) -> str:
    """ "`data_access.x.fn` (rollups: `a`, `b`)": where the number is computed, for screen and README."""
    text = f"`{metric.computed_by}`"
    if metric.rollups:
        text += " (rollups: " + ", ".join(f"`{r}`" for r in metric.rollups) + ")"
    return text


def markdown_table(lang: str = "zh") -> str:
    """The metric table for the README (both languages in one table), with T county's level names
    (a store names its own levels on screen: data_access.levels.fill)."""
    from .levels import DEFAULT_LEVELS, fill

    lines = [
        "| key | 指标 | Metric | 定义 | Definition | 计算 Computed by |",
        "|---|---|---|---|---|---|",
    ]
    for m in METRICS.values():
        zh, en = fill(m.definition_zh, DEFAULT_LEVELS), fill(m.definition_en, DEFAULT_LEVELS, "en")
        lines.append(f"| `{m.key}` | {m.name_zh} | {m.name_en} | {zh} | {en} | {source_text(m)} |")
    return "\n".join(lines)
