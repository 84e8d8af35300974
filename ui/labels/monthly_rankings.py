"""Labels of the monthly rankings page and its printable report."""

LABELS: dict[str, tuple[str, str]] = {
    "mr_title": ("月度排名与履职真实性", "Monthly rankings and integrity signals"),
    "mr_caption": (
        "考核月份 {month};数据截至 {as_of}(结案、核查与评价按此时刻计)。排名对象为专职网格员,兼职网格员不参与个人排名,"
        "但其上报计入所在{lv_village}和镇街。排名全{lv_county}统一计算;侧栏的镇街/{lv_village}筛选只缩小显示范围,事件大类筛选不适用于考核。",
        "Month assessed: {month}; data as of {as_of} (closures, verifications and ratings counted up to then). "
        "Full-time grid workers are ranked; part-time workers are not ranked themselves but their reports count for "
        "their {lv_village|community} and {lv_town|town}. Ranks are {lv_county|county}-wide: the sidebar's {lv_town|town}/{lv_village|community} filter only narrows the rows "
        "shown, and the category filter does not apply to the assessment.",
    ),
    "mr_no_months": ("数据库中还没有事件,无法排名。", "The store has no events yet: nothing to rank."),
    "mr_bad_input": ("无法生成排名:{reason}", "The ranking cannot be produced: {reason}"),
    "mr_pick_all": ("请选择考核月份、考核规则和排名层级。", "Choose a month, a ruleset and a level."),
    "mr_month": ("考核月份", "Month"),
    "mr_ruleset": ("考核规则", "Ruleset"),
    "mr_ruleset_as_practised": ("现行规则(H 区做法)", "As practised (H district)"),
    "mr_ruleset_reformed": ("改革规则", "Reformed"),
    "mr_ruleset_hdistrict": ("H 区成文规则(仅一街道 40 件)", "H district as written (40 in one street only)"),
    "mr_level": ("排名层级", "Level"),
    "mr_level_town": ("镇街", "Towns / streets"),
    "mr_level_village": ("{lv_village}", "{Lv_village_pl|Villages / communities}"),
    "mr_level_worker": ("专职网格员", "Full-time grid workers"),
    "mr_formula_title": ("得分怎么算", "How the score is computed"),
    "mr_formula": (
        "**总分 = {wq}×数量 + {wl}×质量 + {wp}×过程 + {wr}×群众评价**(各部分 0–100 分)\n\n"
        "- **数量** = 100 × min(1, 上报事件数 ÷ 定额)。定额 = 每人每月 {quota} 件{bonus}{percap}。\n"
        "- **质量** = 100 × 以下比率的平均(无分母的比率不计):办结率{filing}、合格率、优秀率(已评定质量的结案事件中)、"
        "按时核查率(办结后 {verify_h} 小时内核查)。\n"
        "- **过程** = 50 × min(1, 联合处置率 ÷ {team}) + 50 × min(1, 区级流转率 ÷ {transfer})。联合处置 = 在{lv_village}及以上层级处置;"
        "区级流转 = 流转到{lv_county}级或职能部门处置。\n"
        "- **群众评价** = 100 × (平均评分 − 1) ÷ 4;当月无评价的,取本层级当月平均(不奖不罚)。\n"
        "- **等级**:A ≥ {ga},B ≥ {gb},C ≥ {gc},D ≥ {gd},其余为 E。当月没有上报的,除群众评价外各部分为 0。",
        "**Score = {wq}×quantity + {wl}×quality + {wp}×process + {wr}×residents' evaluation** (each part 0–100)\n\n"
        "- **Quantity** = 100 × min(1, reports ÷ quota). Quota = {quota} events a worker a month{bonus}{percap}.\n"
        "- **Quality** = 100 × the mean of these rates (a rate without a denominator is left out): closure rate{filing}, "
        "qualified and excellent rates (of graded closed events), on-time verification rate (verified within "
        "{verify_h} h of completion).\n"
        "- **Process** = 50 × min(1, team-handled share ÷ {team}) + 50 × min(1, county-transfer share ÷ {transfer}). "
        "Team-handled = handled at {lv_village|village} level or above; county transfer = handled by the county or a department.\n"
        "- **Residents' evaluation** = 100 × (mean rating − 1) ÷ 4; with no ratings in the month, the month's mean "
        "of the level (neither reward nor penalty).\n"
        "- **Grade**: A ≥ {ga}, B ≥ {gb}, C ≥ {gc}, D ≥ {gd}, else E. With no reports in the month every part but "
        "residents' evaluation is 0.",
    ),
    "mr_bonus": (",街道另加 {n} 件", ", plus {n} in streets"),
    "mr_bonus_one_street": (",仅{street}另加 {n} 件", ", plus {n} in {street} only"),
    "mr_percap": (
        ",并按网格人口归一化(定额 × 本网格人口 ÷ 有专职网格员网格的平均人口;{lv_village}、镇街按人口折算网格数)",
        ", normalised per resident (quota × the grid's residents ÷ the mean residents of a staffed grid; "
        "{lv_village_pl|communities} and {lv_town_pl|towns} count their residents as grid equivalents)",
    ),
    "mr_unit_quota": (
        "{lv_village}、镇街的定额 = 当月在岗专职网格员的定额之和;上报数含兼职网格员的上报。",
        "A {lv_village|community}'s or {lv_town|town}'s quota is the sum of its active full-time workers' quotas; its reports include "
        "part-time workers' reports.",
    ),
    "mr_filing_in": ("(报备事件计为已办结)", " (filing-only events count as closed)"),
    "mr_filing_out": ("(报备事件不计入分子分母)", " (filing-only events left out)"),
    "mr_rules_used": ("所用规则值", "Rule values used"),
    "mr_rules_file_note": (
        "“来源”为“文件”的规则值数据库中尚无,取自随附的规则文件 sample_data/assessment_rules.toml。",
        "Rules whose source is 'file' are not in the store yet and come from the shipped sample_data/assessment_rules.toml.",
    ),
    "mr_col_key": ("规则", "Rule"),
    "mr_col_value": ("取值", "Value"),
    "mr_col_unit": ("单位", "Unit"),
    "mr_col_description": ("说明", "Description"),
    "mr_col_source": ("来源", "Source"),
    "mr_source_store": ("数据库", "store"),
    "mr_source_file": ("文件", "file"),
    "mr_ranked": ("参与排名", "Ranked"),
    "mr_ranked_help": (
        "本层级参与排名的对象数(全{lv_county})。",
        "Subjects ranked at this level ({lv_county|county}-wide).",
    ),
    "mr_median": ("中位得分", "Median score"),
    "mr_grade_counts": ("等级分布", "Grades"),
    "mr_ranking_title": ("排名", "Ranking"),
    "mr_col_rank": ("名次", "Rank"),
    "mr_col_change": ("名次变化", "Rank change"),
    "mr_col_change_help": ("与上月相比,正数为上升。", "Against last month; positive = moved up."),
    "mr_col_name": ("名称", "Name"),
    "mr_col_worker": ("网格员", "Worker"),
    "mr_col_town": ("镇街", "Town"),
    "mr_col_village": ("{lv_village}", "{Lv_village|Community}"),
    "mr_col_reported": ("上报", "Reports"),
    "mr_col_quota": ("定额", "Quota"),
    "mr_col_quantity": ("数量", "Quantity"),
    "mr_col_quality": ("质量", "Quality"),
    "mr_col_process": ("过程", "Process"),
    "mr_col_residents": ("群众评价", "Residents"),
    "mr_col_total": ("总分", "Score"),
    "mr_col_grade": ("等级", "Grade"),
    "mr_col_trend": ("近6月", "Last 6 months"),
    "mr_col_flags": ("真实性信号", "Integrity flags"),
    "mr_col_closure": ("办结率", "Closure rate"),
    "mr_col_qualified": ("合格率", "Qualified"),
    "mr_col_excellent": ("优秀率", "Excellent"),
    "mr_col_verify": ("按时核查率", "On-time verification"),
    "mr_col_team": ("联合处置率", "Team-handled"),
    "mr_col_transfer": ("区级流转率", "County transfers"),
    "mr_col_satisfaction": ("平均评分", "Mean rating"),
    "mr_export": ("导出排名", "Export the ranking"),
    "mr_compare_title": ("两套规则对比:谁的名次变了", "Both rulesets side by side: who moves"),
    "mr_compare_caption": (
        "同一月份、同一数据,分别按现行规则和改革规则排名;“变化” = 现行名次 − 改革名次(正数表示改革后名次上升)。"
        "{moved} 个对象名次改变,平均变动 {mean} 位。",
        "Same month and data ranked under both rulesets; 'move' = rank as practised − rank reformed (positive = "
        "better placed under the reform). {moved} change rank, by {mean} places on average.",
    ),
    "mr_col_rank_ap": ("现行名次", "Rank as practised"),
    "mr_col_rank_rf": ("改革名次", "Rank reformed"),
    "mr_col_total_ap": ("现行得分", "Score as practised"),
    "mr_col_total_rf": ("改革得分", "Score reformed"),
    "mr_col_move": ("变化", "Move"),
    "mr_compare_axis_x": ("现行规则名次", "Rank as practised"),
    "mr_compare_axis_y": ("改革规则名次", "Rank reformed"),
    "mr_consequences_title": ("签批前:按“{ruleset}”会产生的后果", "Before signing: what '{ruleset}' would do"),
    "mr_consequences_rule": (
        "规则:排名末 {bottom} 名或得分 ≤ {pass_score} 分扣发当月绩效;前 {top} 名(且未被扣发)发双倍绩效;"
        "连续 {months} 个月 ≤ {pass_score} 分有解聘风险。仅适用于专职网格员。",
        "Rules: the bottom {bottom}, or anyone scoring ≤ {pass_score}, lose the month's performance pay; the top "
        "{top} (not losing pay) get double; {months} months in a row ≤ {pass_score} put the job at risk. Full-time "
        "workers only.",
    ),
    "mr_loses_pay": ("扣发绩效", "Lose performance pay"),
    "mr_double_pay": ("双倍绩效", "Double pay"),
    "mr_dismissal": ("解聘风险", "At risk of dismissal"),
    "mr_of_ranked": ("共 {n} 名专职网格员中", "of {n} full-time workers"),
    "mr_col_prev_total": ("上月得分", "Last month's score"),
    "mr_col_reasons": ("原因", "Why"),
    "mr_reason_bottom_n": ("末位", "bottom ranks"),
    "mr_reason_at_most_pass": ("≤ 及格线", "≤ pass score"),
    "mr_reason_top_n": ("前列", "top ranks"),
    "mr_reason_consecutive": ("连续不及格", "consecutive months ≤ pass score"),
    "mr_consequence_filter": ("显示", "Show"),
    "mr_integrity_title": ("履职真实性信号", "Integrity signals"),
    "mr_integrity_caption": (
        "只依据事件、事件流转和巡查签到数据判断;信号是需要核实的线索,不是结论。每个窗口以所选月份为末月。",
        "Judged from events, their steps and patrol check-ins only; a signal is a lead to check, not a verdict. "
        "Each window ends with the chosen month.",
    ),
    "mr_sig_padding": ("凑件", "Padding"),
    "mr_sig_near_duplicates": ("重复事件", "Near-duplicate events"),
    "mr_sig_empty_patrol": ("巡查空跑", "Empty patrols"),
    "mr_sig_selective": ("选择性上报({lv_village})", "Selective reporting ({lv_village_pl|communities})"),
    "mr_rule_padding": (
        "近 {months} 个月内,可疑事件(琐碎事项、在冲量时段上报——工作日 {h}:00–{h1}:00 或月末 {days} 天——且上报后 {minutes} "
        "分钟内结案)≥ {n} 件,且占本人上报的 {share} 及以上。",
        "Over {months} months: at least {n} suspect events (a trivial item, reported in a rush window — {h}:00–{h1}:00 "
        "on a working day or the last {days} days of a month — and closed within {minutes} minutes), making up at "
        "least {share} of the worker's reports.",
    ),
    "mr_rule_near_duplicates": (
        "近 {months} 个月内,同一人对同一事项在 {hours} 小时内、{metres} 米范围内再次上报,达到 {n} 对及以上。",
        "Over {months} months: at least {n} times the same reporter entered the same item again within {hours} h and "
        "{metres} m of the previous report.",
    ),
    "mr_rule_empty_patrol": (
        "近 {months} 个月内,可疑巡查日(同日相邻签到点之间速度超过 {kmh} km/h,或 {points} 点以上的轨迹与另一天完全相同)"
        "≥ {days} 天,且占巡查日的 {share} 及以上。",
        "Over {months} months: at least {days} suspect patrol days (a leg between consecutive check-ins faster than "
        "{kmh} km/h, or a track of {points}+ points identical to another day's), making up at least {share} of the "
        "worker's patrol days.",
    ),
    "mr_rule_selective": (
        "近 {months} 个月内,网格上报 ≥ {n} 件的{lv_village}:上报上级的比例 ≤ 全{lv_county}的 {esc} 倍,且绕过网格的群众来电/12345 事件"
        "与网格上报之比 ≥ 全{lv_county}的 {out} 倍。",
        "Over {months} months, {lv_village_pl|communities} with at least {n} grid reports: the share sent up is at most {esc}× the "
        "county's, and resident calls / 12345 events that bypassed the grid per grid report are at least {out}× the "
        "county's.",
    ),
    "mr_flagged": ("标记 {n}", "{n} flagged"),
    "mr_flagged_workers": ("被标记的网格员", "Flagged workers"),
    "mr_flagged_villages": ("被标记的{lv_village}", "Flagged {lv_village_pl|communities}"),
    "mr_none_flagged": ("本窗口内没有被标记的对象。", "Nobody is flagged in this window."),
    "mr_select_row_hint": ("点选一行查看证据,或在下方选择。", "Select a row to see the evidence, or choose below."),
    "mr_col_role": ("岗位", "Role"),
    "mr_col_reports": ("上报(窗口内)", "Reports (window)"),
    "mr_col_trivial_share": ("琐碎事项占比", "Trivial share"),
    "mr_col_pad_suspect": ("凑件可疑件", "Padding suspects"),
    "mr_col_pad_share": ("可疑占比", "Suspect share"),
    "mr_col_dup_pairs": ("重复对", "Duplicate pairs"),
    "mr_col_patrol_days": ("巡查日", "Patrol days"),
    "mr_col_fast_days": ("速度异常日", "Implausible-speed days"),
    "mr_col_repeat_days": ("轨迹重复日", "Repeated-track days"),
    "mr_col_suspect_day_share": ("可疑日占比", "Suspect-day share"),
    "mr_col_grid_reports": ("网格上报", "Grid reports"),
    "mr_col_escalated": ("上报上级", "Sent up"),
    "mr_col_esc_rel": ("上报比例(×全{lv_county})", "Sent-up share (× {lv_county|county})"),
    "mr_col_bypass": ("绕过网格的来电/12345", "Calls / 12345 bypassing the grid"),
    "mr_col_bypass_rel": ("来电比(×全{lv_county})", "Bypass ratio (× {lv_county|county})"),
    "mr_evidence_title": ("证据", "Evidence"),
    "mr_evidence_subject": ("对象", "Subject"),
    "mr_evidence_signal": ("信号", "Signal"),
    "mr_evidence_page": ("页码", "Page"),
    "mr_evidence_caption": (
        "共 {n} 条,每页 {size} 条,第 {page}/{pages} 页。",
        "{n} rows, {size} a page, page {page} of {pages}.",
    ),
    "mr_col_event": ("事件编号", "Event"),
    "mr_col_prev_event": ("先前事件", "Earlier event"),
    "mr_col_item": ("事项", "Item"),
    "mr_col_reported_at": ("上报时间", "Reported"),
    "mr_col_closed_at": ("结案时间", "Closed"),
    "mr_col_minutes": ("上报到结案(分钟)", "Report to close (min)"),
    "mr_col_hours_after": ("间隔(小时)", "Hours after"),
    "mr_col_metres": ("距离(米)", "Metres"),
    "mr_col_checkin_at": ("签到时间", "Check-in"),
    "mr_col_lon": ("经度", "Longitude"),
    "mr_col_lat": ("纬度", "Latitude"),
    "mr_col_kmh": ("距上一点速度 km/h", "km/h from previous point"),
    "mr_col_reason": ("原因", "Reason"),
    "mr_reason_fast": ("速度异常", "implausible speed"),
    "mr_reason_repeated_track": ("轨迹与另一天几乎相同(回放)", "track nearly identical to another day's (replay)"),
    "mr_reason_stationary": ("全天签到未超出定位误差范围", "the day's check-ins never moved beyond GPS noise"),
    "mr_report_title": ("月度考核报告", "Monthly assessment report"),
    "mr_report_download": ("下载可打印的月度报告(HTML)", "Download the printable monthly report (HTML)"),
    "mr_report_help": (
        "独立的 HTML 文件,不引用外部资源;在浏览器中打开后可打印或另存为 PDF。",
        "A self-contained HTML file with no external assets; open it in a browser to print or save as PDF.",
    ),
    "mr_report_top": ("前 {n} 名", "Top {n}"),
    "mr_report_bottom": ("末 {n} 名", "Bottom {n}"),
    "mr_report_generated": ("生成于 {at}", "Generated {at}"),
    "mr_report_grades_chart": ("等级分布(两套规则)", "Grades under both rulesets"),
    "mr_report_movers_chart": ("名次变化最大的对象", "Biggest movers between the rulesets"),
    "mr_report_first_n": (
        "(列出前 {n} 条,共 {total} 条;完整名单见页面或导出。)",
        "(First {n} of {total} listed; the page and its export have them all.)",
    ),
    # --- integrity review in the consequences (data_access/integrity_review.py) ---
    "mr_pending": ("待复核", "Pending review"),
    "mr_pending_help": (
        "有强标记、尚未复核完毕的网格员的奖惩后果:被标记事件暂不计入数量分,后果暂不生效。",
        "Consequences of workers under a strong flag whose review is not finished: the flagged events are out "
        "of the quantity part and the consequence waits.",
    ),
    "mr_state_granted": ("生效", "Takes effect"),
    "mr_state_pending": ("待复核", "Pending review"),
    "mr_state_cleared": ("已复核:排除", "Reviewed: cleared"),
    "mr_state_upheld": ("已复核:属实", "Reviewed: upheld"),
    "mr_col_state": ("状态", "Status"),
    "mr_col_flagged": ("有真实性标记", "Integrity flag"),
    "mr_yes": ("是", "yes"),
    "mr_no": ("否", "no"),
    "mr_places_title": (
        "各考核规则下:奖惩名额有多少落到被标记的网格员",
        "Under each ruleset: how many places go to flagged workers",
    ),
    "mr_places_caption": (
        "同一月、同一批数据,按每套规则签发会产生的结果。启用复核的规则下,强标记网格员的被标记事件在复核前不计入数量分,"
        "其奖惩显示为“待复核”,不会悄悄生效。",
        "The same month and data, signed under each ruleset. Under a ruleset that reviews, a strongly flagged "
        "worker's flagged events are out of the quantity part until reviewed, and their consequences show as "
        "“pending review”, never granted silently.",
    ),
    "mr_col_ruleset": ("考核规则", "Ruleset"),
    "mr_col_review_on": ("复核", "Review"),
    "mr_review_on": ("启用", "on"),
    "mr_review_off": ("不复核", "off"),
    "mr_col_double_pay": ("双倍绩效名额", "Double-pay places"),
    "mr_col_double_pay_flagged": ("其中给被标记者", "of which to flagged workers"),
    "mr_col_loses_pay": ("扣发绩效人数", "Pay losses"),
    "mr_col_loses_pay_flagged": ("其中被标记者", "of which flagged workers"),
    "mr_col_pending": ("待复核", "Pending review"),
    "mr_review_title": ("履职真实性复核", "Integrity review"),
    "mr_review_caption_on": (
        "本规则启用复核:下列网格员有强标记。被标记事件({held} 件)在复核排除前不计入数量分;全部信号排除后恢复计入、奖惩按排名生效;"
        "任一信号属实则事件仍不计入,奖惩按扣除后的得分生效。",
        "This ruleset reviews: the workers below carry a strong flag. Their flagged events ({held} in all) stay out "
        "of the quantity part until cleared; with every signal cleared they count again and the consequences follow "
        "the ranking; with a signal upheld they stay out and the consequences of the score without them apply.",
    ),
    "mr_review_caption_off": (
        "本规则不复核:被标记网格员的事件照常计分,奖惩按排名直接生效(见上表“其中给被标记者”)。复核结论对启用复核的规则有效。",
        "This ruleset does not review: flagged workers' events count as usual and their consequences follow the "
        "ranking (see “of which to flagged workers” above). Decisions apply to the rulesets that review.",
    ),
    "mr_review_none": ("本月没有强标记的网格员。", "No worker carries a strong flag this month."),
    "mr_col_signals": ("信号", "Signals"),
    "mr_col_held": ("暂不计入的事件", "Events held out"),
    "mr_col_strength": ("强度", "Strength"),
    "mr_col_innocent": ("需先排除的正常解释", "Innocent explanation to rule out"),
    "mr_col_reviewer": ("复核人", "Reviewer"),
    "mr_col_decided_at": ("复核时间", "Decided"),
    "mr_col_note": ("备注", "Note"),
    "mr_review_worker": ("复核对象", "Worker to review"),
    "mr_review_signal": ("信号", "Signal"),
    "mr_review_note": ("复核说明(可选)", "Note (optional)"),
    "mr_review_clear": ("排除(计入)", "Clear (count the events)"),
    "mr_review_uphold": ("属实(不计入)", "Uphold (keep them out)"),
    "mr_review_saved": ("已记录:{worker} · {signal} · {decision}。", "Recorded: {worker} · {signal} · {decision}."),
    "mr_review_readonly": (
        "复核由领导或管理员账户进行;本账户只能查看复核状态。",
        "Leaders and administrators review; this account sees the state only.",
    ),
    "mr_decision_cleared": ("排除", "cleared"),
    "mr_decision_upheld": ("属实", "upheld"),
    "err_review_decision": ("未知的复核结论。", "Unknown review decision."),
    "err_review_signal": ("未知的信号。", "Unknown signal."),
    "err_review_month": ("月份无效。", "Not a valid month."),
    "err_review_note": ("复核说明过长(最多 500 字)。", "The note is too long (500 characters at most)."),
    "err_review_role": ("本账户无权复核。", "This account may not review."),
    "mr_innocent_on_the_spot_fixes": ("现场即时处置的小问题", "small problems fixed on the spot"),
    "mr_innocent_recurring_problem": ("固定地点反复出现的问题", "a recurring problem at a fixed place"),
    "mr_innocent_gps_noise": ("定位漂移", "GPS noise"),
    # --- each signal's method and blind spots, in plain words (page and README) ---
    "mr_methods_title": ("各信号的方法与盲区", "How each signal works, and what it cannot see"),
    "mr_method_padding": (
        "方法:与同类网格、同月的同行比较(稳健标准分:与同行中位数之差 ÷ 1.4826×绝对中位差),看琐碎、自报自结、"
        "快速结案事件的占比,以及上报在时间上的集中(任意时段、月末突击)和无其他来源(群众来电、12345、视频)印证的比例。"
        "证据:逐件列出事件、时间与结案间隔。",
        "Method: judged against peers — workers of the same kind of grid in the same month — by a robust z-score "
        "(difference from the peers' median ÷ 1.4826 × median absolute deviation) of the share of trivial, "
        "self-reported, self-closed and quickly closed events, of how bunched in time the reports are (any hour, "
        "month-end surges) and of how few are corroborated by another source (residents' calls, 12345, cameras). "
        "Evidence: the events, their times and how fast they were closed.",
    ),
    "mr_blind_padding": (
        "盲区:用真实但琐碎的问题、以同行正常的数量和节奏凑件的人看不出来;数量偏少、只补几件凑到指标的人也看不出来;"
        "现场即时处置小问题的人可能被误标,需复核排除。",
        "Blind spots: a worker who pads with real but trivial problems at peer-normal volume and rhythm is not seen; "
        "nor is a low-volume worker who adds just a few reports to reach the quota; a worker who fixes small "
        "problems on the spot can look similar and must be cleared by review.",
    ),
    "mr_method_near_duplicates": (
        "方法:同一人同一类别的事件在定位误差和改写措辞能解释的距离与时间内再次上报(含文字相似度),与同行的重复率比较"
        "(稳健标准分)。证据:成对列出前后两件的时间、距离和事项。",
        "Method: the same worker reporting the same category again within the distance and time that GPS error and "
        "rewording explain (text similarity included), compared with peers' re-report rate by a robust z-score. "
        "Evidence: the pairs, with their times, distance and items.",
    ),
    "mr_blind_near_duplicates": (
        "盲区:换到较远地点、换成另一类别再报的看不出来;在同一地点每天只重报一件、连续多天的,按固定地点反复出现的问题处理,"
        "不计为重复;固定地点反复出现的真实问题(如每天的占道摊点)仍可能相似,需复核排除。",
        "Blind spots: re-entries moved further away or into another category are not seen; one re-entry a day at "
        "one spot for days on end is read as a recurring problem and not counted; a real problem that recurs at "
        "one place (a stall every morning) can still look alike and must be cleared by review.",
    ),
    "mr_method_empty_patrol": (
        "方法:用容忍定位噪声的轨迹距离比较各天轨迹(重放的轨迹彼此过近)、签到点从不离开一个小半径的日子、"
        "轨迹覆盖网格面积的比例,与同行比较(稳健标准分)。证据:逐点列出签到时间、位置和原因。",
        "Method: tracks compared day with day by a distance that tolerates GPS noise (a replayed route is too close "
        "to another day's), days whose fixes never leave a small radius, and the share of the grid the tracks "
        "cover, each against peers by a robust z-score. Evidence: the check-ins with time, place and reason.",
    ),
    "mr_blind_empty_patrol": (
        "盲区:真实走动但不看不报的巡查看不出来;定位信号差的地段可能误标,需复核排除。",
        "Blind spots: a patrol that really walks the grid but looks at nothing is not seen; places with poor GPS "
        "can be flagged wrongly and must be cleared by review.",
    ),
    "mr_method_selective": (
        "方法:{lv_village}上报上级的比例明显低于全{lv_county},同时绕过网格的群众来电/12345 明显偏多(相对全{lv_county}的倍数)。"
        "证据:绕过网格的事件。",
        "Method: a {lv_village|community} that sends up far fewer of its reports than the county does, while "
        "residents' calls and 12345 cases that bypassed the grid are far more common (both relative to the county). "
        "Evidence: the events that bypassed the grid.",
    ),
    "mr_blind_selective": (
        "盲区:群众也不来电的地方,过滤看不出来;确实问题少的{lv_village}上报比例也低,但来电不会偏多。",
        "Blind spots: where residents do not call either, filtering is not seen; a {lv_village|community} with "
        "genuinely few problems also sends few up, but its calls are not high.",
    ),
    "xdef_review_state": (
        "生效:后果按排名生效;待复核:有强标记、复核未完成,后果暂不生效;已复核:复核人已排除或认定属实。",
        "Takes effect: the consequence follows the ranking; pending review: under a strong flag, review not "
        "finished, the consequence waits; reviewed: a reviewer cleared or upheld the flags.",
    ),
    "xdef_flagged": (
        "当月是否有履职真实性标记(凑件、重复事件、巡查空跑)。",
        "Whether the worker has an integrity flag this month (padding, near-duplicates, empty patrols).",
    ),
}
