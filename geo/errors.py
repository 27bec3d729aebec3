"""The root of every domain exception, and the errors raised in ``geo/``.

The root lives here because ``geo`` imports nothing of ``pipelines``; the rest
of the exceptions, and this root re-exported, are in :mod:`pipelines.errors`.
"""


class BeatprofileError(Exception):
    """Base class: a problem the user can fix; the message says what and how."""


class AreaLayerError(BeatprofileError, ValueError):
    """An area layer cannot be used as given; the message says how to fix it."""


class ArchiveError(BeatprofileError, ValueError):
    """A zip archive is unreadable or unsafe to extract; the message says which."""
