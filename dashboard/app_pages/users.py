"""Admin: local accounts (list, add, set role, unlock, remove); each change audited."""

from collections.abc import Callable
from dataclasses import asdict

import pandas as pd
import streamlit as st

from dashboard.access import gate, trail
from pipelines.access import policy, users
from pipelines.errors import BeatprofileError

st.title("Users")
if not gate.allowed("manage_users"):
    st.error("Your role may not manage users; ask an admin.")
    st.stop()
settings = trail.app_settings()
path = settings.auth.users_file
st.caption(f"Local accounts in {path}. Passwords are stored only as argon2 hashes.")


def _change(what: str, name: str, write: Callable[[], None], **detail: str) -> None:
    try:
        write()
    except BeatprofileError as exc:
        trail.record("user_change", name, "failed", {"change": what, "error": str(exc)})
        st.error(f"Not changed: {exc}")
        return
    trail.record("user_change", name, "ok", {"change": what, **detail})
    st.success(f"{what}: {name}")


records = users.list_users(path)
st.dataframe(
    pd.DataFrame(
        [asdict(r) for r in records],
        columns=["name", "role", "failed", "locked_until", "created"],
    ),
    hide_index=True,
    width="stretch",
)
names = [r.name for r in records]
with st.form("users.add", clear_on_submit=True):
    st.subheader("Add a user")
    name = st.text_input("Name", key="users.add.name").strip()
    role = st.selectbox("Role", policy.ROLES, key="users.add.role")
    password = st.text_input("Password", type="password", key="users.add.password")
    if st.form_submit_button("Add user", key="users.add.save"):
        _change(
            "add", name, lambda: users.add_user(path, name, role, password), role=role
        )
if names:
    with st.form("users.change"):
        st.subheader("Change a user")
        who = st.selectbox("User", names, key="users.change.name")
        new_role = st.selectbox("New role", policy.ROLES, key="users.change.role")
        set_col, unlock_col, remove_col = st.columns(3)
        if set_col.form_submit_button("Set role", key="users.change.set"):
            _change(
                "set_role",
                who,
                lambda: users.set_role(path, who, new_role),
                role=new_role,
            )
        if unlock_col.form_submit_button("Unlock", key="users.change.unlock"):
            _change("unlock", who, lambda: users.unlock(path, who))
        if remove_col.form_submit_button("Remove", key="users.change.remove"):
            _change("remove", who, lambda: users.remove_user(path, who))
