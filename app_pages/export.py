"""Export: the roster, every report in one workbook, and the edited scenario itself."""

from __future__ import annotations

import streamlit as st

from app_pages._common import header, plan
from assembler.io import scenario_bytes
from assembler.io.reports import planner_roster_csv_bytes, reports_xlsx_bytes, summary_json
from assembler.text import plural

planner = header(
    "Export",
    "The plan as files for everyone else, and the scenario with your edits and dials so "
    "that nothing is lost (open it again with the uploader in the sidebar).",
)

st.subheader("The plan")
outcome = plan(planner)
if outcome is not None:
    reports = outcome.reports
    which = "the last good plan" if planner.failure is not None else "the last solve"
    st.caption(
        f"From {which} ({outcome.result.status}, solved at {outcome.solved_at:%H:%M}); "
        f"{len(reports.roster):,} roster rows. The roster and the workbook name every mission, "
        "person, unit, skill and period beside its id; the workbook also has the roster as a "
        "grid of people and missions over the periods. File names carry the scenario's saved "
        "name (or the file it came from) and that time."
    )
    roster, workbook, summary = st.columns(3)
    roster.download_button(
        "Download roster (CSV)",
        planner_roster_csv_bytes(reports),
        file_name=planner.file_name("roster.csv", outcome.solved_at),
        mime="text/csv",
        on_click="ignore",
        width="stretch",
    )
    workbook.download_button(
        "Download all reports (Excel)",
        reports_xlsx_bytes(reports),
        file_name=planner.file_name("reports.xlsx", outcome.solved_at),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        width="stretch",
    )
    summary.download_button(
        "Download summary (JSON)",
        summary_json(reports.summary.to_json()),
        file_name=planner.file_name("summary.json", outcome.solved_at),
        mime="application/json",
        on_click="ignore",
        width="stretch",
    )

st.subheader("The scenario")
st.caption(
    f"{planner.source} with {plural(len(planner.edits), 'edit')} and the dials' settings, "
    "as a zip of CSV files with scenario.toml."
)
st.download_button(
    "Download edited scenario (zip)",
    scenario_bytes(planner.scenario),
    file_name=planner.file_name("scenario.zip"),
    mime="application/zip",
    on_click="ignore",
)
