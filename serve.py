"""GridSight served with its own HTTP routes and headers: `streamlit run serve.py`.

`dashboard.py` stays the script every session runs; this file only wraps it in Streamlit's ASGI
app (`st.App`) so the sign-in cookie route and the security headers of ui/asgi.py are in front
of Streamlit's routes. `streamlit run dashboard.py` still works, without them: a reload then asks
for the sign-in again and the headers are Streamlit's own.
"""

import streamlit as st

from ui.asgi import middleware, routes

app = st.App("dashboard.py", routes=routes(), middleware=middleware())
