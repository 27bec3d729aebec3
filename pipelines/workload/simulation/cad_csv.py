"""Simulated calls in the Seattle CAD export layout (the layout the ingest reads).

The thirteen Seattle columns come first, in their order, so the file loads with
``profiles/seattle_cad.toml`` as well as ``profiles/simulated_cad.toml`` (which
also maps the extra columns at the end: dispatch and clear times and the unit).
Every row is marked synthetic: ``CAD Event Number`` starts ``SIM-`` and the
clearance description starts ``SYNTHETIC``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipelines import schema as s
from pipelines.workload.simulation.simulate import SimulationResult
from pipelines.workload.simulation.units import UNIT_BEAT

CAD_DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"
SEATTLE_COLUMNS = (
    "CAD Event Number",
    "Event Clearance Description",
    "Call Type",
    "Priority",
    "Initial Call Type",
    "Final Call Type",
    "Original Time Queued",
    "Arrived Time",
    "Precinct",
    "Sector",
    "Beat",
    "Blurred_Longitude",
    "Blurred_Latitude",
)
EXTRA_COLUMNS = (
    "Dispatched Time",
    "Cleared Time",
    "Unit",
    "Unit Beat",
    "Source Incident",
    "Synthetic",
    "Simulation Seed",
)
CALL_TYPE_TEXT = {
    "911": "911",
    "phone": "TELEPHONE OTHER, NOT 911",
    "on-view": "ONVIEW",
    "alarm": "ALARM CALL (NOT POLICE ALARM)",
    "report": "PHONE/ONLINE REPORT ENTRY (CARE)",
    "other": "OTHER",
}
"""How each call source is written in ``Call Type`` (Seattle's wording where it
has one, so the Seattle profile maps them too)."""


def to_cad_layout(result: SimulationResult) -> pd.DataFrame:
    """The simulated calls as text cells in the CAD layout (pure, no I/O).

    ``Initial Call Type`` reads ``SIM - <CALL TYPE>``; ``Final Call Type`` adds
    the category in brackets (``SIM - ALARM [OTHER]``) so a profile can map it.

    Example
    -------
    >>> to_cad_layout(result)["CAD Event Number"].iloc[0]
    'SIM-00000001'
    """
    calls = result.calls
    call_type = "SIM - " + calls["call_type"].str.upper()
    return pd.DataFrame(
        {
            "CAD Event Number": calls[s.INCIDENT_ID],
            "Event Clearance Description": calls[s.DISPOSITION],
            "Call Type": calls[s.CALL_SOURCE].map(CALL_TYPE_TEXT).fillna("OTHER"),
            "Priority": calls[s.PRIORITY].astype(str),
            "Initial Call Type": call_type,
            "Final Call Type": call_type + " [" + calls[s.CATEGORY].str.upper() + "]",
            "Original Time Queued": _dates(calls[s.QUEUED_AT]),
            "Arrived Time": _dates(calls[s.ARRIVED_AT]),
            "Precinct": calls["precinct"].astype(str),
            "Sector": calls["sector"].astype(str),
            "Beat": calls["beat"].astype(str),
            "Blurred_Longitude": _coordinates(calls[s.LON]),
            "Blurred_Latitude": _coordinates(calls[s.LAT]),
            "Dispatched Time": _dates(calls[s.DISPATCHED_AT]),
            "Cleared Time": _dates(calls[s.CLEARED_AT]),
            "Unit": calls[s.UNIT].fillna("").astype(str),
            "Unit Beat": calls[UNIT_BEAT].fillna("").astype(str),
            "Source Incident": calls["source_incident_id"].fillna("").astype(str),
            "Synthetic": "TRUE",
            "Simulation Seed": str(result.seed),
        },
        columns=[*SEATTLE_COLUMNS, *EXTRA_COLUMNS],
    )


def write_cad_csv(result: SimulationResult, path: str | Path) -> Path:
    """Write the simulated calls as a CAD export CSV (UTF-8, header row).

    Parameters
    ----------
    result : SimulationResult
        From :func:`simulate_cad`.
    path : str or Path
        Target file; ``.gz`` writes gzip. Parent folders are created.

    Returns
    -------
    Path
        The file written.

    Example
    -------
    >>> write_cad_csv(result, "simulated_cad_2019.csv")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    to_cad_layout(result).to_csv(path, index=False, lineterminator="\n")
    return path


def _dates(values: pd.Series) -> pd.Series:
    """``CAD_DATE_FORMAT`` text, built from integer parts (strftime is ~25x slower)."""
    times = pd.to_datetime(values).to_numpy().astype("datetime64[s]")
    missing = np.isnat(times)
    days = times.astype("datetime64[D]")
    iso = np.datetime_as_string(np.where(missing, np.datetime64(0, "D"), days))
    seconds = np.where(missing, 0, (times - days).astype("int64"))
    hour, minute, second = seconds // 3600, seconds // 60 % 60, seconds % 60
    text = [
        ""
        if gone
        else f"{d[5:7]}/{d[8:10]}/{d[:4]} {(h + 11) % 12 + 1:02d}:{m:02d}:"
        f"{sec:02d} {'AM' if h < 12 else 'PM'}"
        for gone, d, h, m, sec in zip(
            missing.tolist(),
            iso.tolist(),
            hour.tolist(),
            minute.tolist(),
            second.tolist(),
            strict=True,
        )
    ]
    return pd.Series(text, index=values.index, dtype=object)


def _coordinates(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values).to_numpy(float)
    text = np.char.mod("%.7f", np.nan_to_num(numbers, nan=0.0))
    return pd.Series(np.where(np.isfinite(numbers), text, ""), index=values.index)
