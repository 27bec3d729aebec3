"""A copy of the sample store with watch-meeting concerns and a beat plan added."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd

from pipelines.community import beat_plans, priorities

AREA = "15"  # Tower Grove South (St. Louis neighborhood)
LAST_MEETING = date(2019, 11, 12)
SECRET_NOTE = "Mrs Smith saw him at 4000 N NEWSTEAD AVE"
CONCERNS = [
    (LAST_MEETING, "theft from vehicle", "open", SECRET_NOTE),
    (LAST_MEETING, "burglary", "in progress", ""),
    (LAST_MEETING, "domestic", "open", "the family at number 12"),
    (date(2019, 8, 13), "vandalism", "resolved", ""),
]
PLAN_TITLE = "Thefts from cars along Grand"
PLAN_NOTES = "Hot cell near <b>Grand</b> & Arsenal"
RESPONSE_START = date(2019, 7, 1)


def make_watch_store(sample_store: Path, dest: Path) -> Path:
    """Copy the sample store to ``dest`` and add concerns and a plan for ``AREA``."""
    shutil.copyfile(sample_store, dest)
    frame = pd.DataFrame(
        [
            {
                "meeting_date": d,
                "level": "neighborhood",
                "area_id": AREA,
                "category": c,
                "status": s,
                "note": n,
            }
            for d, c, s, n in CONCERNS
        ]
    )
    with priorities.open_store_for_write(dest) as con:
        known = priorities.known_areas(con)
        priorities.append_concerns(con, priorities.validate_concerns(frame, known))
        plan = beat_plans.add_plan(
            con, "neighborhood", AREA, PLAN_TITLE, ["theft from vehicle"], PLAN_NOTES
        )
        beat_plans.add_response(
            con, plan.plan_id, "Directed patrols, Fri-Sat nights", RESPONSE_START
        )
    return dest
