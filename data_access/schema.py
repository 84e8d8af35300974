"""The GridSight store: one SQLAlchemy Core schema, portable across SQLite and PostgreSQL 15.

Conventions
- Every timestamp is a `UtcDateTime`: stored in UTC (PostgreSQL `timestamptz`; SQLite an ISO
  string in UTC) and always returned timezone-aware. Pages convert to Asia/Shanghai for display.
- `report_date` / `close_date` are the *local* (Asia/Shanghai) calendar days of the event, kept
  as columns so day and month grouping is plain, index-friendly SQL on both databases.
- Boundaries are WKT text in EPSG:4326 (no PostGIS needed); bounding boxes and centroids are
  stored beside them so points can be pre-filtered without geometry functions.
- Events carry the ids of every level above them (micro-grid, grid, village, town) so that
  filtering by a unit is one indexed column, not a chain of joins.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 1


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always handed back timezone-aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: GridSight stores only zone-aware times")
        value = value.astimezone(dt.UTC)
        # SQLite has no zone type: store the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

# Levels an event can be at, lowest first. Used in event_steps.from_level / to_level.
LEVELS = ("micro_grid", "grid", "village", "town", "county", "department")

# --- hierarchy -------------------------------------------------------------------------------

admin_units = Table(
    "admin_units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("level", String(16), nullable=False),  # county | town | village
    Column("kind", String(16), nullable=False),  # county | town | street | village | community
    Column("parent_id", Integer, ForeignKey("admin_units.id"), nullable=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("boundary_wkt", Text, nullable=False),
    Column("centroid_lon", Float, nullable=False),
    Column("centroid_lat", Float, nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("area_km2", Float, nullable=False),
    Index("ix_admin_units_level_parent", "level", "parent_id"),
)

grids = Table(
    "grids",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("village_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("households", Integer, nullable=False),
    Column("residents", Integer, nullable=False),
    Column("boundary_wkt", Text, nullable=False),
    Column("centroid_lon", Float, nullable=False),
    Column("centroid_lat", Float, nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("area_km2", Float, nullable=False),
    Index("ix_grids_village", "village_id"),
    Index("ix_grids_town", "town_id"),
)

micro_grids = Table(
    "micro_grids",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("grid_id", Integer, ForeignKey("grids.id"), nullable=False),
    Column("village_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("households", Integer, nullable=False),
    Column("residents", Integer, nullable=False),
    Column("boundary_wkt", Text, nullable=False),
    Column("centroid_lon", Float, nullable=False),
    Column("centroid_lat", Float, nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("area_km2", Float, nullable=False),
    Index("ix_micro_grids_grid", "grid_id"),
    Index("ix_micro_grids_village", "village_id"),
    Index("ix_micro_grids_town", "town_id"),
)

# --- organisation ----------------------------------------------------------------------------

departments = Table(
    "departments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("name_en", String(96), nullable=False),
    Column("level", String(16), nullable=False),  # county | town
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=True),  # for town-level ones
    Column("line_of_business", String(32), nullable=False),  # category code it mostly serves
)

workers = Table(
    "workers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(32), nullable=False),
    Column("gender", String(1), nullable=False),  # M | F
    Column("birth_date", Date, nullable=False),
    # postgraduate | junior_college | high_school_or_below  (the shares DOMAIN.md publishes)
    Column("education", String(24), nullable=False),
    Column("employment_type", String(16), nullable=False),  # full_time | part_time | departmental
    # grid_head | full_time_worker | part_time_worker | micro_grid_head | professional_worker
    Column("role", String(24), nullable=False),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("village_id", Integer, ForeignKey("admin_units.id"), nullable=True),
    Column("grid_id", Integer, ForeignKey("grids.id"), nullable=True),
    Column("micro_grid_id", Integer, ForeignKey("micro_grids.id"), nullable=True),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=True),
    Column("hired_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("phone", String(20), nullable=False),  # stored whole; every query masks it
    Index("ix_workers_town", "town_id"),
    Index("ix_workers_grid", "grid_id"),
)

# --- reference lists -------------------------------------------------------------------------

event_categories = Table(
    "event_categories",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(32), nullable=False),
    Column("name_en", String(64), nullable=False),
    Column("sort_order", SmallInteger, nullable=False),
)

event_item_types = Table(
    "event_item_types",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("category_code", String(32), ForeignKey("event_categories.code"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("name_en", String(96), nullable=False),
    # Trivial items are quick to "solve" and so are the favourite of padding.
    Column("trivial", Boolean, nullable=False),
    Column("default_urgency", String(16), nullable=False),
)

# --- events ----------------------------------------------------------------------------------

# Sources of the grid workers' own reports; the other two reach the county centre first.
GRID_SOURCES = ("patrol", "household_visit", "resident_call")
EVENT_SOURCES = (*GRID_SOURCES, "camera_alert", "hotline_12345")
URGENCIES = ("emergency", "urgent", "ordinary")
# Open statuses first; `closed` and `filed` are final.
EVENT_STATUSES = (
    "reported",
    "accepted",
    "dispatched",
    "handling",
    "completed",
    "verified",
    "closed",
    "filed",
)
FINAL_STATUSES = ("closed", "filed")
QUALITY_GRADES = ("unqualified", "qualified", "excellent")

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),  # id in the source platform
    Column("category_code", String(32), ForeignKey("event_categories.code"), nullable=False),
    Column("item_type_code", String(32), ForeignKey("event_item_types.code"), nullable=False),
    Column("source", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("micro_grid_id", Integer, ForeignKey("micro_grids.id"), nullable=True),
    Column("grid_id", Integer, ForeignKey("grids.id"), nullable=True),
    Column("village_id", Integer, ForeignKey("admin_units.id"), nullable=True),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=True),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("report_date", Date, nullable=False),  # local (Asia/Shanghai) day of reported_at
    Column("reported_by", Integer, ForeignKey("workers.id"), nullable=True),  # None: not a worker
    Column("deadline", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    # Highest level that handled it: grid | village | town | county | department
    Column("handled_level", String(16), nullable=True),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=True),
    # Recorded but outside the closure rate (事件报备).
    Column("filing_only", Boolean, nullable=False, default=False),
    Column("quality_grade", String(16), nullable=True),
    Column("satisfaction", SmallInteger, nullable=True),  # resident's rating 1..5
    Column("completed_at", UtcDateTime, nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("close_date", Date, nullable=True),  # local day of closed_at
    Column("escalations", SmallInteger, nullable=False, default=0),
    Column("returns", SmallInteger, nullable=False, default=0),
    Column("rejections", SmallInteger, nullable=False, default=0),
    Index("ix_events_report_date", "report_date"),
    Index("ix_events_town_date", "town_id", "report_date"),
    Index("ix_events_village_date", "village_id", "report_date"),
    Index("ix_events_micro_grid", "micro_grid_id"),
    Index("ix_events_grid", "grid_id"),
    Index("ix_events_status_deadline", "status", "deadline"),
    Index("ix_events_category_date", "category_code", "report_date"),
    Index("ix_events_department", "department_id"),
    Index("ix_events_reported_by", "reported_by", "report_date"),
    Index("ix_events_close_date", "close_date"),
    # The live parts: the newest events, and the backlog at a moment (open, or closed after it).
    Index("ix_events_reported_at", "reported_at"),
    Index("ix_events_closed_at", "closed_at"),
)

STEP_ACTIONS = (
    "report",
    "accept",
    "register",
    "dispatch",
    "handle",
    "escalate",
    "return",
    "complete",
    "verify",
    "reject",
    "close",
    "file",
)

event_steps = Table(
    "event_steps",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("seq", SmallInteger, nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_level", String(16), nullable=True),
    Column("from_unit_id", Integer, nullable=True),  # id in the table its level names
    Column("to_level", String(16), nullable=True),
    Column("to_unit_id", Integer, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_worker_id", Integer, ForeignKey("workers.id"), nullable=True),
    Column("actor", String(64), nullable=True),  # free text for non-worker actors
    UniqueConstraint("event_id", "seq", name="uq_event_steps_event_seq"),
    Index("ix_event_steps_action_at", "action", "at"),
)

# --- patrols and ratings ---------------------------------------------------------------------

patrol_checkins = Table(
    "patrol_checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("worker_id", Integer, ForeignKey("workers.id"), nullable=False),
    Column("grid_id", Integer, ForeignKey("grids.id"), nullable=True),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("checkin_date", Date, nullable=False),  # local day
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Index("ix_checkins_date_worker", "checkin_date", "worker_id"),
    Index("ix_checkins_worker_at", "worker_id", "at"),
    Index("ix_checkins_grid_at", "grid_id", "at"),  # a silent grid's last check-in: one lookup
)

department_ratings = Table(
    "department_ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False),
    Column("month", Date, nullable=False),  # first day of the month
    Column("score", Float, nullable=False),  # 0..100
    Column("comment", Text, nullable=True),
    UniqueConstraint("town_id", "department_id", "month", name="uq_department_ratings"),
)

# --- assessment rules as data ----------------------------------------------------------------

assessment_rules = Table(
    "assessment_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ruleset", String(32), nullable=False),  # as_practised | reformed | ...
    Column("key", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(16), nullable=False, default=""),
    Column("description", Text, nullable=False),
    Column("description_en", Text, nullable=False),
    UniqueConstraint("ruleset", "key", name="uq_assessment_rules"),
)

# --- access control and audit ----------------------------------------------------------------

ROLES = ("duty", "leader", "planner", "town", "admin", "wall")  # wall: the read-only wall screen (大屏)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),  # argon2id; never the password
    Column("role", String(16), nullable=False),
    Column("town_id", Integer, ForeignKey("admin_units.id"), nullable=True),  # required for role town
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_attempts", SmallInteger, nullable=False, default=0),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64), nullable=False),  # as typed, also for failed logins
    # login_ok | login_failed | login_locked | logout | page_view | export | denied | ... (audit.ACTIONS)
    Column("action", String(16), nullable=False),
    Column("page", String(64), nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_log_at", "at"),
)

# Sign-ins that outlive a browser tab (issue #18, finding 12): the browser keeps a random token in an
# HttpOnly cookie, the store only its SHA-256. Revoked on sign-out (one row) or "sign out everywhere"
# (every row of the user); a tab whose row is revoked is signed out on its next run.
login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # created_at + the session limit, never extended
    Column("last_seen_at", UtcDateTime, nullable=False),  # for the idle limit across tabs
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("client", String(64), nullable=True),  # address at sign-in, for the audit view
    Index("ix_login_sessions_user", "username"),
)

# Browsers that have signed in as an account before (issue #18, finding 3): their device cookie
# lets the owner in while strangers have the account locked out, and its own failures (not the
# account's) count against it. OWASP's "device cookie" defence against lock-out abuse.
known_devices = Table(
    "known_devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("failures", SmallInteger, nullable=False, default=0),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_known_devices_user", "username"),
)

# Integrity review (issue #16): a reviewer's decision on one integrity signal of one worker in one
# month. Events under a strong flag stay out of the quantity part, and the worker's consequences
# wait, until the reviewer clears it (data_access/integrity_review.py). Rows are only added: the
# newest row of a (worker, month, signal) is the decision in force. Created on first use, like
# the access tables.
REVIEW_DECISIONS = ("cleared", "upheld")
integrity_reviews = Table(
    "integrity_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("worker_id", Integer, nullable=False),
    Column("month", Date, nullable=False),  # first day of the ranked month
    Column("signal", String(32), nullable=False),  # integrity.WORKER_SIGNALS
    Column("decision", String(16), nullable=False),  # REVIEW_DECISIONS
    Column("reviewer", String(64), nullable=False),  # username
    Column("decided_at", UtcDateTime, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Index("ix_integrity_reviews_month", "month", "worker_id"),
)

# --- provenance ------------------------------------------------------------------------------

# Ground truth of the failure modes the sample generator planted. Only tests read it: the
# dashboard's detectors must find these from events, steps and check-ins alone.
planted_patterns = Table(
    "planted_patterns",
    metadata,
    Column("id", Integer, primary_key=True),
    # gaming: padding | near_duplicates | empty_patrol | filtering | slow_department | returning_department |
    # rating_mismatch; control: control_on_the_spot | control_recurring_spot | control_busy | control_noisy_gps
    Column("pattern", String(32), nullable=False),
    Column("subject_type", String(16), nullable=False),  # worker | village | department
    Column("subject_id", Integer, nullable=False),
    Column("detail", Text, nullable=False, default=""),  # the drawn parameters, in words
    # 'gaming': a planted failure a signal should find; 'control': honest but unusual, must not be flagged
    Column("kind", String(16), nullable=False, default="gaming", server_default="gaming"),
    # the variation within the pattern, e.g. padding.spread_day, control.on_the_spot (docs/INTEGRITY.md)
    Column("family", String(48), nullable=False, default="", server_default=""),
    Index("ix_planted_pattern", "pattern"),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# The shape of the hierarchy: which levels the store has and what they are called there
# (data_access.levels). One row per level present, top first; a store without the table (built
# before it) or with no rows has T county's five levels (levels.DEFAULT_LEVELS).
unit_levels = Table(
    "unit_levels",
    metadata,
    Column("level", String(16), primary_key=True),  # county | town | village | grid | micro_grid
    Column("sort_order", SmallInteger, nullable=False),  # 1 = top
    Column("name", String(32), nullable=False),  # e.g. 管区 for the village level of H district
    Column("name_en", String(64), nullable=False),
    Column("plural_en", String(64), nullable=False),
)

# Tables a store must hold to be shown. The access tables (and the review decisions) are created on
# first use instead, so a store generated or imported before them still opens; so is the level
# table (defaults apply).
ACCESS_TABLES = (users, audit_log, login_sessions, known_devices, integrity_reviews)
OPTIONAL_TABLES = (unit_levels,)
REQUIRED_TABLES = tuple(t for t in metadata.sorted_tables if t not in ACCESS_TABLES + OPTIONAL_TABLES)
