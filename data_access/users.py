"""Users, passwords and logins. `python -m data_access.users add|passwd|disable|list|demo`.

Passwords are hashed with argon2id (argon2-cffi); a password is read from a prompt or standard
input, never from the command line, where it would land in the shell history and `ps`.
Repeated failed logins lock the account for a while (numbers in LOCKOUT_*).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import sys
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, func, inspect, literal, or_, select, update
from sqlalchemy.engine import Engine

from . import sessions
from .schema import ROLES, admin_units, metadata, users
from .store import create_store_engine, describe_url, resolve_db_url

LOCKOUT_AFTER_FAILURES = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")

# Demo accounts of the sample county (documented in the README). Never for production stores.
DEMO_PASSWORD = "gridsight-demo"
DEMO_USERS = [
    ("duty", "duty", None),
    ("leader", "leader", None),
    ("planner", "planner", None),
    ("admin", "admin", None),
    ("town", "town", "first"),
    ("wall", "wall", None),
]


class UserError(ValueError):
    """A user-management request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    town_id: int | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_role(role: str, town_id: int | None, engine: Engine) -> None:
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if role == "town" and town_id is None:
        raise UserError("A town user needs --town TOWN_ID.")
    if role != "town" and town_id is not None:
        raise UserError("Only town users have a town.")
    if town_id is not None:
        with engine.connect() as conn:
            found = conn.execute(
                select(admin_units.c.id).where(admin_units.c.id == town_id, admin_units.c.level == "town")
            ).first()
        if found is None:
            raise UserError(f"There is no town with id {town_id}.")


# Passwords refused whatever their length: the demo password and what lists of leaked passwords
# put first (compared case-insensitively, after NFKC).
COMMON_PASSWORDS = frozenset(
    {
        DEMO_PASSWORD,
        "gridsight",
        "gridsight123",
        "password123",
        "password1234",
        "passw0rd123",
        "qwertyuiop",
        "1qaz2wsx3edc",
        "1q2w3e4r5t",
        "a123456789",
        "abc1234567",
        "abcd123456",
        "admin12345",
        "admin123456",
        "administrator",
        "iloveyou123",
        "woaini1314",
        "5201314520",
        "zxcvbnm123",
        "asdfghjkl1",
        "qwerty12345",
        "changeme123",
        "welcome123",
        "p@ssw0rd123",
    }
)
_SEQUENCES = ("01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# ASCII letters, digits and . _ @ - (e-mail addresses for single sign-on fit): no look-alike
# letters from other scripts, no markup, no spaces.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def normalize_username(username: str) -> str:
    """The form a user name is stored and looked up in: NFKC (full-width ａｄｍｉｎ is admin), trimmed."""
    return unicodedata.normalize("NFKC", username or "").strip()


def _check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise UserError(
            "A user name has 1 to 64 characters: ASCII letters, digits and . _ @ - (starting with a letter or "
            "digit), so that no two names look alike."
        )


def password_problem(password: str, username: str = "") -> str | None:
    """Why `password` is refused, or None. Length at least MIN_PASSWORD_LENGTH (spaces not
    counted at the ends), at least 4 different characters, not a run or a repetition of a few
    characters (1234567890, abcabcabca), not a common password, not the user name in any form."""
    plain = unicodedata.normalize("NFKC", password)
    core, folded = plain.strip(), plain.strip().casefold()
    name = normalize_username(username).casefold()
    if len(core) < MIN_PASSWORD_LENGTH:
        return f"The password must have at least {MIN_PASSWORD_LENGTH} characters (not counting spaces at the ends)."
    if len(set(folded)) < 4:
        return "The password must use at least 4 different characters."
    if any(folded in seq for seq in _SEQUENCES) or any(
        len(folded) % k == 0 and folded == folded[:k] * (len(folded) // k) for k in range(1, 4)
    ):
        return "The password is a run or a repetition of a few characters."
    if folded in COMMON_PASSWORDS or folded.rstrip("0123456789!.") in COMMON_PASSWORDS:
        return "The password is one of the most common passwords."
    if name and (name in folded or folded in name):
        return "The password must not contain the user name."
    return None


def _check_password(password: str, username: str = "") -> None:
    if (problem := password_problem(password, username)) is not None:
        raise UserError(problem)


def add_user(
    engine: Engine, username: str, password: str, role: str, town_id: int | None = None, *, _demo: bool = False
) -> None:
    username = normalize_username(username)
    _check_username(username)
    _check_role(role, town_id, engine)
    if not _demo:  # the demo accounts' shared password is refused for everyone else
        _check_password(password, username)
    with engine.begin() as conn:
        taken = {name.casefold() for (name,) in conn.execute(select(users.c.username))}
        if username.casefold() in taken:  # Admin next to admin would be two look-alike accounts
            raise UserError(f"User {username!r} exists already (user names are compared ignoring case).")
        conn.execute(
            users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                town_id=town_id,
                disabled=False,
                failed_attempts=0,
                created_at=_now(),
            )
        )


def set_password(engine: Engine, username: str, password: str) -> None:
    _check_password(password, username)
    with engine.begin() as conn:
        done = conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=_hasher.hash(password), failed_attempts=0, locked_until=None)
        )
    if done.rowcount == 0:
        raise UserError(f"No user {username!r}.")


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> None:
    """Disable (or enable) an account; disabling also ends its login sessions in every browser."""
    with engine.begin() as conn:
        done = conn.execute(update(users).where(users.c.username == username).values(disabled=disabled))
    if done.rowcount == 0:
        raise UserError(f"No user {username!r}.")
    if disabled:
        from .sessions import revoke_all

        revoke_all(engine, username)


def list_users(engine: Engine) -> list[dict]:
    q = select(
        users.c.username, users.c.role, users.c.town_id, users.c.disabled, users.c.locked_until, users.c.last_login_at
    ).order_by(users.c.username)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def authenticate(
    engine: Engine, username: str, password: str, now: dt.datetime | None = None, device: str | None = None
) -> tuple[User | None, str]:
    """(user, "ok") on success; (None, reason) with reason in {"unknown", "bad_password",
    "locked", "disabled"}. Failed attempts are counted and lock the account.

    `device`: the browser's device cookie. When it is a live one of this account
    (data_access.sessions.known_device), the account's lock-out does not apply and a wrong
    password counts against the device instead: strangers cannot lock the owner out (issue #18,
    finding 3), and the device is revoked after sessions.DEVICE_FAILURES wrong passwords.

    The count is kept in the database by one atomic UPDATE … SET failed_attempts =
    failed_attempts + 1 … RETURNING, never read-modify-written here, so parallel attempts
    (many tabs or threads at once) cannot overwrite each other's count. The password is checked
    even while the account is locked (wrong ones still count, a right one is refused), and a
    sign-in succeeds only by an UPDATE that finds the account unlocked at that moment, so a right
    password racing a burst of wrong ones cannot slip in after the lock is set. Once the count has
    reached LOCKOUT_AFTER_FAILURES, each further failure after the lock runs out locks again;
    only a successful sign-in or `passwd` resets it.
    """
    now = now or _now()
    username = normalize_username(username)
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    # Verified outside any transaction: argon2 takes a noticeable time and must not hold a lock.
    if row is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None, "unknown"
    try:  # also for a disabled account: every refusal takes the time of one hash check
        _hasher.verify(row["password_hash"], password)
        right = True
    except (VerificationError, InvalidHashError):
        right = False
    if row["disabled"]:
        return None, "disabled"
    owner_device = device is not None and sessions.known_device(engine, device, row["username"], now=now)
    if owner_device and not right:
        sessions.device_failed(engine, device, now=now)
        return None, "bad_password"
    unlocked = or_(users.c.locked_until.is_(None), users.c.locked_until <= now)
    with engine.begin() as conn:
        if not right:
            failures = func.coalesce(users.c.failed_attempts, 0) + 1
            lock_at = literal(now + dt.timedelta(minutes=LOCKOUT_MINUTES), users.c.locked_until.type)
            counted = conn.execute(
                update(users)
                .where(users.c.id == row["id"])
                .values(
                    failed_attempts=failures,
                    locked_until=case(
                        (and_(failures >= LOCKOUT_AFTER_FAILURES, unlocked), lock_at), else_=users.c.locked_until
                    ),
                )
                .returning(users.c.locked_until)
            ).first()
            locked_until = counted[0] if counted else None
            return None, "locked" if locked_until is not None and locked_until > now else "bad_password"
        values = {"failed_attempts": 0, "locked_until": None, "last_login_at": now}
        if _hasher.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = _hasher.hash(password)
        # The owner's own browser is not held by a lock strangers caused.
        allowed = (users.c.id == row["id"]) if owner_device else and_(users.c.id == row["id"], unlocked)
        signed_in = conn.execute(update(users).where(allowed).values(**values).returning(users.c.id)).first()
    if signed_in is None:
        return None, "locked"
    if owner_device:
        sessions.device_succeeded(engine, device)
    return User(row["username"], row["role"], row["town_id"]), "ok"


def get_user(engine: Engine, username: str) -> User | None:
    """The user as stored now (None when missing or disabled): sessions re-check it."""
    with engine.connect() as conn:
        row = conn.execute(
            select(users.c.username, users.c.role, users.c.town_id, users.c.disabled).where(
                users.c.username == username
            )
        ).first()
    if row is None or row.disabled:
        return None
    return User(row.username, row.role, row.town_id)


def is_sample_store(engine: Engine) -> bool:
    """True for a store the sample-county generator made (its store_meta names a profile)."""
    from .schema import store_meta

    with engine.connect() as conn:
        if not inspect(conn).has_table(store_meta.name):
            return False
        return conn.execute(select(store_meta.c.value).where(store_meta.c.key == "profile")).first() is not None


def seed_demo_users(engine: Engine, *, sample_only: bool = False) -> list[str]:
    """The README's demo accounts; the town user gets the first town. Existing names are kept.
    `sample_only` (the CLI's `demo`): refused on a store the generator did not make, where
    accounts with a published password would be a way in."""
    with engine.connect() as conn:
        first_town = conn.execute(
            select(admin_units.c.id).where(admin_units.c.level == "town").order_by(admin_units.c.code).limit(1)
        ).scalar()
        existing = set(conn.execute(select(users.c.username)).scalars())
    if first_town is None and any(t == "first" and u not in existing for u, _, t in DEMO_USERS):
        raise UserError(
            "The store has no towns yet, and the demo users include a town user: import boundaries first "
            "(python -m data_access.ingest boundaries …, see the README) or generate the sample county."
        )
    if sample_only and not is_sample_store(engine):
        raise UserError(
            "demo adds accounts with the published password gridsight-demo, so it works only on a sample store "
            "(made by python -m sample_data.generate); add real users with: add USERNAME --role ROLE"
        )
    made = []
    for username, role, town in DEMO_USERS:
        if username in existing:
            continue
        add_user(engine, username, DEMO_PASSWORD, role, first_town if town == "first" else None, _demo=True)
        made.append(username)
    return made


def _read_password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat password: ") != first:
        raise UserError("The two passwords differ.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access.users", description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="store URL (default: GRID_DB_URL, secrets.toml, sample)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a user; the password is read from a prompt or stdin")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--town", type=int, default=None, help="town id, for role town")
    pw = sub.add_parser("passwd", help="set a user's password (prompt or stdin) and unlock it")
    pw.add_argument("username")
    dis = sub.add_parser("disable", help="disable a user (--enable to undo)")
    dis.add_argument("username")
    dis.add_argument("--enable", action="store_true")
    sub.add_parser("list", help="list users")
    sub.add_parser("demo", help="add the README's demo users (sample stores only)")
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    engine = create_store_engine(url, writable=True)
    try:
        if not inspect(engine).has_table(users.name):
            if args.command not in ("add", "demo"):
                raise UserError(f"{describe_url(url)} holds no GridSight store yet (no users table).")
            metadata.create_all(engine)  # DDL only, as the importers do: the first admin of an empty store
        if args.command == "add":
            add_user(engine, args.username, _read_password(), args.role, args.town)
            print(f"added {args.username} ({args.role})")
        elif args.command == "passwd":
            set_password(engine, args.username, _read_password())
            print(f"password of {args.username} set")
        elif args.command == "disable":
            set_disabled(engine, args.username, not args.enable)
            print(f"{args.username} {'enabled' if args.enable else 'disabled'}")
        elif args.command == "list":
            for u in list_users(engine):
                print(
                    f"{u['username']:<20} {u['role']:<8} town={u['town_id'] or '-':<6} "
                    f"{'disabled' if u['disabled'] else 'active'}"
                )
        elif args.command == "demo":
            print("added: " + (", ".join(seed_demo_users(engine, sample_only=True)) or "nothing (they exist)"))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
