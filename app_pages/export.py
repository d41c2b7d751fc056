"""Export: the roster, every report in one workbook, and the edited scenario itself."""

from __future__ import annotations

import streamlit as st

from app_pages._common import header, plan
from assembler.io import scenario_bytes
from assembler.io.reports import reports_xlsx_bytes, roster_csv_bytes, summary_json

planner = header(
    "Export",
    "The plan as files for everyone else, and the scenario with your edits and dials so "
    "that nothing is lost (open it again with the uploader in the sidebar).",
)

st.subheader("The plan")
outcome = plan(planner)
if outcome is not None:
    reports = outcome.reports
    st.caption(f"From the last solve ({outcome.result.status}); {len(reports.roster)} roster rows.")
    roster, workbook, summary = st.columns(3)
    roster.download_button(
        "Download roster (CSV)",
        roster_csv_bytes(reports),
        file_name="roster.csv",
        mime="text/csv",
        on_click="ignore",
        width="stretch",
    )
    workbook.download_button(
        "Download all reports (Excel)",
        reports_xlsx_bytes(reports),
        file_name="reports.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        width="stretch",
    )
    summary.download_button(
        "Download summary (JSON)",
        summary_json(reports.summary.to_json()),
        file_name="summary.json",
        mime="application/json",
        on_click="ignore",
        width="stretch",
    )

st.subheader("The scenario")
st.caption(
    f"{planner.source} with {len(planner.edits)} edit(s) and the dials' settings, "
    "as a zip of CSV files with scenario.toml."
)
st.download_button(
    "Download edited scenario (zip)",
    scenario_bytes(planner.scenario),
    file_name="scenario.zip",
    mime="application/zip",
    on_click="ignore",
)
