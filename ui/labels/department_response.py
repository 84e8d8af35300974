"""Labels of the department response page (部门响应)."""

LABELS: dict[str, tuple[str, str]] = {
    "dept_title": ("部门响应", "Department response"),
    "dept_caption": (
        "统计期 {start} 至 {end}(北京时间),数据截至 {as_of}。口径:一次“派单”= 一个事件派给一个部门;"
        "按首次派给该部门的时间归入统计期,当前在办和超期按统计期末计算(不论何时派单)。",
        'Period {start} to {end} (Beijing time), data as of {as_of}. One "assignment" = one event dispatched '
        "to one department, counted in the period of its first dispatch there; open and overdue work is "
        "measured at the period end, whenever it was dispatched.",
    ),
    "dept_filter_note": (
        "镇街、{lv_village}、事件大类筛选作用于事件;镇街评价只按镇街筛选。",
        "The {lv_town|town}, {lv_village|village} and category filters apply to events; the towns' ratings follow the town filter only.",
    ),
    "dept_no_data": (
        "统计期内没有派给部门的事件,也没有部门在办事件。请扩大日期范围或调整筛选。",
        "No events were dispatched to departments in this period and none are open with one. "
        "Widen the date range or change the filters.",
    ),
    "dept_table_title": ("各部门响应情况", "Response by department"),
    "dept_table_caption": (
        "点击列名排序;首行“{county}”为全部部门合计(全{lv_county}参照)。默认按综合得分从低到高。悬停列名查看定义。",
        'Click a column name to sort; the first row, "{county}", pools every department (the {lv_county|county} reference). '
        "Sorted by score, lowest first. Hover a column name for its definition.",
    ),
    "dept_county_row": ("全{lv_county}(全部部门)", "{Lv_county|County} (all departments)"),
    "dept_town_row": ("{town}(全部部门)", "{town} (all departments)"),
    "dept_col_department": ("部门", "Department"),
    "dept_col_level": ("层级", "Level"),
    "dept_level_county": ("{lv_county}级", "{Lv_county|County}"),
    "dept_level_town": ("镇街", "Town"),
    "dept_col_received": ("收到", "Received"),
    "dept_col_accept_median": ("签收中位(小时)", "Accept median (h)"),
    "dept_col_accept_p90": ("签收P90(小时)", "Accept P90 (h)"),
    "dept_col_complete_median": ("办结中位(小时)", "Complete median (h)"),
    "dept_col_complete_p90": ("办结P90(小时)", "Complete P90 (h)"),
    "dept_col_on_time": ("按期处置率", "On-time rate"),
    "dept_col_open_now": ("当前在办", "Open now"),
    "dept_col_overdue_now": ("当前超期", "Overdue now"),
    "dept_col_return": ("退回率", "Return rate"),
    "dept_col_rework": ("返工率", "Rework rate"),
    "dept_col_closure": ("结案率", "Closure rate"),
    "dept_col_satisfaction": ("满意度", "Satisfaction"),
    "dept_col_rating": ("镇街评价", "Towns' rating"),
    "dept_col_score": ("综合得分", "Score"),
    "dept_col_mismatch": ("评价与数据", "Rating vs data"),
    "dept_mismatch_above": ("高于数据", "above data"),
    "dept_mismatch_below": ("低于数据", "below data"),
    "dept_mismatch_consistent": ("一致", "consistent"),
    "dept_mismatch_help": (
        "镇街评价与数据得分是否一致(按规则合并近几个月的评分与数据,评分经验贝叶斯收缩):两者稳健标准分之差,"
        "在各部门间再取稳健标准分,绝对值 ≥ {gap} 时为“高于数据”或“低于数据”,否则为“一致”。"
        "“—”:未作比较——合并的月份里该部门收到不足 {min_n} 件(不评分)或没有镇街评价;“{reference}”为合计行。",
        "Whether the towns' rating agrees with the data score (ratings and data pooled over the months the rules "
        "set, ratings shrunk by empirical Bayes): the gap between their robust z-scores, itself robustly "
        "standardised across departments, reads “above data” or “below data” at {gap} or more, else “consistent”. "
        "“—”: not compared, because over the pooled months the department received fewer than {min_n} (not "
        "scored) or no town rated it; “{reference}” is the pooled row.",
    ),
    "dept_missing_score": (
        "“—”:收到不足 {min_n} 件的部门不评分;“{reference}”为全部部门合计,不评分。",
        "“—”: departments that received fewer than {min_n} are not scored; “{reference}” pools every department "
        "and is not scored.",
    ),
    "dept_missing_rating": (
        "“—”:统计期涉及的月份没有镇街给该部门评价(评价按已结束的月份给出);“{reference}”为合计行,不评价。",
        "“—”: no town rated the department for the months of the period (ratings are given for months that are "
        "over); “{reference}” is the pooled row and is not rated.",
    ),
    "dept_missing_hours": (
        "“—”:统计期内没有可计算该用时的派单(都还没有签收或办结)。",
        "“—”: no assignment of the period has this time yet (none accepted or completed).",
    ),
    "dept_missing_share": (
        "“—”:分母为 0(统计期内没有可计入的派单),比率无从计算。",
        "“—”: the denominator is 0 (no assignment of the period counts), so there is no rate.",
    ),
    "dept_missing_place": (
        "“—”:事件未定位到该层级(如 12345 热线件)。",
        "“—”: the event is not located at this level (e.g. a 12345 hotline call).",
    ),
    "dept_missing_accepted": ("“—”:部门尚未签收。", "“—”: the department has not accepted it yet."),
    "dept_xdef_department": (
        "部门名称;首行“{row}”为全部部门合计,作参照。",
        "The department; the first row, “{row}”, pools every department as the reference.",
    ),
    "dept_tab_slow": ("当前谁慢", "Who is slow now"),
    "dept_tab_measures": ("全部指标", "All measures"),
    "dept_tab_trend": ("趋势与构成", "Trend and breakdowns"),
    "dept_tab_ratings": ("街呼区应", "Towns' ratings"),
    "dept_slow_title": ("谁手里压着超期件", "Who holds overdue work now"),
    "dept_slow_summary": (
        "全部部门当前在办 **{open}** 件,其中超期 **{overdue}** 件;超期最多的是 **{worst}**({n} 件)。",
        "All departments hold **{open}** open items now, **{overdue}** of them overdue; "
        "**{worst}** holds the most overdue ({n}).",
    ),
    "dept_slow_none_overdue": (
        "全部部门当前在办 **{open}** 件,没有超期件。",
        "All departments hold **{open}** open items now; none is overdue.",
    ),
    "dept_slow_caption": (
        "按当前超期件数从多到少,再按当前在办件数、办结用时中位数排列;在办与超期按统计期末计算,用时为统计期内派单的中位数。"
        "悬停列名查看定义;选上方“查看部门”可看其等待最久的事件。",
        "Most overdue work first, then most open work, then the slowest median completion; open and overdue at "
        "the period end, times over the period's assignments. Hover a column name for its definition; pick a "
        "department above to see its oldest items.",
    ),
    "dept_open_help": (
        "统计期末仍在该部门手中(未退回、未办结、未结案)的事件数,不论何时派单。",
        "Events still with the department at the period end (not returned, completed or closed).",
    ),
    "dept_definitions": ("指标定义", "Definitions"),
    "dept_score_title": ("部门综合得分", "Department score"),
    "dept_score_formula": (
        "得分 = 100 × ({w_closure:g} × 结案率 + {w_on_time:g} × 按期处置率 + {w_rework:g} × (1 − 返工率) + "
        "{w_volume:g} × 处置量占比);处置量占比 = 收到件数 ÷ 参评部门中最多的收到件数;收到不足 {min_n:g} 件的部门不评分。",
        "Score = 100 × ({w_closure:g} × closure rate + {w_on_time:g} × on-time rate + {w_rework:g} × (1 − rework rate) "
        "+ {w_volume:g} × volume share); volume share = received ÷ the most any scored department received; "
        "departments with fewer than {min_n:g} received are not scored.",
    ),
    "dept_rules_default": (
        "数据库中缺少部门考核规则 {keys},暂用 sample_data/assessment_rules.toml 中的默认值。",
        "The store lacks the department rules {keys}; the defaults from sample_data/assessment_rules.toml are used.",
    ),
    "dept_chart_title": (
        "部门对比(虚线为全{lv_county}参照,最差的在最上方)",
        "Departments compared (dashed line: {lv_county|county} reference; worst at the top)",
    ),
    "dept_chart_measure": ("对比指标", "Measure"),
    "dept_chart_min": ("只显示收到不少于 {n} 件的部门。", "Only departments that received at least {n} events."),
    "dept_dist_title": ("用时分布", "How long it takes"),
    "dept_box_measure": ("用时", "Time"),
    "dept_box_accept": ("派单→签收", "Dispatch → accept"),
    "dept_box_complete": ("派单→办结", "Dispatch → complete"),
    "dept_box_caption": (
        "箱体为四分位数(P25–P75),中线为中位数,须线为距箱体 1.5 倍四分位距以内的最远值;均在数据库中计算。"
        "虚线:全{lv_county}中位数 {median} 小时。中位数最慢的部门在最上方。",
        "Boxes span the quartiles (P25–P75), the line is the median, whiskers reach the farthest values within "
        "1.5 × IQR of the box; all computed in the database. Dashed line: {lv_county|county} median {median} h. "
        "The slowest median is at the top.",
    ),
    "dept_hours_axis": ("小时", "Hours"),
    "dept_focus": ("查看部门", "Department to look at"),
    "dept_focus_all": ("全部部门", "All departments"),
    "dept_bad_param": (
        "网址参数 department={value} 不是本期有派单或在办事件的部门编号,下面显示全部部门。",
        "The URL parameter department={value} is not the id of a department with work in this "
        "period; all departments are shown below.",
    ),
    "dept_trend_title": ("月度趋势:{name}", "Monthly trend: {name}"),
    "dept_trend_caption": (
        "按派单月份(北京时间)统计;柱为收到件数,折线为办结用时中位数与按期处置率。",
        "By month of dispatch (Beijing time); bars: events received, lines: median time to complete and on-time rate.",
    ),
    "dept_month": ("月份", "Month"),
    "dept_by_category_title": ("按事件大类:{name}", "By category: {name}"),
    "dept_by_town_title": ("按镇街:{name}", "By town: {name}"),
    "dept_col_category": ("事件大类", "Category"),
    "dept_col_town": ("镇街", "Town"),
    "dept_unlocated": ("未定位", "Not located"),
    "dept_oldest_title": ("等待最久的在办事件:{name}", "Oldest open items: {name}"),
    "dept_oldest_per_page": ("每页件数", "Items per page"),
    "dept_oldest_caption": (
        "共 {n} 件在办,其中 {overdue} 件超期;每页 {per} 件,按派单时间从早到晚。",
        "{n} open, {overdue} of them overdue; {per} a page, oldest dispatch first.",
    ),
    "dept_oldest_pick": ("请选择一个部门查看其在办事件。", "Pick a department to see its open items."),
    "dept_oldest_none": ("该部门目前没有在办事件。", "This department holds no open items."),
    "dept_col_code": ("事件编号", "Event"),
    "dept_col_urgency": ("紧急程度", "Urgency"),
    "dept_col_source": ("来源", "Source"),
    "dept_col_village": ("{lv_village}", "{Lv_village|Village}"),
    "dept_col_grid": ("网格", "Grid"),
    "dept_col_dispatched": ("派单时间", "Dispatched"),
    "dept_col_accepted": ("签收时间", "Accepted"),
    "dept_col_deadline": ("处置时限", "Deadline"),
    "dept_col_waited": ("已等待(天)", "Waited (days)"),
    "dept_col_overdue": ("超期", "Overdue"),
    "dept_yes": ("是", "yes"),
    "dept_no": ("否", "no"),
    "dept_urgency_emergency": ("紧急", "Emergency"),
    "dept_urgency_urgent": ("较急", "Urgent"),
    "dept_urgency_ordinary": ("一般", "Ordinary"),
    "dept_source_patrol": ("巡查", "Patrol"),
    "dept_source_household_visit": ("入户走访", "Household visit"),
    "dept_source_resident_call": ("群众来电", "Resident call"),
    "dept_source_camera_alert": ("视频告警", "Camera alert"),
    "dept_source_hotline_12345": ("12345热线", "12345 hotline"),
    "dept_reverse_title": (
        "街呼区应:镇街评价与实际数据",
        "Towns call, the district answers: the towns' ratings against the data",
    ),
    "dept_reverse_caption": (
        "方法:评价与数据取同样的月份——截至统计期末所在月、按规则合并的近几个月(见规则表“合并月数”),"
        "短统计期也有足够的评分和件数。各部门的平均评分按经验贝叶斯向全县均值收缩(评分越少收缩越多,"
        "权重 n÷(n+k),k 为部门内方差 ÷ 部门间方差);在收到不少于 {min_n:g} 件且有评价的部门中,"
        "分别求收缩后评分与综合得分的稳健标准分(与中位数之差 ÷ 1.4826×绝对中位差),"
        "两者之差再在各部门间取稳健标准分,绝对值 ≥ {gap:g} 即标为“评价与数据不符”(红色)。"
        "盲区:多数部门都评价失真时,中位数本身就偏了;只有个别镇街打分的部门仍可能因偶然而被标出。",
        "Method: ratings and data are taken over the same months — the months the rules pool, ending with the "
        "period's last month (see “months pooled” in the rules), so a short period still has enough ratings and "
        "events. Each department's mean rating is shrunk toward the county mean by empirical Bayes (fewer ratings, "
        "more shrinkage: weight n÷(n+k), k = within-department ÷ between-department variance). Among departments "
        "with at least {min_n:g} received and a rating, take the robust z-score (difference from the median ÷ "
        "1.4826 × median absolute deviation) of the shrunk rating and of the score; their difference, itself "
        "robustly standardised across departments, flags the department when it reaches {gap:g} either way (red). "
        "Blind spots: when most departments are rated out of line with their data the median itself is off; a "
        "department rated by very few towns can still be flagged by chance.",
    ),
    "dept_reverse_none": ("没有部门的评价与数据明显不符。", "No department's rating clearly disagrees with its data."),
    "dept_reverse_flagged": ("评价与数据不符的部门", "Departments whose rating disagrees with the data"),
    "dept_reverse_unrated": (
        "统计期涉及的月份还没有镇街评价(评价按已结束的月份给出)。",
        "No town ratings for the months of this period yet (ratings are given for months that are over).",
    ),
    "dept_col_z_gap": ("差距的稳健标准分", "Gap (robust z)"),
    "dept_col_rating_rank": ("评价名次", "Rating rank"),
    "dept_col_score_rank": ("得分名次", "Score rank"),
    "dept_flag_normal": ("一致", "Consistent"),
    "dept_export": ("导出部门表", "Export the department table"),
}
