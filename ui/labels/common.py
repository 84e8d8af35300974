"""Labels of the shell and the overview page."""

LABELS: dict[str, tuple[str, str]] = {
    # shell
    "app_title": ("网格智治指挥舱", "GridSight command centre"),
    "lang_switch": ("English", "English"),
    "filters": ("筛选", "Filters"),
    "date_range": ("日期范围", "Date range"),
    "date_range_help": ("按北京时间的上报日期,含首尾两天", "By reporting day (Beijing time), both ends included"),
    "pick_end_date": ("请再选择结束日期。", "Pick an end date too."),
    "town": ("镇街", "Town / street"),
    "village": ("{lv_village}", "{Lv_village|Village / community}"),
    "category": ("事件大类", "Category"),
    "all": ("全部", "All"),
    "select_placeholder": ("请选择", "Choose an option"),
    "nav_monitor": ("指挥监测", "Monitoring"),
    "nav_events": ("事件流转", "Event handling"),
    "nav_assessment": ("考核评价", "Assessment"),
    "nav_workforce": ("队伍建设", "Workforce"),
    "nav_admin": ("系统管理", "Administration"),
    "page_overview": ("总览", "Overview"),
    "page_live_map": ("实时地图", "Live map"),
    "page_event_flow": ("事件流转", "Event flow"),
    "page_department_response": ("部门响应", "Department response"),
    "page_monthly_rankings": ("月度排名", "Monthly rankings"),
    "page_workforce": ("队伍画像", "Workforce"),
    "page_data_import": ("数据导入", "Data import"),
    # store problems
    "store_unreachable_title": ("无法连接数据库", "The database cannot be reached"),
    "store_unreachable_body": (
        "GridSight 现在无法读取数据库。\n\n请管理员检查:\n"
        "1. 环境变量 `GRID_DB_URL` 或 `.streamlit/secrets.toml` 中的地址是否正确;\n"
        "2. PostgreSQL 服务是否已启动、用户名和密码是否正确;\n"
        "3. 若要使用自带的示例县,删除上述设置后重新启动,系统会自动生成 `sample_data/grid.db`。",
        "GridSight cannot read the database right now.\n\nAdministrators, please check:\n"
        "1. that the URL in the environment variable `GRID_DB_URL` or in `.streamlit/secrets.toml` is right;\n"
        "2. that the PostgreSQL server is running and the user name and password are right;\n"
        "3. to use the bundled sample county, remove those settings and restart: "
        "`sample_data/grid.db` is then generated automatically.",
    ),
    "store_empty_title": ("数据库中还没有数据", "The database holds no data yet"),
    "store_empty_body": (
        "数据库可以连接,但其中还没有 GridSight 的数据。\n\n请先导入数据,或生成示例县:\n\n"
        '`python -m sample_data.generate --db "$GRID_DB_URL" --profile county`',
        "The database answers, but holds no GridSight data yet.\n\nImport data first, or generate the sample "
        'county:\n\n`python -m sample_data.generate --db "$GRID_DB_URL" --profile county`',
    ),
    "store_rollups_title": ("汇总表需要重建", "The summary tables need rebuilding"),
    "store_rollups_body": (
        "数据库中有事件,但汇总表缺失或由旧版本生成。\n\n页面读取由事件和流转记录汇总而成的表;"
        "请在可写入数据库的账户下运行:\n\n"
        '`python -m data_access.rollups rebuild --db "$GRID_DB_URL"`',
        "The database holds events, but the summary tables are missing or were built by an older version.\n\n"
        "The pages read tables summarised from the events and their steps; run, as a user who may write to "
        'the database:\n\n`python -m data_access.rollups rebuild --db "$GRID_DB_URL"`',
    ),
    "store_lost_title": ("数据库暂时无法访问", "The database is not answering"),
    "store_lost_body": (
        "读取数据时数据库没有正常应答(可能已停止、正在重启,或数据库文件已损坏)。请稍后刷新页面;"
        "如果问题持续,请联系系统管理员。",
        "The database did not answer properly while this page was reading it (it may have stopped, be "
        "restarting, or its file may be damaged). Reload the page in a moment; if this goes on, tell the "
        "system administrator.",
    ),
    "store_log_ref": (
        "技术细节不在页面上显示,已写入服务器日志,参考号 `{ref}`。",
        "Technical details are not shown here; they are in the server log under reference `{ref}`.",
    ),
    "rollups_behind": (
        "汇总表落后于事件表:有 {events} 件事件、{steps} 条流转记录写入后尚未汇总(由其他工具写入)。"
        "本页数字未包含它们;请运行 `python -m data_access.rollups catch-up`。",
        "The summary tables lag the events: {events} events and {steps} steps were written (by another tool) "
        "since they were last updated. The numbers here leave them out; run `python -m data_access.rollups catch-up`.",
    ),
    "building_sample": (
        "首次启动:正在生成示例县数据(约一分钟)……",
        "First start: generating the sample county (about a minute)…",
    ),
    "bad_filter": ("筛选条件无效:{reason}", "This filter cannot be used: {reason}"),
    # data_access.filters.FilterError by its key (ui.labels.error_text)
    "err_start_after_end": (
        "开始日期 {start} 晚于结束日期 {end}。",
        "The start date {start} is after the end date {end}.",
    ),
    "err_range_too_long": (
        "日期范围超过 {days} 天,请缩短。",
        "The date range is longer than {days} days; choose a shorter one.",
    ),
    "err_bad_id": ("编号应为正整数,而不是“{value}”。", "An id must be a positive whole number, not “{value}”."),
    "err_town_outside_scope": ("该镇街不在您的账户权限范围内。", "That town is outside your account's scope."),
    "err_village_needs_town": (
        "选择{lv_village}前请先选择镇街。",
        "A {lv_village|village} filter needs its {lv_town|town}.",
    ),
    "err_unknown_category": ("没有事件大类“{code}”。", "There is no event category “{code}”."),
    "err_unknown_level": ("没有层级“{level}”。", "There is no level “{level}”."),
    "err_no_county": ("数据库中没有{lv_county}级单元。", "The store has no county."),
    "err_no_unit": ("没有编号为 {id} 的{level}。", "There is no {level} with id {id}."),
    "err_unit_needs_id": ("{level}需要单元编号。", "A {level} needs a unit id."),
    "err_unit_outside_scope": (
        "编号为 {id} 的{level}不在您的账户权限范围内。",
        "The {level} with id {id} is outside your account's scope.",
    ),
    # data_access.rankings.RankingError by its code
    "err_unknown_ruleset": (
        "没有考核规则“{ruleset}”,可选:{choices}。",
        "There is no ruleset “{ruleset}”; choose one of: {choices}.",
    ),
    "err_unknown_ranking_level": (
        "没有排名层级“{level}”,可选:{choices}。",
        "There is no ranking level “{level}”; choose one of: {choices}.",
    ),
    "err_month_not_a_date": ("考核月份应为日期,而不是“{value}”。", "The month must be a date, not “{value}”."),
    "err_level_county": ("{lv_county}", "{lv_county|county}"),
    "err_level_town": ("镇街", "town"),
    "err_level_village": ("{lv_village}", "{lv_village|village}"),
    "err_level_grid": ("网格", "grid"),
    "err_level_micro_grid": ("微网格", "micro-grid"),
    # overview
    "overview_title": ("总览", "Overview"),
    "period_caption": (
        "统计期 {start} 至 {end}(北京时间),数据截至 {as_of}。对比上一周期 {pstart} 至 {pend}。",
        "Period {start} to {end} (Beijing time), data as of {as_of}. "
        "Compared with the previous period {pstart} to {pend}.",
    ),
    "kpi_volume": ("数量与积压", "Volume and backlog"),
    "kpi_quality": ("质量", "Quality"),
    "checkin_value": ("{n} / {total}", "{n} / {total}"),
    "rate_parts": ("{num} / {den} 件", "{num} of {den} events"),
    "no_data": ("—", "—"),
    "vs_yesterday": ("较昨日同一时刻", "vs yesterday at this time"),
    "trend_title": ("每日上报与结案", "Reported and closed per day"),
    "trend_reported": ("上报", "Reported"),
    "trend_closed": ("结案", "Closed"),
    "day": ("日期", "Day"),
    "events_axis": ("事件数", "Events"),
    "map_title": ("各镇街超期事件", "Overdue events by town"),
    "map_caption": (
        "颜色按统计期末超期事件数分级;悬停查看详情。底图不需联网。",
        "Colour classes by overdue events at the end of the period; hover for details. No internet base map is needed.",
    ),
    "legend": ("图例", "Legend"),
    "town_table_title": ("镇街明细", "By town"),
    "map_title_village": ("{village}的超期事件", "Overdue events in {village}"),
    "map_caption_village": (
        "已按{lv_village}“{village}”筛选:地图与明细只显示该{lv_village}的事件(其所在镇街的其他{lv_village}不计)。",
        "Filtered to the {lv_village|village} “{village}”: the map and the table show its events only (not the "
        "rest of its {lv_town|town}).",
    ),
    "village_table_title": ("{lv_village}明细", "{Lv_village|Village}"),
    "col_village_name": ("{lv_village}", "{Lv_village|Village}"),
    "col_town": ("镇街", "Town / street"),
    "col_reported": ("上报", "Reported"),
    "col_open": ("在办", "Open"),
    "col_overdue": ("超期", "Overdue"),
    "category_no_workers": ("注:签到人数不按事件大类筛选。", "Note: check-ins are not filtered by category."),
}
