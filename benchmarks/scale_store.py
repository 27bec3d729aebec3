"""A larger stand-in store for dashboard timings when a full build cannot run.

``python benchmarks/scale_store.py SRC.duckdb DST.duckdb --factor 10``

Copies a built store and multiplies its ``incidents`` table ``factor`` times:
copy ``k`` of each row keeps its area and category and moves its occurrence
by a pseudo-random -30..+30 days (so days fill up as they would with more
data, instead of every count simply growing). ``daily_counts`` and
``profiles`` are then recomputed by the build's own ``_refresh_aggregates``.
Everything else (areas, quarantine, meta, ...) is the source store's. The
result is labelled in ``meta`` as a stand-in: use it for query and page
timings only, never for figures about crime.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402


def replicate_store(source: Path, target: Path, factor: int, config: Path) -> dict:
    """Write ``target``: ``source`` with ``factor`` times the incidents.

    Parameters
    ----------
    source, target : Path
        A built store, and where the stand-in goes (replaced).
    factor : int
        How many copies of each incident (1 keeps the table as it is).
    config : Path
        The department config the source was built with (levels, CRS).

    Returns
    -------
    dict
        Rows before and after, and seconds taken.
    """
    from pipelines import store
    from pipelines.build import _refresh_aggregates
    from pipelines.settings import load_settings

    if factor < 1:
        raise ValueError(f"`factor` was {factor} but is expected to be at least 1")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    settings = load_settings(config)
    con = duckdb.connect(str(target))
    try:
        before = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        con.execute(
            "CREATE OR REPLACE TABLE incidents AS "
            "SELECT * REPLACE ("
            " incident_id || CASE WHEN k = 0 THEN '' ELSE '-r' || k END AS incident_id,"
            " occurred_at + to_days(CASE WHEN k = 0 THEN 0 ELSE"
            "  CAST(hash(incident_id, k) % 61 AS INTEGER) - 30 END) AS occurred_at)"
            f" FROM incidents, range({factor}) AS copies(k) ORDER BY occurred_at"
        )
        after = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        area_table = con.execute("SELECT * FROM areas").df()
        _refresh_aggregates(con, settings, area_table)
        store.write_meta(
            con, {"stand_in": f"incidents x{factor} by benchmarks/scale_store.py"}
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {
        "source": str(source),
        "store": str(target),
        "factor": factor,
        "incidents_before": before,
        "incidents_after": after,
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument(
        "--config",
        type=Path,
        required=True,
        help="the beatprofile.toml the source store was built with",
    )
    args = parser.parse_args(argv)
    result = replicate_store(args.source, args.target, args.factor, args.config)
    print(result)  # noqa: T201 - a command-line script
    return result


if __name__ == "__main__":
    main()
