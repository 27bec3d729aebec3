"""Domain exceptions. The CLI turns them into ``Error: ...`` and exit status 1."""


class BeatprofileError(Exception):
    """Base class: a problem the user can fix; the message says what and how."""


class ConfigError(BeatprofileError):
    """A configuration or source-profile file is missing or malformed."""


class InputFileError(BeatprofileError):
    """A department export or area layer cannot be read as expected."""


class StoreError(BeatprofileError):
    """The store is missing, locked or not a beatprofile store."""
