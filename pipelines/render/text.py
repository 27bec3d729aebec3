"""Making data-derived text safe for Streamlit markdown and HTML."""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: object) -> str:
    """Escape HTML and markdown syntax so text from data files shows literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.unescape(html.escape(str(text))))


def plural(n: int, word: str) -> str:
    """``1 incident`` / ``3 incidents``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
