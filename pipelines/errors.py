"""Domain exceptions, every one under :class:`BeatprofileError`.

The CLI turns them into ``Error: ...`` and exit status 1; the dashboard shows
them as an error box. The root and the ``geo`` errors are defined in
:mod:`geo.errors` (``geo`` imports nothing of ``pipelines``) and re-exported here.
"""

from geo.errors import ArchiveError, AreaLayerError, BeatprofileError


class AccessDenied(BeatprofileError):
    """The signed-in role may not do what was asked (see pipelines.access.policy)."""


class ConfigError(BeatprofileError):
    """A configuration or source-profile file is missing or malformed."""


class InputFileError(BeatprofileError):
    """A department export or area layer cannot be read as expected."""


class StoreError(BeatprofileError):
    """The store is missing, locked or not a beatprofile store."""


class LowAgreementError(BeatprofileError):
    """A level came out empty or its labels disagree with the assignment."""


class PublicSafetyError(BeatprofileError):
    """A payload meant for the public breaks the public-safe rules."""


class WatchReportError(BeatprofileError, ValueError):
    """A watch-meeting report was asked for an unknown level, area or format."""


class ConcernError(BeatprofileError):
    """A concern (from the form or a CSV row) is not valid."""


class PlanError(BeatprofileError):
    """A beat plan cannot be stored or assessed as asked."""


__all__ = [
    "AccessDenied",
    "ArchiveError",
    "AreaLayerError",
    "BeatprofileError",
    "ConcernError",
    "ConfigError",
    "InputFileError",
    "LowAgreementError",
    "PlanError",
    "PublicSafetyError",
    "StoreError",
    "WatchReportError",
]
