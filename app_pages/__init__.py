"""Pages of the planner app (``app.py``): one thin module per page, drawing library results.

Modules whose name starts with ``_`` are shared parts, not pages: the sidebar and the
helpers every page uses.  Adding a page is one file here plus one ``st.Page`` line in
``app.py``.
"""
