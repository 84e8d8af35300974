"""GridSight (网格智治指挥舱): the entrypoint. `streamlit run dashboard.py`.

Sets the page up once, builds the shell (language, store check, shared filters), then runs the
page chosen in `st.navigation`; every file in pages/ is listed in ui/pages.py.
"""
from __future__ import annotations

import streamlit as st

from ui.labels import t
from ui.pages import available_pages
from ui.shell import ENTRYPOINT_RUNNING, build_shell, configure_page

configure_page()
filters = build_shell()
if filters is None:
    st.stop()

sections: dict[str, list] = {}
for spec in available_pages():
    page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=spec.default)
    sections.setdefault(t(spec.section_key), []).append(page)
selected = st.navigation(sections)

st.session_state[ENTRYPOINT_RUNNING] = True
try:
    selected.run()
finally:
    st.session_state[ENTRYPOINT_RUNNING] = False
