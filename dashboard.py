"""GridSight (网格智治指挥舱): the entrypoint. `streamlit run dashboard.py`.

Sets the page up once, builds the shell (language, store check, shared filters), then runs the
page chosen in `st.navigation`; every file in pages/ is listed in ui/pages.py.
"""
from __future__ import annotations

import streamlit as st

from ui.shell import ENTRYPOINT_RUNNING, build_shell, configure_page, navigation

configure_page()
filters = build_shell()
if filters is None:
    st.stop()

selected = navigation()

st.session_state[ENTRYPOINT_RUNNING] = True
try:
    selected.run()
finally:
    st.session_state[ENTRYPOINT_RUNNING] = False
