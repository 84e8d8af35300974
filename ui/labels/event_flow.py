"""Labels of the event flow page (事件流转)."""

LABELS: dict[str, tuple[str, str]] = {
    "ef_title": ("事件流转", "Event flow"),
    "ef_caption": (
        "统计期 {start} 至 {end}(北京时间,按上报日),截至 {as_of};对比期 {pstart} 至 {pend}。",
        "Period {start} to {end} (Beijing time, by reporting day), as of {as_of}; compared with {pstart} to {pend}.",
    ),
    "ef_model_title": ("流转图怎么算(口径)", "How the flows are counted"),
    "ef_model_body": (
        "- **范围**:统计期内上报、且在期末前已上报的事件;步骤只看到期末为止,所以图上是每件事件在期末的位置。\n"
        "- **每件事件只计一次**:从来源出发,经过入口层级(网格上报进**网格**,视频和12345进**{lv_county}中心**),"
        "依次经过它被**上报**到的更高层级(跳过的层级不计,如紧急件由网格直报镇街),再到派单去向"
        "(**职能部门**,或由中心**下派到网格**),最后到唯一的**结果**。\n"
        "- **上去又下来的事件**(退回,如镇街退回{lv_village})按其**到达的最高层级**计;退回体现在结果“退回后结案”中,"
        "并在“退回与返工”页单独统计。\n"
        "- **结果**(按此优先次序只取一个):报备;驳回重办后结案;退回后结案;结案;仍在办。\n"
        "- 因此每个层级节点:流入 = 继续流向上级或派单 + 止于该层级(流向结果);各来源之和 = 全部事件 = 各结果之和。"
        "下方“对账”表逐节点列出。",
        "- **Scope**: events reported in the period and by its end; steps are read up to the end of the period, so "
        "the chart shows where each event stood then.\n"
        "- **Each event counts once**: from its origin into its entry level (workers' reports enter at the "
        "**grid**, camera and 12345 events at the **{lv_county|county} centre**), through each higher level it was "
        "**escalated** to (skipped levels are not visited, e.g. an emergency sent from the grid straight to the "
        "town), to where it was dispatched (a **department**, or **assigned down to a grid** by a centre), and to "
        "exactly one **outcome**.\n"
        "- **Events that go up and come back down** (a return, e.g. {lv_town|town} → {lv_village|village}) count at the **highest level "
        'they reached**; the return shows in the outcome "closed after a return" and in the returns-and-rework '
        "tab.\n"
        "- **Outcome** (one, in this order of precedence): filing-only; closed after rejection and rework; closed "
        "after a return; closed; still open.\n"
        "- So at every level node: in = passed on to a higher level or a dispatch + ended there (to an outcome); "
        "the origins add up to all events, and so do the outcomes. The reconciliation table below lists each node.",
    ),
    "ef_no_events": ("当前筛选条件下没有事件。", "No events match the current filter."),
    "ef_tab_flow": ("流向图", "Flows"),
    "ef_tab_compare": ("两期对比", "Two periods"),
    "ef_tab_timing": ("环节时效", "Stage timing"),
    "ef_tab_returns": ("退回与返工", "Returns and rework"),
    "ef_tab_escalation": ("上报层级画像", "Escalation profile"),
    # nodes
    "ef_node_origin_patrol": ("巡查发现", "Patrol"),
    "ef_node_origin_household_visit": ("入户走访", "Household visit"),
    "ef_node_origin_resident_call": ("居民来电", "Resident call"),
    "ef_node_origin_camera_alert": ("视频/AI告警", "Camera / AI alert"),
    "ef_node_origin_hotline_12345": ("12345热线", "12345 hotline"),
    "ef_node_level_grid": ("网格", "Grid"),
    "ef_node_level_village": ("{lv_village}", "{Lv_village|Village / community}"),
    "ef_node_level_town": ("镇街", "Town / street"),
    "ef_node_level_county": ("{lv_county}社会治理中心", "{Lv_county|County} centre"),
    "ef_node_dispatch_department": ("派单部门", "Dispatched to depts"),
    "ef_node_dispatch_assigned_grid": ("下派网格", "Assigned to grid"),
    "ef_node_outcome_closed": ("结案", "Closed"),
    "ef_node_outcome_closed_returned": ("退回后结案", "Closed after a return"),
    "ef_node_outcome_closed_rejected": ("驳回重办后结案", "Closed after rejection and rework"),
    "ef_node_outcome_open": ("仍在办", "Still open"),
    "ef_node_outcome_filed": ("报备", "Filing-only"),
    # levels in the step timeline and returns table
    "ef_level_micro_grid": ("微网格", "Micro-grid"),
    "ef_level_grid": ("网格", "Grid"),
    "ef_level_village": ("{lv_village}", "{Lv_village|Village}"),
    "ef_level_town": ("镇街", "Town"),
    "ef_level_county": ("{lv_county}中心", "{Lv_county|County} centre"),
    "ef_level_department": ("职能部门", "Department"),
    "ef_level_assigned_grid": ("下派网格", "Assigned grid"),
    "ef_level_none": ("—", "—"),
    # actions
    "ef_action_report": ("上报", "report"),
    "ef_action_accept": ("受理", "accept"),
    "ef_action_register": ("立案", "register"),
    "ef_action_dispatch": ("派遣", "dispatch"),
    "ef_action_handle": ("处置", "handle"),
    "ef_action_escalate": ("上报上级", "escalate"),
    "ef_action_return": ("退回", "return"),
    "ef_action_complete": ("办结", "complete"),
    "ef_action_verify": ("核查", "verify"),
    "ef_action_reject": ("驳回", "reject"),
    "ef_action_close": ("结案", "close"),
    "ef_action_file": ("报备", "file"),
    # flow tab
    "ef_sankey_title": ("事件流向(宽度 = 事件数,颜色 = 结果)", "Event flows (width = events, colour = outcome)"),
    "ef_hover_link": (
        "%{source.label} → %{target.label}<br>结果:%{customdata[0]}<br>事件:%{value}"
        "<br>占全部事件:%{customdata[1]}<br>占来源节点流出:%{customdata[2]}<extra></extra>",
        "%{source.label} → %{target.label}<br>Outcome: %{customdata[0]}<br>Events: %{value}"
        "<br>Share of all events: %{customdata[1]}<br>Share of the source node's outflow: %{customdata[2]}"
        "<extra></extra>",
    ),
    "ef_hover_node": ("%{label}<br>事件:%{value}<extra></extra>", "%{label}<br>Events: %{value}<extra></extra>"),
    "ef_legend": ("颜色 = 结果:", "Colour = outcome:"),
    "ef_balance_title": (
        "对账:每个节点 流入 = 继续流出 + 止于此处",
        "Reconciliation: at each node, in = passed on + ended here",
    ),
    "ef_balance_ok": (
        "全部节点对账一致;来源合计 {n} 件 = 结果合计 {m} 件。",
        "Every node balances; origins add up to {n} events = outcomes {m}.",
    ),
    "ef_balance_bad": ("对账不一致的节点:{nodes}", "Nodes that do not balance: {nodes}"),
    "col_ef_node": ("节点", "Node"),
    "col_ef_inflow": ("流入", "In"),
    "col_ef_passed": ("继续流出", "Passed on"),
    "col_ef_ended": ("止于此处", "Ended here"),
    "col_ef_outflow": ("流出合计", "Out"),
    "ef_drill_title": ("从流向到事件", "From a flow to its events"),
    "ef_drill_help": (
        "选择一条流向(图上的一条连线,所有结果合并),查看其上的事件(分页),再选一件查看完整流转步骤。",
        "Choose a flow (one link of the chart, all outcomes together) to see its events (paged), then one event "
        "for its full step timeline.",
    ),
    "ef_link": ("流向", "Flow"),
    "ef_page_size": ("每页条数", "Rows per page"),
    "ef_page": ("页码", "Page"),
    "ef_page_of": ("第 {page} / {pages} 页,共 {n} 件", "Page {page} of {pages}, {n} events"),
    "ef_event": ("查看事件", "Event"),
    "ef_timeline_title": ("事件 {code} 的流转步骤(北京时间)", "Steps of event {code} (Beijing time)"),
    "col_ef_code": ("事件编号", "Event"),
    "col_ef_category": ("大类", "Category"),
    "col_ef_source": ("来源", "Source"),
    "col_ef_urgency": ("紧急程度", "Urgency"),
    "col_ef_village": ("{lv_village}", "{Lv_village|Village}"),
    "col_ef_reported": ("上报时间", "Reported"),
    "col_ef_status": ("当前状态", "Status"),
    "col_ef_outcome": ("结果", "Outcome"),
    "col_ef_returns": ("退回", "Returns"),
    "col_ef_rejections": ("驳回", "Rejections"),
    "col_ef_seq": ("序号", "#"),
    "col_ef_action": ("动作", "Action"),
    "col_ef_from": ("从", "From"),
    "col_ef_to": ("到", "To"),
    "col_ef_actor": ("经办人", "Actor"),
    "col_ef_at": ("时间", "Time"),
    "col_ef_minutes": ("距上一步(分钟)", "Since previous step (min)"),
    "ef_minutes_help": (
        "与上一步相隔的分钟数。“—”:第一步,没有上一步。",
        "Minutes since the step before. “—”: the first step, which has no previous step.",
    ),
    "ef_actor_help": (
        "办理这一步的人员。“—”:这一步没有记录办理人(如系统自动流转)。",
        "Who took the step. “—”: no person is recorded for it (e.g. an automatic transfer).",
    ),
    "ef_status_reported": ("已上报", "reported"),
    "ef_status_accepted": ("已受理", "accepted"),
    "ef_status_dispatched": ("已派遣", "dispatched"),
    "ef_status_handling": ("处置中", "handling"),
    "ef_status_completed": ("已办结", "completed"),
    "ef_status_verified": ("已核查", "verified"),
    "ef_status_closed": ("已结案", "closed"),
    "ef_status_filed": ("已报备", "filed"),
    "ef_urgency_emergency": ("紧急", "emergency"),
    "ef_urgency_urgent": ("较急", "urgent"),
    "ef_urgency_ordinary": ("一般", "ordinary"),
    # compare tab
    "ef_this_period": ("本期 {start} 至 {end}", "This period {start} to {end}"),
    "ef_prev_period": ("上期 {start} 至 {end}", "Previous period {start} to {end}"),
    "ef_compare_table": ("每条流向的变化", "Change on each flow"),
    "col_ef_from_node": ("起点", "From"),
    "col_ef_to_node": ("终点", "To"),
    "col_ef_events": ("本期", "This period"),
    "col_ef_previous": ("上期", "Previous"),
    "col_ef_change": ("变化", "Change"),
    "col_ef_change_share": ("变化率", "Change %"),
    # timing tab
    "ef_timing_by": ("分组", "Group by"),
    "ef_by_all": ("全部", "All events"),
    "ef_by_route": ("处置层级", "Level"),
    "ef_by_category": ("事件大类", "Category"),
    "ef_timing_chart": ("各环节用时(小时,对数坐标)", "Time per stage (hours, log scale)"),
    "ef_median": ("中位数", "Median"),
    "ef_p90": ("90分位", "90th percentile"),
    "ef_verify_rule": ("核查时限 {h:g} 小时", "Verify within {h:g} h"),
    "ef_timing_note": (
        "处置层级 = 事件流向的最后一个层级节点(派单部门、下派网格,或到达的最高层级)。"
        "“受理→办结”只计未派单、由本级处置的事件。",
        "Level = the last level node of the event's path (the department or assigned grid it was dispatched to, "
        'or the highest level it reached). "Accept → complete" counts only events handled without a dispatch.',
    ),
    "ef_stage_report_accept": ("上报→受理", "Report → accept"),
    "ef_stage_accept_dispatch": ("受理→派遣", "Accept → dispatch"),
    "ef_stage_dispatch_complete": ("派遣→办结", "Dispatch → complete"),
    "ef_stage_accept_complete": ("受理→办结(未派单)", "Accept → complete (no dispatch)"),
    "ef_stage_complete_verify": ("办结→核查", "Complete → verify"),
    "ef_stage_verify_close": ("核查→结案", "Verify → close"),
    "col_ef_stage": ("环节", "Stage"),
    "col_ef_group": ("分组", "Group"),
    "col_ef_n": ("事件数", "Events"),
    "col_ef_median_h": ("中位数(小时)", "Median (h)"),
    "col_ef_p90_h": ("90分位(小时)", "90th pct (h)"),
    "col_ef_breach": ("超时率", "Breach share"),
    "ef_no_timing": ("没有已完成的环节。", "No stage has finished yet."),
    # returns tab
    "ef_returns_title": (
        "退回与驳回:在哪两级之间、哪些大类",
        "Returns and rejections: between which levels, which categories",
    ),
    "ef_trips_title": ("每件事件的往返次数", "Round trips per event"),
    "ef_trips_axis": ("往返次数(退回 + 驳回)", "Round trips (returns + rejections)"),
    "ef_no_returns": ("期内没有退回或驳回。", "No returns or rejections in the period."),
    "col_ef_kind": ("类型", "Kind"),
    "col_ef_steps": ("次数", "Times"),
    "col_ef_events_n": ("涉及事件", "Events"),
    "ef_events_axis": ("事件数", "Events"),
    # escalation tab
    "ef_esc_rule": (
        "**判定规则**(阈值来自考核规则数据 `integrity`):回看 {days} 天(截至筛选结束日)。"
        "同类同级比较:{lv_village}与同镇街同类型{lv_village}比较(少于 {min_peers} 个时与全{lv_county}同类比较)。"
        "当 ① 上报率 ≤ 同类中位数的 {ratio:.0%},且按同类上报率应有 ≥ {min_exp:g} 件上报;"
        "并且 ② 12345热线件/网格上报件 ≥ 同类中位数的 {hot:g} 倍时,标记为“疑似回避上报/信息过滤”。"
        "这是核查线索,不是结论。",
        "**Rule** (thresholds from the `integrity` assessment rules): look back {days} days (to the filter's end "
        "date). Peers: {lv_village_pl|villages} of the same kind in the same {lv_town|town} (the {lv_county|county}'s, when the {lv_town|town} has fewer than "
        '{min_peers}). A unit is flagged as "possibly avoiding escalation / filtering" when ① its escalated share '
        "is at most {ratio:.0%} of the peers' median while the peers' share would predict at least {min_exp:g} "
        "escalations, and ② its 12345 hotline events per grid report are at least {hot:g}× the peers' median. "
        "A lead to check, not a verdict.",
    ),
    "ef_esc_scope_note": (
        "时间窗:{start} 至 {end}。镇街/{lv_village}筛选只缩小下表,比较对象不变。",
        "Window: {start} to {end}. The {lv_town|town}/{lv_village|village} filter narrows the table; peers stay the same.",
    ),
    "ef_esc_flagged": ("被标记的单位", "Units flagged"),
    "ef_esc_towns": ("镇街", "Towns"),
    "ef_esc_villages": ("{lv_village}", "{Lv_village_pl|Villages and communities}"),
    "ef_esc_scatter": (
        "上报率与热线比(相对同类中位数)",
        "Escalated share and hotline ratio (relative to peers' median)",
    ),
    "ef_esc_x": ("热线件/网格上报件 ÷ 同类中位数", "Hotline per grid report ÷ peers' median"),
    "ef_esc_y": ("上报率 ÷ 同类中位数", "Escalated share ÷ peers' median"),
    "ef_esc_flag_yes": ("疑似回避上报", "Possibly avoiding"),
    "ef_esc_flag_no": ("未标记", "Not flagged"),
    "col_ef_unit": ("单位", "Unit"),
    "col_ef_town": ("所属镇街", "Town"),
    "col_ef_kind_unit": ("类型", "Kind"),
    "col_ef_decided": ("网格上报件", "Grid reports"),
    "col_ef_escalated": ("上报上级", "Escalated"),
    "col_ef_share": ("上报率", "Escalated share"),
    "col_ef_peer_share": ("同类中位数", "Peers' median"),
    "col_ef_hotline": ("12345件", "12345 events"),
    "col_ef_hot_ratio": ("热线/上报", "Hotline per report"),
    "col_ef_peer_hot": ("同类热线比中位数", "Peers' hotline ratio"),
    "col_ef_peers": ("同类数(范围)", "Peers (scope)"),
    "col_ef_flag": ("标记", "Flag"),
    "ef_kind_village": ("村", "village"),
    "ef_kind_community": ("社区", "community"),
    "ef_kind_management_area": ("管区", "management area"),
    "ef_kind_town": ("镇", "town"),
    "ef_kind_street": ("街道", "street"),
    "ef_scope_town": ("同镇街", "same town"),
    "ef_scope_county": ("全{lv_county}", "{lv_county|county}"),
}
