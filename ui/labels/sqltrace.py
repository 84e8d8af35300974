"""Labels of "SQL behind this number" (ui/sqltrace.py) and of the metric source line."""

LABELS: dict[str, tuple[str, str]] = {
    "metric_computed_by": ("计算", "Computed by"),
    "metric_rollups": ("汇总表", "rollups"),
    "sqltrace_toggle": ("显示本页数字背后的SQL", "Show the SQL behind this page's numbers"),
    "sqltrace_help": (
        "仅管理员可见。开启后,本页通过 data_access 取数时记录执行的SQL语句及其绑定参数(每次最多40条)。",
        "Admins only. While on, the statements this page's data_access calls execute are recorded with "
        "their bound parameters (at most 40 a call).",
    ),
    "sqltrace_title": (
        "本页SQL:{calls} 次取数,{statements} 条语句",
        "SQL of this page: {calls} calls, {statements} statements",
    ),
    "sqltrace_call": ("{fn} — 执行于 {at}{cached}", "{fn} — ran at {at}{cached}"),
    "sqltrace_cached": ("(缓存结果)", " (cached result)"),
    "sqltrace_issued_by": ("发出语句的函数", "issued by"),
    "sqltrace_params": ("参数", "parameters"),
    "sqltrace_dropped": ("另有 {n} 条语句未记录(超过上限)。", "{n} more statements not kept (over the limit)."),
    "sqltrace_calls_dropped": ("另有 {n} 次取数未记录(超过上限)。", "{n} more calls not kept (over the limit)."),
    "sqltrace_none": ("本页这次运行没有通过 data_access 取数。", "This run of the page made no data_access call."),
}
