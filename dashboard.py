"""GridSight (网格智治指挥舱): the script every session runs (`streamlit run serve.py` serves it).

Sets the page up once, builds the shell (language, store check, login gate, shared filters), then
runs the page chosen in `st.navigation` if the signed-in role may open it; every file in pages/ is
listed in ui/pages.py.
"""

from __future__ import annotations

import streamlit as st

import bootstrap
from data_access.store import resolve_db_url
from ui import server_guard, sqltrace
from ui.labels import lang
from ui.shell import (
    ENTRYPOINT_RUNNING,
    LABELS_LANG,
    build_shell,
    configure_page,
    guard_page,
    navigation,
    note_widgets,
    signed_in_user,
    store_checked,
    store_guard,
)

configure_page()
# Streamlit's upload and media endpoints answer outside any script run: guarded once per process.
server_guard.install()
# Registered first, also behind the login form: the page the URL names stays chosen through the
# sign-in's rerun. Logged out, the page list is hidden and nothing of the page runs.
selected = navigation()
# A database error anywhere below (the store stopped, its file is damaged) is a message in the
# reader's language, never Streamlit's error box with the driver's exception (issue #18, finding 9).
with store_guard():
    filters = build_shell(prepare_store=bootstrap.ensure_default_store)
    # The sample store keeps moving while served (sample_data/demo_feed.py; GRID_DEMO_FEED=off stops it).
    if store_checked():  # never feed a store that is still being built
        bootstrap.ensure_demo_feed(resolve_db_url())
    if filters is None or not guard_page(selected, filters):
        st.stop()

    st.session_state[ENTRYPOINT_RUNNING] = True
    # "SQL behind this number": admins may switch on recording of the page's statements (ui/sqltrace.py).
    sqltrace.begin_run(signed_in_user())
    try:
        selected.run()
        st.session_state[LABELS_LANG] = lang()  # drawn to the end in this language (ui.shell)
    finally:
        # First: after a page's st.stop() a session-state write ends the finally block.
        note_widgets()  # widgets the language switch must not write to (ui.shell)
        st.session_state[ENTRYPOINT_RUNNING] = False
    sqltrace.footer(signed_in_user())
