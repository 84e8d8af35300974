"""用户与审计 Users and audit (admin only): the user list, read-only, and the audit log.

User changes stay on the command line (`python -m data_access.users`), so the dashboard's only
writes remain logins and audit entries. The log has its own date range: entries carry the real
time of the action, while the sidebar's dates are about events.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_access import audit, units, users
from data_access.filters import local_date
from ui import format as fmt
from ui.audit_view import action_name, detail_text, page_name
from ui.choices import chosen, with_all
from ui.data import access_query, query
from ui.labels import t
from ui.shell import page_filters

PAGE_SIZE = 50

page_filters()  # the gate (admin only, see ui/pages.py); the sidebar filters do not apply here
st.title(t("page_admin"))

st.subheader(t("admin_users"))
towns = query(units.towns)
town_names = dict(zip(towns["id"].astype(int), towns["name"]))
user_rows = pd.DataFrame(
    access_query(users.list_users),
    columns=["username", "role", "town_id", "disabled", "locked_until", "last_login_at"],
)
user_rows["town_id"] = user_rows["town_id"].map(lambda i: town_names.get(int(i), str(i)) if pd.notna(i) else "")
user_rows["role"] = user_rows["role"].map(lambda r: t(f"role_{r}"))
for col in ("locked_until", "last_login_at"):
    user_rows[col] = user_rows[col].map(lambda v: fmt.local_time(v) if pd.notna(v) else "")
st.dataframe(
    user_rows.rename(
        columns={
            "username": t("admin_col_username"),
            "role": t("admin_col_role"),
            "town_id": t("admin_col_town"),
            "disabled": t("admin_col_disabled"),
            "locked_until": t("admin_col_locked_until"),
            "last_login_at": t("admin_col_last_login"),
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("admin_audit"))
today = local_date(dt.datetime.now(dt.UTC))
picked = st.date_input(
    t("admin_dates"),
    value=(today - dt.timedelta(days=6), today),
    key="admin_dates",
    max_value=today,
    format="YYYY-MM-DD",
)
date_from, date_to = (tuple(picked) * 2)[:2] if isinstance(picked, (tuple, list)) else (picked, picked)
if date_from is None or date_to is None or date_from > date_to:
    st.info(t("pick_end_date"))
    st.stop()


counts = access_query(audit.audit_counts, date_from, date_to)
st.caption(
    t("admin_audit_counts")
    + ":"
    + (" · ".join(f"{action_name(a)} {n}" for a, n in zip(counts["action"], counts["n"])) or "—")
)
left, middle, right = st.columns(3)
who = left.text_input(t("admin_filter_user"), key="admin_user", max_chars=64).strip() or None
all_label = t("all")
action = middle.selectbox(
    t("admin_filter_action"),
    with_all(audit.ACTIONS),
    key="admin_action",
    format_func=lambda a: all_label if chosen(a) is None else action_name(a),
    placeholder=t("select_placeholder"),
)
action = chosen(action)
total = int(counts["n"].sum()) if not counts.empty else 0
pages = max(1, -(-total // PAGE_SIZE))
page_no = right.number_input(t("admin_page_no"), min_value=1, max_value=pages, value=1, step=1, key="admin_page")
entries = access_query(
    audit.audit_entries,
    date_from,
    date_to,
    username=who,
    action=action,
    limit=PAGE_SIZE,
    offset=(int(page_no) - 1) * PAGE_SIZE,
)
st.caption(t("admin_audit_caption", n=PAGE_SIZE))
if entries.empty:
    st.info(t("admin_no_entries"))
else:
    entries["at"] = entries["at"].map(lambda v: fmt.local_time(v) if pd.notna(v) else "")
    entries["page"] = entries["page"].map(page_name)
    entries["action"] = entries["action"].map(action_name)
    entries["detail"] = entries["detail"].map(detail_text)
    st.dataframe(
        entries.rename(
            columns={
                "at": t("admin_col_at"),
                "username": t("admin_col_username"),
                "action": t("admin_col_action"),
                "page": t("admin_col_page"),
                "detail": t("admin_col_detail"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
