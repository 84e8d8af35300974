"""Generate the sample county (T county, Zhejiang, as in DOMAIN.md) into a GridSight store.

    python -m sample_data.generate --db URL [--profile county|tiny|hdistrict] [--seed 7] [--months 12]
                                   [--events N] [--end ISO-DATETIME] [--replace] [--quiet] [--held-out]

The output is a pure function of (profile, seed, months, events, end). `end` defaults to the
current hour in Asia/Shanghai so the live dashboard has a "today"; steps after `end` are not
written, so recent events are still open. Events and their steps are generated and written in
batches, so `--events` scales to millions in bounded memory.

Failure modes from DOMAIN.md are planted in a known minority and recorded in planted_patterns
(pattern, kind 'gaming' | 'control', family, detail); each leaves a signal in events, steps or
check-ins alone (tests/test_generate.py, tests/test_planting.py):
- padding, near_duplicates, empty_patrol (workers): each a family of behaviours with parameters
  drawn per worker (time of day, month-end surge, closing delay, distance, wording, track noise),
  its legacy recipe kept as one family, plus quota-pressure padders (families.py; the families
  and their ranges: docs/INTEGRITY.md, "How the sample plants gaming");
- honest-but-unusual controls that no signal should flag: on-the-spot fixers, a recurring problem
  at one spot, very busy workers, noisy GPS;
- filtering (village, >= 2 grids): hard items not entered, escalation near zero, fewer grid
  reports, more 12345 calls from its grids;
- slow_department: ~8x slower to accept and ~3x slower to handle (relative to the deadline);
- returning_department: returns ~40% of dispatches as not its responsibility;
- rating_mismatch (department): towns' monthly ratings contradict its handling data.
Honest workers vary (diligence, honest GPS glitches on ~1% of days); nothing else is planted.
`--held-out` adds the held-out families (held_out.py), kept out of detector development.
The as-practised quota is set from the county's own volume and written into the store's rules.

The package's modules follow the build order: profiles (profiles, rhythm, time helpers), world
(places, departments), workers, planting (who carries which failure mode) with families (the
planted workers' specs) and held_out, paths (one event's steps), planted_events (the planted
workers' events), events (the batch factory), checkins, ratings, writing (static tables, own
rules) and cli (`generate`, `main`).
"""

# The package's public names (explicit re-exports: `from sample_data.generate import generate`).
from sample_data.generate.cli import generate as generate
from sample_data.generate.cli import main as main
from sample_data.generate.profiles import CENTRE_HOURS as CENTRE_HOURS
from sample_data.generate.profiles import GRID_HOURS as GRID_HOURS
from sample_data.generate.profiles import LOCAL_TZ as LOCAL_TZ
from sample_data.generate.profiles import PROFILES as PROFILES
from sample_data.generate.profiles import Profile as Profile
from sample_data.generate.profiles import StoreNotEmptyError as StoreNotEmptyError
from sample_data.generate.profiles import default_end as default_end
from sample_data.generate.profiles import parse_end as parse_end
