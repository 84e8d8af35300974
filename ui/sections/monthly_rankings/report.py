"""Monthly rankings, part 5: the printable report (HTML) and the PDF report, from the tables the
page has read. Consequences awaiting the integrity review are printed as pending review."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from data_access import integrity, integrity_review, rankings
from ui import format as fmt
from ui import monthly_pdf
from ui import rankings_report as report
from ui.export import audit_export
from ui.labels import lang, t
from ui.sections.monthly_rankings.common import (
    GRADES,
    PART_COLS,
    consequence_frame,
    consequence_rule_text,
    flag_labels,
    formula_text,
    places_frame,
)
from ui.sections.monthly_rankings.integrity import method_text
from ui.sections.monthly_rankings.ranking import grade_counts

REPORT_ROWS = 60  # consequence rows printed; the page and its export list them all


def _consequence_section(rules: dict, consequences: pd.DataFrame, places: pd.DataFrame) -> str:
    pending = consequences[[c for c in consequences.columns if c.endswith("_pending")]].any(axis=1)
    return (
        report.paragraph(consequence_rule_text(rules))
        + report.paragraph(
            f"{t('mr_loses_pay')}: {int(consequences['loses_pay'].sum())} · "
            f"{t('mr_double_pay')}: {int(consequences['double_pay'].sum())} · "
            f"{t('mr_dismissal')}: {int(consequences['dismissal_risk'].sum())} · "
            f"{t('mr_pending')}: {int(pending.sum())}",
            "flag",
        )
        + report.paragraph(t("mr_places_title"))
        + report.table(places_frame(places))
        + report.paragraph(t("mr_report_first_n", n=min(REPORT_ROWS, len(consequences)), total=len(consequences)))
        + report.table(
            consequence_frame(consequences).drop(columns=[t("mr_col_rank"), t("mr_col_prev_total")]), REPORT_ROWS
        )
    )


def _integrity_section(counts: dict, rule_text: dict, flagged_w: pd.DataFrame, flagged_v: pd.DataFrame) -> str:
    return (
        "".join(
            report.paragraph(f"{t(f'mr_sig_{s}')} ({counts[s]}): {rule_text[s]} {method_text(s)}")
            for s in integrity.SIGNALS
        )
        + report.table(
            pd.DataFrame(
                {
                    t("mr_col_worker"): flagged_w.get("name", pd.Series(dtype=str)),
                    t("mr_col_village"): flagged_w.get("village_name", pd.Series(dtype=str)),
                    t("mr_col_flags"): flag_labels(flagged_w),
                    t("mr_col_pad_suspect"): flagged_w.get("padding_suspect", pd.Series(dtype=int)),
                    t("mr_col_dup_pairs"): flagged_w.get("dup_pairs", pd.Series(dtype=int)),
                    t("mr_col_fast_days"): flagged_w.get("fast_days", pd.Series(dtype=int)),
                    t("mr_col_repeat_days"): flagged_w.get("repeated_days", pd.Series(dtype=int)),
                }
            )
        )
        + report.table(
            pd.DataFrame(
                {
                    t("mr_col_village"): flagged_v["name"],
                    t("mr_col_town"): flagged_v["town_name"],
                    t("mr_col_esc_rel"): flagged_v["escalation_rel"],
                    t("mr_col_bypass_rel"): flagged_v["bypass_rel"],
                }
            )
        )
    )


def render(f, month, ruleset: str, level: str, d: dict) -> None:
    """`d`: what the page read — rules, rule_rows, rules_shown, irules, view (integrity_review.month_view),
    shown (the ranking as shown), villages_flags, flagged_w, flagged_v, counts, rule_text, stamp."""
    month_label = month.strftime("%Y-%m")
    view, shown = d["view"], d["shown"]
    compare, consequences = view["compare"], view["consequences"]
    movers = compare[compare["move"] != 0].head(12)
    report_rows = shown.assign(
        **{t("mr_col_change"): shown[t("mr_col_change")].map(lambda v: "—" if pd.isna(v) else f"{int(v):+d}")}
    )
    cols = [t("mr_col_rank"), t("mr_col_change"), t("mr_col_worker" if level == "worker" else "mr_col_name")]
    cols += [c for c in (t("mr_col_town"), t("mr_col_village")) if c in shown.columns]
    cols += [t(f"mr_col_{p}") for p in PART_COLS] + [t("mr_col_total"), t("mr_col_grade")]
    cols += [t("mr_col_flags")] if t("mr_col_flags") in shown.columns else []
    formula = formula_text(d["rules"])
    sections = [
        (t("mr_formula_title"), report.markdown_lite(formula) + report.table(d["rules_shown"])),
        (
            t("mr_compare_title"),
            "<div class='charts'>"
            + report.grouped_bars_svg(t("mr_report_grades_chart"), GRADES, grade_counts(compare))
            + report.diverging_bars_svg(t("mr_report_movers_chart"), movers["name"].tolist(), movers["move"].tolist())
            + "</div>",
        ),
        (t("mr_ranking_title") + " · " + t("mr_report_top", n=20), report.table(report_rows[cols], 20)),
        (t("mr_ranking_title") + " · " + t("mr_report_bottom", n=10), report.table(report_rows[cols].tail(10))),
        (
            t("mr_consequences_title", ruleset=t(f"mr_ruleset_{ruleset}")),
            _consequence_section(d["rules"], consequences, view["places"]),
        ),
        (
            t("mr_integrity_title"),
            _integrity_section(d["counts"], d["rule_text"], d["flagged_w"], d["flagged_v"]),
        ),
    ]
    html_doc = report.build_report(
        title=f"{t('mr_report_title')} {month_label}",
        meta_lines=[
            f"{t('mr_ruleset')}: {t(f'mr_ruleset_{ruleset}')} · {t('mr_level')}: {t(f'mr_level_{level}')}",
            t("mr_caption", month=month_label, as_of=fmt.local_time(f.as_of)),
        ],
        sections=sections,
        lang=lang(),
    )
    st.download_button(  # made on the click only (a callable), never stored with the page
        t("mr_report_download"),
        functools.partial(str.encode, html_doc, "utf-8"),
        file_name=f"monthly_report_{month_label}.html",
        mime="text/html",
        key="rankings_report_download",
        help=t("mr_report_help"),
        icon=":material/print:",
        on_click=audit_export,
        args=(f"monthly_report_{month_label}.html", 1),
    )
    _pdf(f, month, ruleset, level, d)


def _pdf(f, month, ruleset: str, level: str, d: dict) -> None:
    """The PDF report (ui/monthly_pdf.py): made on click from the tables read above."""
    try:
        monthly_pdf.find_cjk_font()
    except monthly_pdf.ReportFontError as exc:
        st.warning(str(exc))
        return
    view = d["view"]
    pdf_name = monthly_pdf.file_name(month, ruleset, level, f.town_id)
    signed_in = st.session_state.get("auth_user")
    read = {
        (integrity_review.month_view, (f, month, ruleset, level)): view,
        (integrity.worker_signals, (f, month)): view["signals"],
        (integrity.village_signals, (f, month)): d["villages_flags"],
        (rankings.rules_for, (ruleset,)): d["rules"],
        (rankings.rules_for, ("integrity",)): d["irules"],
        (rankings.rule_table, (ruleset,)): d["rule_rows"],
    }
    st.download_button(
        t("pdf_download"),
        functools.partial(
            monthly_pdf.page_download,
            f,
            month,
            ruleset,
            level,
            signed_in.username if signed_in is not None else "",
            lang(),
            read,
        ),
        file_name=pdf_name,
        mime="application/pdf",
        key="rankings_pdf_download",
        help=t("pdf_download_help"),
        icon=":material/picture_as_pdf:",
        on_click=audit_export,
        args=(pdf_name, len(view["scores"])),
    )
