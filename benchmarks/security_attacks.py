"""Rerun the attacks of the security review (issue #18, findings 1, 2, 4, 6 and 7) against a
running dashboard, from outside: raw websocket clients (tests/st_wire.py) and plain HTTP, no
browser, no cookies. Prints one line per finding, CLOSED or OPEN, and exits 1 if any is open.

    python -m benchmarks.security_attacks --url http://127.0.0.1:8501 --db "$GRID_DB_URL"

`--db` is the store the server reads (to add the attack's own accounts, disable one, and read
the counters and the audit log); without `--url` a server is started on `--db` and stopped after.
Each run adds accounts named sec-<random>; they are disabled at the end. The per-client sign-in
limit (20 failures in 15 minutes) counts this script's failures too: wait between reruns.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from data_access import schema, users
from data_access.store import create_store_engine, resolve_db_url
from tests.st_wire import WireSession, shows_login_form
from tests.test_security import http_get, pg_connections, put_upload


def _signed_in(s: WireSession) -> bool:
    return not shows_login_form(s.rerun())


def finding_1(base: str, writer, tag: str) -> tuple[bool, str]:
    """Ten tabs submit a wrong password at once; then the right one. Before: the counter read 1
    and the right password signed in."""
    name, right = f"sec-{tag}-race", f"race-{tag}-Strong-9"
    users.add_user(writer, name, right, "duty")
    sessions = [WireSession(base) for _ in range(10)]
    try:
        for s in sessions:
            s.rerun()
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda s: s.submit_login(name, "wrong-guess-12345"), sessions))
    finally:
        for s in sessions:
            s.close()
    with writer.connect() as conn:
        count = conn.execute(select(schema.users.c.failed_attempts).where(schema.users.c.username == name)).scalar()
    with WireSession(base) as s:
        s.rerun()
        s.submit_login(name, right)
        signed_in = _signed_in(s)
    closed = count == 10 and not signed_in
    return closed, f"10 parallel wrong passwords -> counter {count}; right password afterwards signed in: {signed_in}"


def finding_2(base: str, url: str) -> tuple[bool, str]:
    """Anonymous clear_cache + rerun messages. Before: PostgreSQL connections 8 -> 11 per 3."""
    if make_url(url).get_backend_name() != "postgresql":
        return True, "skipped: connections are counted on PostgreSQL only (SQLite has no server)"
    with WireSession(base) as s:
        s.rerun()
        time.sleep(0.5)
        before = pg_connections(url)
        for _ in range(10):
            s.clear_cache()
            s.rerun()
        time.sleep(0.5)
        after = pg_connections(url)
    return after <= before, f"10 anonymous cache flushes: connections {before} -> {after}"


def finding_4(base: str, writer, tag: str) -> tuple[bool, str]:
    """The open live map after `users disable`. Before: it kept refreshing with data."""
    name, password = f"sec-{tag}-map", f"map-{tag}-Strong-9"
    users.add_user(writer, name, password, "duty")
    with WireSession(base) as s:
        s.rerun()
        s.sign_in(name, password)
        s.rerun(page_name="live_map")
        fragments = s.auto_reruns()
        if not fragments:
            return False, "the live map asked for no timed refresh (is the user signed in?)"
        users.set_disabled(writer, name)
        after = s.rerun_fragment(fragments[-1][0])
        ended = shows_login_form(after + s.until_finished())
    return ended, f"next refresh after disabling the account shows the sign-in form: {ended}"


def finding_6(base: str) -> tuple[bool, str]:
    """An anonymous session asks for an upload URL and PUTs 1 MB. Before: URL given, 204."""
    with WireSession(base) as s:
        s.rerun()
        reply = s.upload_urls("x.csv")
        urls = len(reply.file_urls) if reply is not None else 0
        status = put_upload(base, f"/_stcore/upload_file/{s.session_id()}/forged", 1024 * 1024)
    return urls == 0 and status >= 400, f"anonymous session: {urls} upload URLs, forged 1 MB PUT -> {status}"


def finding_7(base: str, writer, url: str, tag: str) -> tuple[bool, str]:
    """The printable report before a click, its media URL after one, and the audit row."""
    name, password = f"sec-{tag}-lead", f"lead-{tag}-Strong-9"
    users.add_user(writer, name, password, "leader")
    with WireSession(base) as s:
        s.rerun()
        s.sign_in(name, password)
        s.rerun(page_name="monthly_rankings")
        report = s.element("rankings_report_download")
        stored_before_click = bool(report.url)
        media = s.deferred_file(report.deferred_file_id) if report.deferred_file_id else ""
        s.click("rankings_report_download")
        link = f"{base}/{media.lstrip('/')}"
        fetches = [http_get(link) for _ in range(3)] if media else []
    time.sleep(1)
    reader = create_engine(url)
    with reader.connect() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE username = :u AND action = 'export'"), {"u": name}
        ).scalar()
    reader.dispose()
    closed = not stored_before_click and fetches[:2] == [200, 200] and fetches[2:] == [404] and audited >= 1
    return closed, (
        f"report stored before the click: {stored_before_click}; fetches after the click {fetches} "
        f"(browser probe, download, anyone else); export audit rows: {audited}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running dashboard (default: start one on --db)")
    parser.add_argument("--db", default=None, help="the store the server reads (default: GRID_DB_URL)")
    args = parser.parse_args(argv)
    url = args.db or resolve_db_url()
    writer = create_store_engine(url, writable=True)
    proc = None
    base = args.url
    if base is None:
        from benchmarks import concurrency

        proc, base = concurrency.start_server(url, Path(tempfile.mkdtemp()) / "server.log")
    tag = secrets.token_hex(3)
    results = {}
    try:
        results[1] = finding_1(base, writer, tag)
        results[2] = finding_2(base, url)
        results[4] = finding_4(base, writer, tag)
        results[6] = finding_6(base)
        results[7] = finding_7(base, writer, url, tag)
    finally:
        for suffix in ("race", "map", "lead"):
            try:
                users.set_disabled(writer, f"sec-{tag}-{suffix}")
            except users.UserError:
                pass
        writer.dispose()
        if proc is not None:
            from benchmarks import concurrency

            concurrency.stop(proc)
    for number, (closed, detail) in results.items():
        print(f"finding {number}: {'CLOSED' if closed else 'OPEN  '}  {detail}")
    return 0 if all(closed for closed, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
