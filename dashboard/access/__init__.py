"""Sign-in, the role-gated navigation and the audited widgets of the dashboard.

Every decision is asked of :mod:`pipelines.access.policy`; nothing here compares
role names.
"""
