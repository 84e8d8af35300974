"""Generate the sample county (T county, Zhejiang, as in DOMAIN.md) into a GridSight store.

    python -m sample_data.generate --db URL [--profile county|tiny|hdistrict] [--seed 7] [--months 12]
                                   [--events N] [--end ISO-DATETIME] [--replace] [--quiet]

The output is a pure function of (profile, seed, months, events, end). `end` defaults to the
current hour in Asia/Shanghai so the live dashboard has a "today"; steps after `end` are not
written, so recent events are still open. Events and their steps are generated and written in
batches, so `--events` scales to millions in bounded memory.

Failure modes from DOMAIN.md are planted in a known minority and recorded in planted_patterns;
each leaves a signal in events, steps or check-ins alone (tests/test_generate.py states rules):
- padding (worker): ~2.5-4x extra trivial reports, in bursts 08:00-08:59 on working days and
  in the last 3 days of the month, closed within minutes;
- near_duplicates (worker): trivial items re-entered within metres and 1-20 h of the first;
- empty_patrol (worker): on most patrol days GPS hops faster than 30 km/h and/or the very same
  track re-uploaded;
- filtering (village, >= 2 grids): hard items not entered, escalation near zero, fewer grid
  reports, more 12345 calls from its grids;
- slow_department: ~8x slower to accept and ~3x slower to handle (relative to the deadline);
- returning_department: returns ~40% of dispatches as not its responsibility;
- rating_mismatch (department): towns' monthly ratings contradict its handling data.
Honest workers vary (diligence, honest GPS glitches on ~1% of days); nothing else is planted.

The package's modules follow the build order: profiles (profiles, rhythm, time helpers), world
(places, departments), workers, planting (who carries which failure mode), paths (one event's
steps), events (the batch factory), checkins, ratings, writing (static tables, own rules) and
cli (`generate`, `main`).
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
