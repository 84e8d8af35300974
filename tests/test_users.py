"""Users: hashing, lock-out, disabling, and the command line that never takes a password in argv."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access import schema, users
from data_access.store import create_store_engine
from tests import fixture_county as fc
from tests.conftest import ROOT, pg_url


@pytest.fixture(scope="module")
def users_template(tmp_path_factory) -> Path:
    """The fixture county without its demo users, built once; each test writes to its own copy."""
    path = tmp_path_factory.mktemp("users_template") / "users.db"
    url = f"sqlite:///{path}"
    fc.build_fixture(url)
    eng = create_store_engine(url, writable=True)
    with eng.begin() as conn:  # the fixture ships the demo users; these tests start without any
        conn.execute(schema.users.delete())
    eng.dispose()
    return path


@pytest.fixture
def engine(users_template, tmp_path):
    path = tmp_path / "users.db"
    source, target = sqlite3.connect(f"file:{users_template}?mode=ro", uri=True), sqlite3.connect(path)
    try:
        source.backup(target)  # a consistent copy whatever the template's WAL holds
    finally:
        target.close()
        source.close()
    eng = create_store_engine(f"sqlite:///{path}", writable=True)
    yield eng
    eng.dispose()


def test_password_is_hashed_with_argon2(engine):
    users.add_user(engine, "zhang", "a-long-password", "duty")
    with engine.connect() as conn:
        stored = conn.execute(select(schema.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a-long-password" not in stored
    assert users.authenticate(engine, "zhang", "a-long-password")[1] == "ok"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(role="mayor"), "Unknown role"),
        (dict(role="town"), "needs --town"),
        (dict(role="duty", town_id=fc.TOWN_EAST), "Only town users"),
        (dict(role="town", town_id=999), "no town"),
    ],
)
def test_bad_accounts_are_refused(engine, kwargs, message):
    with pytest.raises(users.UserError, match=message):
        users.add_user(engine, "x", "a-long-password", **kwargs)


def test_short_password_refused(engine):
    with pytest.raises(users.UserError, match="at least"):
        users.add_user(engine, "x", "short", "duty")


def test_lockout_after_repeated_failures(engine):
    users.add_user(engine, "li", "right-password", "leader")
    now = dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC)
    reasons = [users.authenticate(engine, "li", "wrong", now)[1] for _ in range(users.LOCKOUT_AFTER_FAILURES)]
    assert reasons[:-1] == ["bad_password"] * (users.LOCKOUT_AFTER_FAILURES - 1) and reasons[-1] == "locked"
    # even the right password is refused while locked, and accepted after the lock runs out
    assert users.authenticate(engine, "li", "right-password", now + dt.timedelta(minutes=1))[1] == "locked"
    later = now + dt.timedelta(minutes=users.LOCKOUT_MINUTES + 1)
    assert users.authenticate(engine, "li", "right-password", later)[1] == "ok"


def test_disabled_user_cannot_sign_in_and_unknown_is_not_told_apart(engine):
    users.add_user(engine, "wang", "right-password", "planner")
    users.set_disabled(engine, "wang")
    assert users.authenticate(engine, "wang", "right-password") == (None, "disabled")
    assert users.get_user(engine, "wang") is None
    assert users.authenticate(engine, "nobody", "whatever") == (None, "unknown")


def test_demo_users_cover_every_role(engine):
    made = users.seed_demo_users(engine)
    assert sorted(made) == ["admin", "duty", "leader", "planner", "town", "wall"]
    assert {users.get_user(engine, name).role for name in made} == set(schema.ROLES)
    town = users.get_user(engine, "town")
    assert town.role == "town" and town.town_id == fc.TOWN_EAST
    assert users.seed_demo_users(engine) == []


def test_cli_reads_password_from_stdin_not_argv(engine, tmp_path):
    url = str(engine.url)
    run = lambda *args, stdin="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "data_access.users", "--db", url, *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    added = run("add", "chen", "--role", "town", "--town", str(fc.TOWN_WEST), stdin="cli-password-1\n")
    assert added.returncode == 0, added.stderr
    assert users.authenticate(engine, "chen", "cli-password-1")[0].town_id == fc.TOWN_WEST
    listed = run("list")
    assert "chen" in listed.stdout and "cli-password-1" not in listed.stdout
    assert run("add", "chen", "--role", "duty", stdin="cli-password-1\n").returncode == 2
    assert run("add", "x", "--role", "duty", "--password", "p").returncode == 2  # no such option
    assert run("disable", "chen").returncode == 0 and users.get_user(engine, "chen") is None


def test_cli_on_an_empty_store_says_what_to_do(tmp_path, capsys):
    """`demo` on a store without tables or towns explains itself; `add` makes the first admin of an empty store."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert users.main(["--db", url, "demo"]) == 2
    err = capsys.readouterr().err
    assert "no towns yet" in err and "import boundaries first" in err and "Traceback" not in err
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert users.main(["--db", other, "list"]) == 2
    assert "holds no GridSight store yet" in capsys.readouterr().err
    run = subprocess.run(
        [sys.executable, "-m", "data_access.users", "--db", url, "add", "first-admin", "--role", "admin"],
        cwd=ROOT,
        input="a-long-enough-password-1\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    engine = create_store_engine(url, writable=True)
    assert users.authenticate(engine, "first-admin", "a-long-enough-password-1")[1] == "ok"
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def race_engine(request, tmp_path):
    """A writable engine on an empty store with only the access tables, on each backend."""
    from tests.conftest import fresh_pg_database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.db'}"
    else:
        pg_url()
        url = fresh_pg_database("users_race")
    eng = create_store_engine(url, writable=True)
    schema.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _in_parallel(engine, attempts: list[tuple[str, str]]) -> list[str]:
    """Run users.authenticate for each (username, password) at once, as parallel tabs do."""
    barrier = threading.Barrier(len(attempts))

    def attempt(pair):
        barrier.wait()
        return users.authenticate(engine, *pair)[1]

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def _counter(engine, username: str) -> tuple[int, dt.datetime | None]:
    with engine.connect() as conn:
        row = conn.execute(
            select(schema.users.c.failed_attempts, schema.users.c.locked_until).where(
                schema.users.c.username == username
            )
        ).first()
    return row[0], row[1]


def test_parallel_wrong_passwords_are_each_counted_and_lock(race_engine):
    """Finding 1 of the security review: 20 threads ended with the counter at 2, never locked."""
    users.add_user(race_engine, "racer", "right-password", "leader")
    reasons = _in_parallel(race_engine, [("racer", f"wrong-{i}") for i in range(20)])
    failures, locked_until = _counter(race_engine, "racer")
    assert failures == 20, reasons
    assert locked_until is not None and locked_until > users._now()
    assert "locked" in reasons and set(reasons) <= {"bad_password", "locked"}
    assert users.authenticate(race_engine, "racer", "right-password")[1] == "locked"


def test_right_password_racing_wrong_ones_cannot_beat_the_lock(race_engine):
    """9 wrong + the right one at once signed in before the fix: 19 guesses, never locked."""
    users.add_user(race_engine, "racer", "right-password", "leader")
    first = _in_parallel(race_engine, [("racer", f"wrong-{i}") for i in range(users.LOCKOUT_AFTER_FAILURES)])
    assert first.count("locked") >= 1
    second = _in_parallel(race_engine, [("racer", f"again-{i}") for i in range(9)] + [("racer", "right-password")])
    assert "ok" not in second
    assert _counter(race_engine, "racer")[0] == users.LOCKOUT_AFTER_FAILURES + 9


# --- issue #18, findings 3 and 11 -----------------------------------------------------------------


WEAK = [(" " * 10, "p1"), ("aaaaaaaaaa", "p2"), ("1234567890", "p3"), ("gridsight-demo", "p4")]
WEAK += [("chen-li-2026", "chen-li"), ("abcabcabcabc", "p5"), ("Password123", "p6"), ("0987654321", "p7")]
WEAK += [("PASSWORD-chen", "chen")]


def test_weak_passwords_and_look_alike_names_are_refused(engine):
    """The review's accepted passwords (ten spaces, aaaaaaaaaa, 1234567890, the demo password, the
    user name) and user names (Admin next to admin, Cyrillic а, markup)."""
    for password, username in WEAK:
        with pytest.raises(users.UserError):
            users.add_user(engine, username, password, "duty")
    users.add_user(engine, "keeper", "strong-pass-for-k5", "duty")
    with pytest.raises(users.UserError):
        users.set_password(engine, "keeper", "keeper1234567")
    users.add_user(engine, "admin", "strong-pass-for-a5", "admin")
    for name in ["Admin", "ADMIN", "\u0430dmin", "ad<b>min", "ad min", "[x](http://e.test)", ""]:
        with pytest.raises(users.UserError):
            users.add_user(engine, name, "another-strong-pass-5", "duty")
    assert [u["username"] for u in users.list_users(engine)] == ["admin", "keeper"]


def test_full_width_user_names_are_stored_and_found_in_their_plain_form(engine):
    users.add_user(engine, "\uff4c\uff49\uff55\uff12", "liu-strong-pass-5", "duty")  # ｌｉｕ２
    assert [u["username"] for u in users.list_users(engine)] == ["liu2"]
    assert users.authenticate(engine, "\uff4c\uff49\uff55\uff12", "liu-strong-pass-5")[1] == "ok"


def test_demo_users_only_on_a_sample_store(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(schema.store_meta.delete().where(schema.store_meta.c.key == "profile"))
    assert users.main(["--db", url, "demo"]) == 2
    assert "only on a sample store" in capsys.readouterr().err
    assert users.list_users(engine) == []
    with engine.begin() as conn:
        conn.execute(schema.store_meta.insert().values(key="profile", value="county"))
    assert users.main(["--db", url, "demo"]) == 0 and len(users.list_users(engine)) == len(users.DEMO_USERS)


def test_refusals_take_as_long_whatever_the_reason(engine):
    """Finding 3: a disabled or locked account answered in ~0.12 s, a wrong password in ~0.6 s,
    which told which names exist. Every refusal now checks one hash."""
    import time

    users.add_user(engine, "present", "strong-pass-for-p5", "duty")
    users.add_user(engine, "off", "strong-pass-for-o5", "duty")
    users.set_disabled(engine, "off")
    users.add_user(engine, "shut", "strong-pass-for-s5", "duty")
    for _ in range(users.LOCKOUT_AFTER_FAILURES):
        users.authenticate(engine, "shut", "wrong-guess-1234")

    def median(name: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            user, _reason = users.authenticate(engine, name, "wrong-guess-1234")
            times.append(time.perf_counter() - start)
            assert user is None
        return sorted(times)[2]

    got = {name: median(name) for name in ("present", "nobody-here", "off", "shut")}
    assert min(got.values()) >= 0.5 * max(got.values()), got
