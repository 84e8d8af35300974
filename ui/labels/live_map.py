"""Labels of the live map page."""

LABELS: dict[str, tuple[str, str]] = {
    "live_map_title": ("实时地图", "Live map"),
    "live_map_caption": (
        "在办、超期、签到、滚动事件和超期预警为此刻实时数据,每 {sec} 秒自动刷新;每千人事件数和按期办结率按左侧日期范围"
        "({start} 至 {end})统计。点击地图上的区域逐级下钻,点击路径返回上级;链接保留当前位置。下钻只在左侧镇街/{lv_village}筛选范围内进行。",
        "Open, overdue, check-ins, the ticker and the overdue alerts are live, refreshed every {sec} s; events per "
        "1,000 residents and the on-time closure rate follow the date range ({start} to {end}). Click an area to "
        "drill in, click the path to go back; the link keeps the place. Drilling stays inside the sidebar's {lv_town|town} / "
        "{lv_village|village} filter.",
    ),
    "live_map_refreshed": ("第 {n} 次刷新 · 数据时刻 {time}", "refresh #{n} · data as of {time}"),
    "live_map_path": ("当前位置", "You are here"),
    "live_map_bad_level": (
        "链接中的层级“{value}”无效,已回到{root}。",
        "The level “{value}” in the link is not valid; showing {root} instead.",
    ),
    "live_map_bad_unit": (
        "链接中的单元编号“{value}”无效:{reason} 已回到{root}。",
        "The unit “{value}” in the link cannot be shown: {reason} Showing {root} instead.",
    ),
    "live_map_unit_unavailable": (
        "没有这个单元,或它不在您的账号范围内。",
        "there is no such unit, or it is outside your account's scope.",
    ),
    "live_map_outside_filter": (
        "{name} 不在左侧筛选的范围内,已回到{root}。",
        "{name} is outside the sidebar filter; showing {root} instead.",
    ),
    "live_map_level_county": ("{lv_county}", "{Lv_county|County}"),
    "live_map_level_town": ("镇街", "Towns"),
    "live_map_level_village": ("{lv_village}", "{Lv_village_pl|Villages / communities}"),
    "live_map_level_grid": ("网格", "Grids"),
    "live_map_level_micro_grid": ("微网格", "Micro-grids"),
    "live_map_metric": ("着色指标", "Colour by"),
    "live_map_show_level": ("显示边界", "Boundaries shown"),
    "live_map_view": ("地图视图", "Map view"),
    "live_map_view_units": ("按区域着色", "Areas by metric"),
    "live_map_view_density": ("事件热力", "Event density"),
    "live_map_show_events": ("在办事件点位", "Open events"),
    "live_map_show_workers": ("签到点位", "Check-ins"),
    "live_map_recent_minutes": ("突出显示最近几分钟的新事件", "Highlight events of the last minutes"),
    "live_map_legend": ("图例", "Legend"),
    "live_map_legend_events": (
        "事件点:<b style='color:rgb(140,0,160)'>●</b> 超期 <b style='color:rgb(215,25,28)'>●</b> 特急 "
        "<b style='color:rgb(253,141,60)'>●</b> 紧急 <b style='color:rgb(44,123,182)'>●</b> 一般 "
        "<b style='color:rgb(0,90,255)'>◯</b> 最近 {m} 分钟内上报 · 网格员:<b style='color:rgb(0,150,110)'>●</b> 今日最后签到",
        "Events: <b style='color:rgb(140,0,160)'>●</b> overdue <b style='color:rgb(215,25,28)'>●</b> emergency "
        "<b style='color:rgb(253,141,60)'>●</b> urgent <b style='color:rgb(44,123,182)'>●</b> ordinary "
        "<b style='color:rgb(0,90,255)'>◯</b> reported in the last {m} min · Workers: "
        "<b style='color:rgb(0,150,110)'>●</b> last check-in today",
    ),
    "live_map_points_from_village": (
        "{lv_county}和{lv_town}视图按区域标注名称与“在办 · 超期”件数;事件和网格员点位从{lv_village}层级起显示(点击区域下钻)。",
        "{Lv_county|County} and {lv_town|town} views label each area with its name and open · overdue counts; event and worker "
        "points show from the {lv_village|village} level down (click an area to drill in).",
    ),
    "live_map_density_caption": (
        "热力为统计期内上报事件的分布(SQL 中按约 400 米方格汇总)。",
        "Density of the events reported in the period (binned in SQL, ~400 m cells).",
    ),
    "live_map_capped": (
        "地图只画出最新的 {shown} 件在办事件(共 {total} 件)。",
        "The map draws the newest {shown} of {total} open events.",
    ),
    "live_map_no_units": ("此范围内没有可显示的区域。", "There is no area to show here."),
    "live_map_units_table": ("下级单元明细", "Units shown"),
    "live_map_ticker": ("最新事件", "Newest events"),
    "live_map_alerts": ("超期预警", "Overdue alerts"),
    "live_map_alerts_total": (
        "共 {total} 件超期在办事件,按超期时长列出前 {shown} 件。",
        "{total} open events are overdue; the {shown} longest overdue are listed.",
    ),
    "live_map_no_alerts": ("此范围内没有超期事件。", "No overdue events here."),
    "live_map_no_checkin": ("今日无签到网格", "Grids with no check-in today"),
    "live_map_no_checkin_total": (
        "共 {total} 个网格今日无人签到,列出最久未签到的前 {shown} 个。",
        "{total} grids have no check-in today; the {shown} silent longest are listed.",
    ),
    "live_map_all_checked_in": ("此范围内每个网格今日都有签到。", "Every grid here has a check-in today."),
    # table and tooltip columns
    "live_map_col_unit": ("单元", "Unit"),
    "live_map_col_open": ("在办", "Open"),
    "live_map_col_overdue": ("超期", "Overdue"),
    "live_map_col_reported": ("上报(统计期)", "Reported (period)"),
    "live_map_col_per1000": ("每千人", "Per 1,000"),
    "live_map_col_on_time": ("按期办结率", "On-time closure"),
    "live_map_col_checked": ("今日签到", "Checked in today"),
    "live_map_col_residents": ("常住人口", "Residents"),
    "live_map_col_responsible": ("责任网格员", "Responsible worker(s)"),
    "live_map_place_help": (
        "事件所在的网格。“—”:事件未定位到网格(如 12345 热线件)。",
        "The event's grid. “—”: the event is not located in a grid (e.g. a 12345 hotline call).",
    ),
    "live_map_responsible_help_area": (
        "网格员对网格负责。“—”:镇街、{lv_village}一级没有单一的责任网格员,请下钻到网格查看。",
        "Grid workers answer for grids. “—”: a {lv_town|town} or {lv_village|village} has no single "
        "responsible worker; drill down to its grids.",
    ),
    "live_map_responsible_help_grid": (
        "对该网格负责的在岗网格员(姓名与脱敏电话)。“—”:该网格目前没有在岗的责任网格员。",
        "The active workers who answer for the grid (name, masked phone). “—”: the grid has no active "
        "responsible worker now.",
    ),
    "live_map_col_time": ("时间", "Time"),
    "live_map_col_code": ("编号", "Code"),
    "live_map_col_item": ("事项", "Item"),
    "live_map_col_status": ("状态", "Status"),
    "live_map_col_place": ("网格 / 微网格", "Grid / micro-grid"),
    "live_map_col_overdue_hours": ("已超期(小时)", "Overdue (hours)"),
    "live_map_col_handler": ("当前承办", "Handled by"),
    "live_map_col_grid": ("网格", "Grid"),
    "live_map_col_village": ("{lv_village}", "{Lv_village|Village}"),
    "live_map_col_last_checkin": ("最近一次签到", "Last check-in"),
    "live_map_never": ("从未", "never"),
    "live_map_tip_overdue": ("已超期", "overdue"),
    "live_map_tip_reported": ("上报于 {time}", "reported {time}"),
    "live_map_tip_checkin": ("最后签到 {time}", "last check-in {time}"),
    "live_map_urgency_emergency": ("特急", "emergency"),
    "live_map_urgency_urgent": ("紧急", "urgent"),
    "live_map_urgency_ordinary": ("一般", "ordinary"),
    "live_map_status_reported": ("已上报", "reported"),
    "live_map_status_accepted": ("已受理", "accepted"),
    "live_map_status_dispatched": ("已派遣", "dispatched"),
    "live_map_status_handling": ("处置中", "handling"),
    "live_map_status_completed": ("已办结待核查", "completed"),
    "live_map_status_verified": ("已核查", "verified"),
    "live_map_status_closed": ("已结案", "closed"),
    "live_map_status_filed": ("已报备", "filed"),
    "live_map_level_name_grid": ("网格", "grid"),
    "live_map_level_name_village": ("{lv_village}", "{lv_village|village}"),
    "live_map_level_name_town": ("镇街", "town"),
    "live_map_level_name_county": ("{lv_county}中心", "{lv_county|county} centre"),
    "live_map_level_name_department": ("部门", "department"),
}
