"""The one policy module: which role may see which page and do which action.

Every page, widget, export button and CLI export asks here; nothing else in the
code base decides who may see what. Page and action keys are plain strings (the
dashboard maps its ``st.Page`` objects to page keys).
"""

from __future__ import annotations

from pipelines.errors import AccessDenied, ConfigError

ROLES: tuple[str, ...] = ("analyst", "commander", "organizer", "admin")

PAGES: tuple[str, ...] = (
    "overview",
    "area_profile",
    "hotspots",
    "backtest",
    "data_quality",
    "watch_meeting",
    "sector_summary",
    "audit",
    "users",
)

ACTIONS: tuple[str, ...] = (
    "incident_detail",
    "export_incidents",
    "export_packet",
    "export_watch",
    "export_plan",
    "edit_forms",
    "read_audit",
    "manage_users",
)

NO_SIGN_IN_ROLE = "analyst"
"""The role of the single local user when no sign-in is configured (demo on
127.0.0.1)."""

CLI_ROLE = "analyst"
"""The role CLI exports are checked as: people with shell access to the store."""

CLI_ADMIN_ROLE = "admin-cli"
"""The role written to the audit trail for ``beatprofile users`` and ``audit``:
shell access to the user and audit files is the admin credential there."""

_ADMIN_PAGES = frozenset({"audit", "users"})
_ADMIN_ACTIONS = frozenset({"read_audit", "manage_users"})

_PAGES_BY_ROLE: dict[str, frozenset[str]] = {
    "analyst": frozenset(PAGES) - _ADMIN_PAGES,
    "commander": frozenset({"sector_summary", "area_profile", "hotspots"}),
    "organizer": frozenset({"watch_meeting"}),
    "admin": _ADMIN_PAGES,
}

_ACTIONS_BY_ROLE: dict[str, frozenset[str]] = {
    "analyst": frozenset(ACTIONS) - _ADMIN_ACTIONS,
    "commander": frozenset({"export_packet"}),
    "organizer": frozenset({"edit_forms", "export_watch"}),
    "admin": _ADMIN_ACTIONS,
}

_WHO_TO_ASK = (
    "ask a beatprofile admin to change your role (`beatprofile users set-role`, or "
    "the group mapping in [auth.oidc.roles])"
)


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`.

    Raises
    ------
    ConfigError
        If it is not, listing the known roles.

    Example
    -------
    >>> check_role("analyst")
    'analyst'
    """
    if role not in ROLES:
        raise ConfigError(f"unknown role '{role}'; the roles are {', '.join(ROLES)}")
    return role


def pages_for(role: str) -> frozenset[str]:
    """The page keys ``role`` may open.

    Raises
    ------
    ConfigError
        If ``role`` is not one of :data:`ROLES`.

    Example
    -------
    >>> sorted(pages_for("organizer"))
    ['watch_meeting']
    """
    return _PAGES_BY_ROLE[check_role(role)]


def may_view(role: str, page: str) -> bool:
    """Whether ``role`` may open ``page``.

    Raises
    ------
    ConfigError
        If ``role`` is unknown.
    ValueError
        If ``page`` is not one of :data:`PAGES` (a programming error).

    Example
    -------
    >>> may_view("commander", "backtest")
    False
    """
    if page not in PAGES:
        raise ValueError(f"unknown page key {page!r}; expected one of {PAGES}")
    return page in pages_for(role)


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``.

    Raises
    ------
    ConfigError
        If ``role`` is unknown.
    ValueError
        If ``action`` is not one of :data:`ACTIONS` (a programming error).

    Example
    -------
    >>> can("commander", "export_packet")
    True
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action key {action!r}; expected one of {ACTIONS}")
    return action in _ACTIONS_BY_ROLE[check_role(role)]


def require(role: str, action: str, target: str = "") -> None:
    """Return quietly if ``role`` may do ``action``; raise otherwise.

    Parameters
    ----------
    role : str
        The signed-in role.
    action : str
        One of :data:`ACTIONS`.
    target : str
        What the action was on (a file, an area), for the message.

    Raises
    ------
    AccessDenied
        If the role may not, naming role, action and who to ask.
    ConfigError
        If ``role`` is unknown.
    ValueError
        If ``action`` is unknown.

    Example
    -------
    >>> require("analyst", "export_incidents")
    """
    if not can(role, action):
        on = f" on {target}" if target else ""
        raise AccessDenied(
            f"role '{role}' may not {action.replace('_', ' ')} ({action}){on}; "
            f"{_WHO_TO_ASK}"
        )
