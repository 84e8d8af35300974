"""What may follow what in an event's life: the one table the generator, the feeder and the importers share.

A step is a move: an action and the level it leaves the event at (`to_level`; for an action a unit
takes in place, such as accept or handle, that unit's level). The state of an open event is its
last move. `NEXT_MOVES[state]` lists the moves that may come next, following the H-district
lifecycle in DOMAIN.md (collect → report and handle, level by level, returned or dispatched →
verify within 24 h, rejected and redone → close) and the digital-urban-management stages
(上报 report → 受理 accept → 立案 register → 派遣 dispatch → 处置 handle → 核查 verify → 结案 close).

The generator's paths are checked against this table (tests/test_lifecycle.py); the feeder picks
its next step only from it; an importer's rows may skip stages (a platform's export names some
moments, not all), so an imported event is only required to end in a state of this table.
"""

from __future__ import annotations

# The event's status after a step with this action (events.status mirrors its last step).
STATUS_AFTER = {
    "report": "reported",
    "escalate": "reported",
    "return": "reported",
    "accept": "accepted",
    "register": "accepted",
    "dispatch": "dispatched",
    "handle": "handling",
    "reject": "handling",
    "complete": "completed",
    "verify": "verified",
    "close": "closed",
    "file": "filed",
}

# Levels a grid-level verification, or a rejection, sends work back to: whoever handled it.
HANDLER_LEVELS = ("grid", "village", "town", "county", "department")
CENTRES = ("town", "county")

Move = tuple[str, str]  # (action, level the event is at after it)

NEXT_MOVES: dict[Move, tuple[Move, ...]] = {
    # A worker's report reaches the grid: filed only, handled on the spot, or sent up.
    ("report", "grid"): (("accept", "grid"), ("escalate", "village"), ("escalate", "town"), ("file", "grid")),
    # A resident's call, a camera alert or an imported record reaches the county centre.
    ("report", "county"): (("accept", "county"), ("accept", "department"), ("dispatch", "department")),
    ("escalate", "village"): (("accept", "village"), ("escalate", "town")),
    ("escalate", "town"): (("accept", "town"), ("return", "village")),
    ("escalate", "county"): (("accept", "county"), ("return", "town")),
    # Returned (退回): the lower level takes it back; a department's return goes to the next department.
    ("return", "village"): (("accept", "village"),),
    ("return", "town"): (("accept", "town"), ("dispatch", "department")),
    ("return", "county"): (("accept", "county"), ("dispatch", "department")),
    ("accept", "grid"): (("handle", "grid"),),
    ("accept", "village"): (("handle", "village"), ("escalate", "town")),
    ("accept", "town"): (("register", "town"), ("escalate", "county")),
    ("accept", "county"): (("register", "county"),),
    ("accept", "department"): (("handle", "department"),),
    # Registered (立案) at a centre: its own cadres handle it, or it is dispatched (派遣).
    ("register", "town"): (("dispatch", "department"), ("handle", "town")),
    # The county centre handles it itself only where it has nobody to dispatch to (an imported store).
    ("register", "county"): (("dispatch", "department"), ("dispatch", "town"), ("handle", "county")),
    ("dispatch", "department"): (("accept", "department"), ("return", "town"), ("return", "county")),
    ("dispatch", "town"): (("dispatch", "grid"), ("accept", "town")),
    ("dispatch", "grid"): (("accept", "grid"),),
    **{("handle", lv): (("complete", lv),) for lv in HANDLER_LEVELS},
    # Verified on site by the grid worker; an event without a grid (imported) by the centre.
    **{("complete", lv): (("verify", "grid"), ("verify", "county")) for lv in HANDLER_LEVELS},
    # Verified on site by the grid worker: closed (where it was registered, or by the handler),
    # or rejected (驳回) back to whoever handled it.
    ("verify", "grid"): (
        *(("close", lv) for lv in ("grid", "village", *CENTRES)),
        *(("reject", lv) for lv in HANDLER_LEVELS),
    ),
    **{("reject", lv): (("handle", lv),) for lv in HANDLER_LEVELS},
    ("verify", "county"): (("close", "county"), *(("reject", lv) for lv in HANDLER_LEVELS)),
}

FINAL_ACTIONS = ("close", "file")


def next_moves(action: str, level: str | None) -> tuple[Move, ...]:
    """The moves that may follow (action, level); () for a final or unknown state."""
    return NEXT_MOVES.get((action, level or ""), ())


def may_follow(prev: Move, nxt: Move) -> bool:
    return nxt in NEXT_MOVES.get(prev, ())
