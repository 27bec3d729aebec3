"""Record identity of a source: what makes two staged rows the same record.

Declared in a source profile (``unique_ids``, ``[identity]``), stored with the
source in the store's ``sources`` table and used by the dedupe step
(:mod:`pipelines.ingest.dedupe`). Core: the store and the ingest room both use
it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pipelines import schema as s

UPDATED_AT = "updated_at"
Repeats = Literal["duplicate", "separate"]
REPEATS: tuple[str, ...] = ("duplicate", "separate")


@dataclass(frozen=True)
class RecordIdentity:
    """What makes two staged rows of one source the same record.

    ``key`` lists canonical columns; an empty key means every field of the
    input row (``raw``). ``version`` is a canonical column whose later value is
    the more recent version (``None``: load order decides).
    """

    key: tuple[str, ...] = ()
    version: str | None = None
    repeats: Repeats = "duplicate"

    @property
    def columns(self) -> tuple[str, ...]:
        """The staged columns compared (``raw`` for an exact-copy identity)."""
        return self.key or (s.RAW,)

    def describe(self) -> str:
        """The key in words, for messages."""
        return ", ".join(self.key) if self.key else "every field"

    def to_json(self) -> str:
        return json.dumps(
            {"key": list(self.key), "version": self.version, "repeats": self.repeats}
        )

    @classmethod
    def from_json(cls, text: str | None) -> RecordIdentity | None:
        if not text:
            return None
        doc = json.loads(text)
        return cls(
            tuple(doc["key"]), doc.get("version"), doc.get("repeats", "duplicate")
        )


UNIQUE_ID = RecordIdentity((s.INCIDENT_ID,), UPDATED_AT)
EXACT_COPY = RecordIdentity()
