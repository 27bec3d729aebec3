"""STAND-IN (h14c) of h14a's policy module, to the issue-14 shared design."""

from __future__ import annotations

from pipelines.errors import AccessDenied, ConfigError

ROLES = ("analyst", "commander", "organizer", "admin")
PAGES = (
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
ACTIONS = (
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
_ADMIN_PAGES = frozenset({"audit", "users"})
_ADMIN_ACTIONS = frozenset({"read_audit", "manage_users"})
_PAGES = {
    "analyst": frozenset(PAGES) - _ADMIN_PAGES,
    "commander": frozenset({"sector_summary", "area_profile", "hotspots"}),
    "organizer": frozenset({"watch_meeting"}),
    "admin": _ADMIN_PAGES,
}
_ACTIONS = {
    "analyst": frozenset(ACTIONS) - _ADMIN_ACTIONS,
    "commander": frozenset({"export_packet"}),
    "organizer": frozenset({"edit_forms", "export_watch"}),
    "admin": _ADMIN_ACTIONS,
}


def _role(role: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")
    return role


def pages_for(role: str) -> frozenset[str]:
    """The page keys ``role`` may open."""
    return _PAGES[_role(role)]


def may_view(role: str, page: str) -> bool:
    """True if ``role`` may open page ``page``."""
    if page not in PAGES:
        raise ValueError(f"unknown page key {page!r}")
    return page in pages_for(role)


def can(role: str, action: str) -> bool:
    """True if ``role`` may do ``action``."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action key {action!r}")
    return action in _ACTIONS[_role(role)]


def require(role: str, action: str, target: str = "") -> None:
    """Raise AccessDenied unless ``role`` may do ``action``."""
    if not can(role, action):
        where = f" on {target}" if target else ""
        raise AccessDenied(
            f"role {role} may not {action}{where}; ask an admin for a role that may"
        )
