"""Feeder soak: a freshly generated sample county per seed, then the feeder on it from the command line.

    python -m benchmarks.feeder_seeds --db sqlite|PG_URL [--seeds 1-20] [--duration 60] [--rate 5]

For each seed S: `python -m sample_data.generate --profile county --seed S --replace` with the
default end (now), then `python -m sample_data.simulate --db URL --rate R --duration D --seed S`.
With --generate-once the county is generated once (seed 7, the README's first command's) and each
feeder seed S runs on a fresh copy of it (a file copy; on PostgreSQL a database made from it as a
template), which is how the README's demo meets the feeder.
Prints one line per seed (exit code, events inserted, steps moved) and exits 1 if any run failed.
With `--db sqlite` each seed gets its own file in a temp folder; a PostgreSQL URL is reused
(the generator's --replace drops and recreates its tables).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def generate(url: str, seed: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sample_data.generate", "--db", url, "--profile", "county", "--seed", str(seed)]
        + ["--replace", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def pg_copy(url: str, name: str, template: str | None) -> str:
    """A new database `name` beside `url`'s (made from `template`, or empty); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def one(url: str, seed: int, rate: float, duration: float, fresh: bool = True) -> dict:
    t0 = time.monotonic()
    if fresh:
        gen = generate(url, seed)
        if gen.returncode:
            return {"seed": seed, "step": "generate", "rc": gen.returncode, "tail": gen.stderr[-400:]}
    t1 = time.monotonic()
    sim = subprocess.run(
        [sys.executable, "-m", "sample_data.simulate", "--db", url, "--rate", str(rate), "--duration", str(duration)]
        + ["--seed", str(seed), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    found = re.search(r"(\d+) events inserted, (\d+) moved on", sim.stdout)
    return {
        "seed": seed,
        "step": "simulate",
        "rc": sim.returncode,
        "created": int(found[1]) if found else None,
        "advanced": int(found[2]) if found else None,
        "generate_s": round(t1 - t0, 1) if fresh else "",
        "tail": sim.stderr[-400:] if sim.returncode else "",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="'sqlite' (a temp file per seed) or a PostgreSQL URL")
    p.add_argument("--seeds", default="1-20")
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--rate", type=float, default=5)
    p.add_argument("--generate-once", action="store_true", help="one county (seed 7), a fresh copy per feeder seed")
    args = p.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        if args.generate_once:
            from sqlalchemy.engine import make_url

            pg_name = None if args.db == "sqlite" else make_url(args.db).database
            base = (
                f"sqlite:///{Path(tmp) / 'base.db'}"
                if args.db == "sqlite"
                else pg_copy(args.db, f"{pg_name}_base", None)
            )
            gen = generate(base, 7)
            assert gen.returncode == 0, gen.stderr[-800:]
        for seed in seeds(args.seeds):
            url = f"sqlite:///{Path(tmp) / f'county-{seed}.db'}" if args.db == "sqlite" else args.db
            if base and args.db == "sqlite":
                shutil.copy(base.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
            elif base:
                url = pg_copy(args.db, f"{pg_name}_run{seed}", f"{pg_name}_base")
            r = one(url, seed, args.rate, args.duration, fresh=base is None)
            if base and args.db != "sqlite":
                pg_copy(args.db, f"{pg_name}_run{seed}", None)  # drop the copy's data: an empty database is left
            failed += r["rc"] != 0
            print(" ".join(f"{k}={v}" for k, v in r.items() if v != ""), flush=True)
            if args.db == "sqlite":
                for f in Path(tmp).glob(f"county-{seed}.db*"):
                    f.unlink()
    print(f"{failed} of {len(seeds(args.seeds))} seeds failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
