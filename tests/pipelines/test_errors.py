"""Every domain exception is a BeatprofileError, so the CLI and dashboard catch it."""

from __future__ import annotations

import inspect

import pytest

from geo import io as geo_io
from geo import safe_zip
from pipelines import errors
from pipelines.community import beat_plans, priorities, public, watch_report
from pipelines.ingest import agreement

DOMAIN = [
    obj
    for _, obj in inspect.getmembers(errors, inspect.isclass)
    if issubclass(obj, Exception)
]


def test_the_errors_module_lists_every_domain_exception() -> None:
    assert {c.__name__ for c in DOMAIN} == set(errors.__all__)
    assert len(DOMAIN) == 12


@pytest.mark.parametrize("cls", DOMAIN, ids=lambda c: c.__name__)
def test_every_domain_exception_has_the_one_base(cls: type) -> None:
    assert issubclass(cls, errors.BeatprofileError)


def test_old_import_paths_name_the_same_classes() -> None:
    assert geo_io.AreaLayerError is errors.AreaLayerError
    assert safe_zip.ArchiveError is errors.ArchiveError
    assert public.PublicSafetyError is errors.PublicSafetyError
    assert watch_report.WatchReportError is errors.WatchReportError
    assert priorities.ConcernError is errors.ConcernError
    assert beat_plans.PlanError is errors.PlanError
    assert agreement.LowAgreementError is errors.LowAgreementError


def test_geo_errors_stay_value_errors_for_existing_callers() -> None:
    assert issubclass(errors.AreaLayerError, ValueError)
    assert issubclass(errors.ArchiveError, ValueError)
    assert issubclass(errors.WatchReportError, ValueError)
