"""Labels of the shared number and date formatting (ui/format.py)."""

LABELS: dict[str, tuple[str, str]] = {
    "fmt_month_partial": ("{month}(截至 {day} 日)", "{month} (to day {day})"),
}
