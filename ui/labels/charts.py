"""Labels of the shared chart helpers (ui/charts.py)."""

LABELS: dict[str, tuple[str, str]] = {
    "chart_partial_day": ("当日未完(虚线)", "day so far (dashed)"),
    "chart_partial_month": ("当月未完(虚线/斜纹)", "month so far (dashed / hatched)"),
}
