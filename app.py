"""The planner app: ``make run`` (``streamlit run app.py``) opens it on ``data/sample/``.

Routing only.  Every page is one file in ``app_pages/`` and one line below; the sidebar
(load, dials, Solve / Stop) is shared by all pages.  The work is done by the library
(``assembler.planning.session`` holds each planner's session), never here.  With sign-in
configured (``[auth]`` in ``.streamlit/secrets.toml``) nobody gets past ``user()`` signed
out; the session is kept in the plan store after every run (``keep``).
"""

import streamlit as st
from app_pages import _sidebar
from app_pages._common import keep, user

_sidebar.callbacks_done()
st.set_page_config(page_title="assembler · mission planner", page_icon="🧩", layout="wide")
user()
page = st.navigation(
    [
        st.Page(
            "app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
        st.Page("app_pages/timeline.py", title="Timeline", icon=":material/view_timeline:"),
        st.Page("app_pages/missions.py", title="Missions & teams", icon=":material/groups:"),
        st.Page("app_pages/people.py", title="People & capacity", icon=":material/person:"),
        st.Page("app_pages/development.py", title="Development", icon=":material/school:"),
        st.Page("app_pages/operations.py", title="Operations", icon=":material/factory:"),
        st.Page("app_pages/edit.py", title="Edit & compare", icon=":material/edit:"),
        st.Page("app_pages/tradeoffs.py", title="Trade-offs", icon=":material/balance:"),
        st.Page("app_pages/plans.py", title="Plans", icon=":material/inventory_2:"),
        st.Page("app_pages/releases.py", title="Releases", icon=":material/how_to_reg:"),
        st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    ]
)
_sidebar.render()
page.run()
keep()
