"""Labels of the data-import (admin) page."""

LABELS: dict[str, tuple[str, str]] = {
    "data_import_title": ("数据导入", "Data import"),
    "data_import_caption": (
        "管理员功能(仅管理员角色可见):把本县已有的边界(GeoJSON、Shapefile 压缩包、GeoPackage)和旧平台导出的"
        "事件(CSV、Excel)导入数据库。先校验预览,再提交;有错误时默认不写入任何数据。每次提交都记入审计日志。",
        "Admin function (administrators only): import the county's own boundaries (GeoJSON, zipped Shapefile, "
        "GeoPackage) and event exports from the old platform (CSV, Excel) into the store. Validate and preview "
        "first, then commit; a file with errors changes nothing by default. Every commit is recorded in the "
        "audit log.",
    ),
    "data_import_store_timezone": (
        "数据库时区:{zone}。事件的上报日期、结案日期和看板的“今天”按此时区计日;新建数据库时在命令行设置。",
        "Store time zone: {zone}. Events' report and close dates and the dashboard's today are days in this "
        "zone; a new store gets it from the command line's --timezone.",
    ),
    "data_import_zone_Asia/Shanghai": ("北京时间", "Asia/Shanghai (China Standard Time)"),
    "data_import_zone_Asia/Urumqi": ("乌鲁木齐时间", "Asia/Urumqi"),
    "data_import_zone_Asia/Hong_Kong": ("香港时间", "Asia/Hong_Kong"),
    "data_import_zone_America/Los_Angeles": ("美国太平洋时间(洛杉矶)", "America/Los_Angeles (Pacific Time)"),
    "data_import_zone_offset": ("世界时{offset}", "UTC{offset}"),
    "data_import_kind": ("导入内容", "What to import"),
    "data_import_kind_boundaries": ("边界", "Boundaries"),
    "data_import_kind_events": ("事件", "Events"),
    "data_import_file": ("选择文件", "Choose a file"),
    "data_import_file_help_boundaries": (
        "GeoJSON、Shapefile(.zip,含 .shp/.dbf/.prj)或 GeoPackage",
        "GeoJSON, a zipped Shapefile (.shp/.dbf/.prj) or a GeoPackage",
    ),
    "data_import_file_help_events": (
        "CSV(UTF-8、带 BOM 的 UTF-8 或 GBK,自动识别)或 Excel(.xlsx)",
        "CSV (UTF-8, UTF-8 with BOM or GBK, detected) or Excel (.xlsx)",
    ),
    "data_import_level": ("层级", "Level"),
    "data_import_level_county": ("县(区)", "County / district"),
    "data_import_level_town": ("镇街", "Town / street"),
    "data_import_level_village": ("{lv_village}", "{Lv_village|Village / community}"),
    "data_import_level_grid": ("网格", "Grid"),
    "data_import_level_micro_grid": ("微网格", "Micro-grid"),
    "data_import_id_field": ("编码字段", "Code field"),
    "data_import_name_field": ("名称字段", "Name field"),
    "data_import_parent_field": ("上级编码字段", "Parent code field"),
    "data_import_by_location": ("(按位置自动归属)", "(by location)"),
    "data_import_none": ("(无)", "(none)"),
    "data_import_households_field": ("户数字段", "Households field"),
    "data_import_residents_field": ("人口字段", "Residents field"),
    "data_import_crs": ("坐标系(文件未声明或声明错误时填写)", "CRS (when the file declares none or a wrong one)"),
    "data_import_crs_help": (
        "如 EPSG:4490(CGCS2000)、EPSG:32651(UTM 51N)。注意:高德/腾讯的 GCJ-02 和百度的 BD-09 不是 EPSG "
        "坐标系,带有数百米的加密偏移,无法自动识别,须先用专门工具转换为 WGS-84 再导入。",
        "e.g. EPSG:4490 (CGCS2000), EPSG:32651 (UTM 51N). Note: GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are "
        "not EPSG systems: they carry a deliberate offset of a few hundred metres that cannot be detected; "
        "convert such files to WGS-84 with a dedicated tool before importing.",
    ),
    "data_import_mapping": ("字段映射", "Field mapping"),
    "data_import_mapping_upload": ("上传映射文件(TOML)……", "Upload a mapping (TOML)…"),
    "data_import_mapping_file": ("映射文件", "Mapping file"),
    "data_import_allow_outside": (
        "允许中国境外的坐标(测试数据或境外样例)",
        "Allow coordinates outside China (test data or samples from abroad)",
    ),
    "data_import_committed_before": (
        "本文件已按当前设置提交;如需再次导入,请重新预览。",
        "This file was committed with these settings; preview again to import it once more.",
    ),
    "data_import_allow_partial": (
        "允许部分导入(只写入通过校验的行)",
        "Allow a partial import (load only the rows that pass)",
    ),
    "data_import_preview": ("校验并预览", "Validate and preview"),
    "data_import_commit": ("提交导入", "Commit the import"),
    "data_import_need_file": ("请先选择文件。", "Choose a file first."),
    "data_import_refused": ("无法导入:{reason}", "Cannot import: {reason}"),
    "data_import_running": ("正在处理:{step}", "Working: {step}"),
    "data_import_rows_read": ("读取行数", "Rows read"),
    "data_import_rows_refused": ("拒绝行数", "Rows refused"),
    "data_import_repairs": ("几何修复", "Shapes repaired"),
    "data_import_to_insert": ("新增", "New"),
    "data_import_to_update": ("更新", "Updated"),
    "data_import_rows_help": ("源文件中的数据行(不含表头)", "Data rows of the source file (header excluded)"),
    "data_import_refused_help": (
        "至少有一个问题的行;问题逐条列在下表",
        "Rows with at least one problem, each listed below",
    ),
    "data_import_new_help": ("按编码在库中找不到、将新增的记录", "Records whose code is not in the store yet: added"),
    "data_import_update_help": (
        "按编码已在库中、将被覆盖更新的记录(重复导入不会产生重复数据)",
        "Records whose code is already stored: updated (re-importing never duplicates)",
    ),
    "data_import_encoding": ("文件编码:{encoding}", "File encoding: {encoding}"),
    "data_import_clean": ("校验通过,可以提交。", "The file passed every check: ready to commit."),
    "data_import_has_errors": (
        "有 {n} 行未通过校验,默认不会写入任何数据。请修正源文件,或勾选“允许部分导入”。",
        "{n} rows failed the checks, so by default nothing is written. Fix the source file, "
        "or tick “allow a partial import”.",
    ),
    "data_import_file_error": (
        "整个文件无法导入(见下表中行号为空的问题),未写入任何数据。",
        "The file as a whole cannot be imported (see the problems without a row number below); nothing was written.",
    ),
    "data_import_errors": ("校验问题", "Problems found"),
    "data_import_col_row": ("行号", "Row"),
    "data_import_col_field": ("字段", "Field"),
    "data_import_col_reason": ("原因", "Reason"),
    "data_import_repairs_title": ("几何修复记录", "Shape repairs"),
    "data_import_warnings": ("提示", "Notes"),
    "data_import_preview_title": (
        "预览:前 {n} 条将写入的记录",
        "Preview: the first {n} records as they will be stored",
    ),
    "data_import_rejected": ("下载被拒绝的行", "Download the refused rows"),
    "data_import_truncated": (
        "共发现 {problems:,} 个问题、{refused:,} 行被拒绝；此处列出前 {shown:,} 个问题，下载文件含前 {rows:,} 行。"
        "全部被拒绝的行请用命令行导入的 --rejects 文件。",
        "{problems:,} problems in {refused:,} refused rows; the first {shown:,} problems are listed and the "
        "download holds the first {rows:,} rows. The command line's --rejects file has every refused row.",
    ),
    "data_import_committed": (
        "已提交:新增 {inserted} 条,更新 {updated} 条。",
        "Committed: {inserted} added, {updated} updated.",
    ),
    "data_import_not_committed": ("未写入任何数据:{reason}", "Nothing was written: {reason}"),
    "data_import_preview_first": (
        "请先校验并预览当前文件和设置,再提交。",
        "Validate and preview this file with these settings before committing.",
    ),
    "data_import_done": ("完成", "done"),
    # step actions and GridSight-side field names inside the importers' messages
    "data_import_action_report": ("上报", "report"),
    "data_import_action_accept": ("受理", "accept"),
    "data_import_action_register": ("登记", "register"),
    "data_import_action_dispatch": ("派遣", "dispatch"),
    "data_import_action_handle": ("处置", "handle"),
    "data_import_action_complete": ("办结", "complete"),
    "data_import_action_verify": ("核查", "verify"),
    "data_import_action_close": ("结案", "close"),
    "data_import_action_file": ("归档", "file"),
    "data_import_field_lon/lat": ("经纬度", "lon/lat"),
    "data_import_field_status": ("状态", "status"),
    "data_import_field_geometry": ("图形", "geometry"),
    "data_import_field_parent": ("上级", "parent"),
    "data_import_field_id": ("编码", "id"),
    "data_import_field_code": ("编号", "code"),
    "data_import_field_category": ("事件类别", "category"),
    "data_import_field_item_type": ("事项类型", "item type"),
    "data_import_field_source": ("来源", "source"),
    "data_import_field_urgency": ("紧急程度", "urgency"),
    "data_import_field_department": ("部门", "department"),
    "data_import_field_lon": ("经度", "lon"),
    "data_import_field_deadline": ("办理时限", "deadline"),
    "data_import_field_grid_code": ("网格编码", "grid code"),
    "data_import_field_micro_grid_code": ("微网格编码", "micro-grid code"),
}
