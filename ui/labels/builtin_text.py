"""Labels for Streamlit's own texts re-drawn in the user's language (ui/builtin_text.py)."""

LABELS: dict[str, tuple[str, str]] = {
    "builtin_upload_button": ("上传文件", "Upload"),
    "builtin_upload_drop": ("松开鼠标即可上传文件", "Drag and drop a file here"),
    "builtin_upload_limit": ("单个文件不超过 {size}", "{size} per file"),
    "builtin_upload_limit_types": ("单个文件不超过 {size} • 格式:{types}", "{size} per file • {types}"),
    "builtin_upload_refused": (
        "此文件未被接受:格式不在允许之列,或超过大小上限",
        "This file was not accepted: its type is not allowed, or it is over the size limit.",
    ),
    "builtin_fullscreen": ("全屏", "Fullscreen"),
    "builtin_fullscreen_close": ("退出全屏", "Close fullscreen"),
}
