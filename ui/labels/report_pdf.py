"""Labels of the PDF monthly report (ui/monthly_pdf.py) and its command line."""

LABELS: dict[str, tuple[str, str]] = {
    "pdf_title": ("网格化服务管理月度考核报告", "Grid governance monthly assessment report"),
    "pdf_cover_month": ("考核月份", "Month assessed"),
    "pdf_cover_ruleset": ("考核规则", "Ruleset"),
    "pdf_cover_level": ("排名层级", "Level ranked"),
    "pdf_cover_scope": ("范围", "Scope"),
    "pdf_cover_as_of": ("数据截至", "Data as of"),
    "pdf_cover_user": ("生成人", "Made by"),
    "pdf_cover_made": ("生成时间", "Made at"),
    "pdf_cover_note": (
        "排名全县统一计算,范围只缩小列出的对象;事件大类筛选不适用于考核。所有时间为北京时间。"
        "本报告与“月度排名”页面同一数据、同一规则,数字一致。",
        "Ranks are county-wide; the scope only narrows the rows listed, and no category filter applies to the "
        "assessment. All times are Beijing time. The report uses the data and rules of the Monthly rankings page, "
        "and its numbers are the page's.",
    ),
    "pdf_scope_county": ("全县", "Whole county"),
    "pdf_scope_town": ("{town}(镇街编号 {id})", "{town} (town id {id})"),
    "pdf_page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "pdf_contents": ("目录", "Contents"),
    "pdf_kpi_title": ("一、关键指标", "1. Key figures"),
    "pdf_kpi_grades": ("等级分布", "Grades"),
    "pdf_kpi_moved": ("两套规则下名次改变的对象", "Subjects whose rank differs between the rulesets"),
    "pdf_ranking_title": ("二、排名", "2. Ranking"),
    "pdf_ranking_note": (
        "名次变化与上月相比,正数为上升,“—”表示上月未参与排名;得分各部分 0–100 分,定义见附录。",
        "Rank change against last month, positive = moved up, '—' = not ranked last month; parts score 0–100, "
        "defined in the appendix.",
    ),
    "pdf_all_rows": ("共 {n} 个对象,全部列出。", "All {n} subjects listed."),
    "pdf_top_bottom": (
        "共 {n} 个对象:列出前 {top} 名和末 {bottom} 名;完整名单见页面或导出。",
        "{n} subjects: the top {top} and the bottom {bottom} are listed; the page and its export list them all.",
    ),
    "pdf_gap_row": ("……(中间 {n} 个对象略)……", "… ({n} subjects in between left out) …"),
    "pdf_compare_title": ("三、两套规则对比", "3. Both rulesets side by side"),
    "pdf_consequences_title": ("四、签批后果", "4. Consequences of signing"),
    "pdf_consequences_none": ("按此规则本月没有人受到处理。", "Under this ruleset nobody is affected this month."),
    "pdf_consequences_worker_only": (
        "后果只适用于专职网格员的个人排名。",
        "Consequences apply to the full-time workers' ranking only.",
    ),
    "pdf_integrity_title": ("五、履职真实性信号", "5. Integrity signals"),
    "pdf_integrity_counts": ("证据条数", "Evidence rows"),
    "pdf_departments_title": ("六、部门响应", "6. Department response"),
    "pdf_departments_caption": (
        "统计期为考核月份 {start} 至 {end};按综合得分从低到高排列(最需要关注的在前)。",
        "Period: the month assessed, {start} to {end}; ordered by score, lowest (most in need of attention) first.",
    ),
    "pdf_departments_none": ("本月没有部门收到事件。", "No department received work this month."),
    "pdf_appendix_title": ("附录:指标定义与规则", "Appendix: definitions and rules"),
    "pdf_appendix_metrics": ("指标定义", "Metric definitions"),
    "pdf_appendix_rules": ("所用规则值", "Rule values used"),
    "pdf_col_metric": ("指标", "Metric"),
    "pdf_col_definition": ("定义", "Definition"),
    "pdf_col_signal": ("信号", "Signal"),
    "pdf_col_flagged": ("被标记", "Flagged"),
    "pdf_col_rule": ("判定规则", "Rule"),
    "pdf_yes": ("是", "yes"),
    "pdf_no": ("否", "no"),
    "pdf_download": ("下载月度报告(PDF)", "Download the monthly report (PDF)"),
    "pdf_download_help": (
        "A4 PDF,内嵌中文字体:封面、关键指标、排名、后果、真实性信号、部门表和定义附录;与本页同一月份、规则和层级。",
        "An A4 PDF with embedded Chinese fonts: cover, key figures, ranking, consequences, integrity signals, the "
        "department table and a definitions appendix; for this page's month, ruleset and level.",
    ),
    "pdf_no_font": (
        "无法生成 PDF:找不到中文字体。请安装 fonts-noto-cjk(sudo apt-get install fonts-noto-cjk),"
        "或用环境变量 GRID_PDF_FONT 指定一个含中文字形的 .ttf/.otf/.ttc 文件。已查找:{tried}",
        "The PDF cannot be made: no Chinese font was found. Install fonts-noto-cjk (sudo apt-get install "
        "fonts-noto-cjk), or point the environment variable GRID_PDF_FONT at a .ttf/.otf/.ttc file with Chinese "
        "glyphs. Looked at: {tried}",
    ),
    "pdf_bad_font": (
        "GRID_PDF_FONT 指定的文件 {path} 不能使用:{reason}",
        "The file {path} named by GRID_PDF_FONT cannot be used: {reason}",
    ),
    "pdf_font_missing_file": ("文件不存在", "there is no such file"),
    "pdf_font_no_cjk": ("其中没有中文字形", "it has no Chinese glyphs"),
    # the command line
    "pdf_cli_bad_month": (
        "月份应写作 YYYY-MM,例如 2026-11,而不是 {value!r}。",
        "Write the month as YYYY-MM, e.g. 2026-11, not {value!r}.",
    ),
    "pdf_cli_no_data": ("{month} 没有事件,无法生成报告。", "{month} has no events: there is nothing to report."),
    "pdf_cli_bad_town": ("没有编号为 {id} 的镇街。", "There is no town with id {id}."),
    "pdf_cli_store": ("无法读取数据库:{reason}", "The database cannot be read: {reason}"),
    "pdf_cli_written": ("已写入 {path}({pages} 页,{size} KB)。", "Wrote {path} ({pages} pages, {size} KB)."),
    "pdf_cli_cannot_write": ("无法写入 {path}:{reason}", "Cannot write {path}: {reason}"),
    # rule units (assessment_rules.unit) as the report prints them
    "rule_unit_bool": ("是/否", "yes/no"),
    "rule_unit_h": ("小时", "hours"),
    "rule_unit_km/h": ("千米/小时", "km/h"),
    "rule_unit_个": ("个", "items"),
    "rule_unit_人": ("人", "people"),
    "rule_unit_件": ("件", "events"),
    "rule_unit_件/月": ("件/月", "events/month"),
    "rule_unit_倍": ("倍", "× county"),
    "rule_unit_分": ("分", "points"),
    "rule_unit_分钟": ("分钟", "minutes"),
    "rule_unit_天": ("天", "days"),
    "rule_unit_对": ("对", "pairs"),
    "rule_unit_时": ("时", "o'clock"),
    "rule_unit_月": ("个月", "months"),
    "rule_unit_点": ("个点", "points on a track"),
    "rule_unit_米": ("米", "metres"),
    "rule_unit_": ("", ""),
}
