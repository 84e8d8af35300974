"""Labels of the exports (ui/export.py): the XLSX 说明 / About sheet."""

LABELS: dict[str, tuple[str, str]] = {
    "export_about_sheet": ("说明", "About"),
    "export_about_item": ("项目", "Item"),
    "export_about_value": ("内容", "Value"),
    "export_about_table": ("表", "Table"),
    "export_about_period": ("统计期", "Period"),
    "export_about_scope": ("范围", "Scope"),
    "export_about_county": ("全县", "Whole county"),
    "export_about_as_of": ("数据截至", "Data as of"),
    "export_about_user": ("导出人", "Exported by"),
    "export_about_made": ("导出时间", "Exported at"),
    "export_about_units": ("单位", "Units"),
    "export_about_units_text": (
        "比率在 CSV 和 XLSX 中都以小数存储(0.9401),XLSX 按页面显示为百分比(94.01%);时间为北京时间。",
        "Rates are stored as fractions in both the CSV and the XLSX (0.9401); the XLSX shows them as percentages "
        "as the page does (94.01%). Times are Beijing time.",
    ),
    "export_about_column": ("列", "Column"),
    "export_about_unit": ("单位与格式", "Unit and format"),
    "export_about_definition": ("定义", "Definition"),
    "export_no_definition": ("按列名;见页面说明。", "As named; see the page's notes."),
    "export_kind_percent": ("比率(0–1,显示为百分比)", "rate (0–1, shown as a percentage)"),
    "export_kind_decimal": ("数值(按页面保留小数)", "number (decimals as on the page)"),
    "export_kind_count": ("计数(整数)", "count (whole number)"),
    "export_kind_signed": ("名次变化(正数为上升)", "rank change (positive = moved up)"),
    "export_kind_text": ("文字", "text"),
    "export_kind_number": ("数值", "number"),
    "export_kind_time": ("时间(北京时间)", "time (Beijing time)"),
    # column definitions of the rankings and department exports (ui/export_columns.py)
    "xdef_rank": (
        "当月名次,全县统一排名(1 为最好);同分同名次。",
        "The month's rank, county-wide (1 = best); equal scores share a rank.",
    ),
    "xdef_subject_worker": ("专职网格员姓名。", "The full-time grid worker's name."),
    "xdef_subject_village": ("村社名称。", "The village or community."),
    "xdef_subject_town": ("镇街名称。", "The town or street."),
    "xdef_town": ("所属镇街。", "The town or street it belongs to."),
    "xdef_village": ("所属村社。", "The village or community it belongs to."),
    "xdef_reported": (
        "当月网格上报事件数(村社、镇街含兼职网格员的上报)。",
        "Grid reports in the month (for communities and towns, part-time workers' reports included).",
    ),
    "xdef_quota": ("当月定额(件),按所选规则计算。", "The month's quota (events) under the chosen ruleset."),
    "xdef_grade": ("按总分和规则的等级线划分的 A–E 等级。", "Grade A–E from the score and the ruleset's grade limits."),
    "xdef_flags": (
        "本人被标记的履职真实性信号(线索,不是结论)。",
        "Integrity signals raised on the subject (leads, not verdicts).",
    ),
    "xdef_closure": (
        "当月上报事件中已办结的比例;报备事件是否计入由规则决定。",
        "Share of the month's reports closed; whether filing-only events count is a rule.",
    ),
    "xdef_qualified": (
        "已评定质量的结案事件中合格的比例。",
        "Of the graded closed events, the share graded qualified.",
    ),
    "xdef_excellent": (
        "已评定质量的结案事件中优秀的比例。",
        "Of the graded closed events, the share graded excellent.",
    ),
    "xdef_satisfaction": (
        "当月上报、已结案且有居民评价的事件的平均评分(1–5 分)。",
        "Mean resident rating (1–5) of the month's reports that were closed and rated.",
    ),
    "xdef_prev_total": ("上月总分(同一规则)。", "Last month's score under the same ruleset."),
    "xdef_reasons": (
        "产生后果的规则:末位、≤ 及格线、前列、连续不及格。",
        "Which rule applies: bottom ranks, ≤ pass score, top ranks, consecutive months.",
    ),
    "xdef_department": (
        "部门名称;首行为全部部门合计(全县参照)。",
        "The department; the first row pools every department (the county reference).",
    ),
    "xdef_mismatch": (
        "镇街评价与数据得分明显不一致时的提示(稳健 z 分数之差超过规则阈值)。",
        "A note when the towns' rating and the data score disagree (robust z-scores apart by more than the rule's gap).",
    ),
    "xabout_month": ("考核月份", "Month assessed"),
    "xabout_ruleset": ("考核规则", "Ruleset"),
    "xabout_level": ("排名层级", "Level"),
}
