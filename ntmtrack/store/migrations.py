"""The register's schema, as named migrations applied in order (sqlite-utils `Migrations`).

Migrations are never renamed or edited once released: a register records the names it has
applied, and a name this version does not know means a newer ntmtrack wrote the file.
Imports sqlite_utils; only store/connection.py imports this module, and only to migrate.
"""

from __future__ import annotations

from sqlite_utils import Migrations

MIGRATION_SET = "ntmtrack"
migrations = Migrations(MIGRATION_SET)

# Frozen copies: a released migration never changes because live code did.
_KINDS = ", ".join(f"'{k}'" for k in (
    "province", "district", "cluster", "commune", "town", "ward", "village", "household_group"))
_M004_INDICATOR_SEGMENTS = """
    SELECT unit_id, indicator,
           total(CASE WHEN c = 0 OR (c = 1 AND kind = 'set') THEN value END) AS value,
           max(date) AS date
    FROM (
      SELECT o.id, o.unit_id, o.indicator, o.kind, o.value, o.date,
             sum(o.kind = 'set') OVER (PARTITION BY o.indicator, o.unit_id
                                       ORDER BY o.date DESC, o.id DESC ROWS UNBOUNDED PRECEDING) AS c
      FROM observation o
      WHERE {where} AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
    GROUP BY indicator, unit_id"""


def _run(db, *statements: str) -> None:
    # One statement at a time: executescript() would COMMIT the surrounding transaction.
    for sql in statements:
        db.execute(sql)


@migrations(name="m001_foundation")
def m001_foundation(db) -> None:
    _run(
        db,
        """CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE criteria_set (
            code TEXT PRIMARY KEY CHECK (code GLOB '[a-z0-9]*' AND code NOT GLOB '*[^a-z0-9-]*'),
            decision TEXT,
            title_vi TEXT NOT NULL,
            title_en TEXT NOT NULL,
            date TEXT,
            effective TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('shipped', 'imported')),
            content_hash TEXT NOT NULL,
            document TEXT NOT NULL,
            imported_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE criteria_group (
            criteria_set TEXT NOT NULL REFERENCES criteria_set(code) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name_vi TEXT NOT NULL,
            name_en TEXT,
            PRIMARY KEY (criteria_set, code)
        ) STRICT""",
        """CREATE TABLE criterion (
            criteria_set TEXT NOT NULL REFERENCES criteria_set(code) ON DELETE CASCADE,
            number INTEGER NOT NULL CHECK (number > 0),
            name_vi TEXT NOT NULL,
            name_en TEXT NOT NULL,
            group_code TEXT,
            confidence TEXT,
            PRIMARY KEY (criteria_set, number)
        ) STRICT""",
        """CREATE TABLE criterion_indicator (
            criteria_set TEXT NOT NULL,
            criterion INTEGER NOT NULL,
            id TEXT NOT NULL,
            name_vi TEXT NOT NULL,
            name_en TEXT,
            confidence TEXT,
            PRIMARY KEY (criteria_set, id),
            FOREIGN KEY (criteria_set, criterion)
                REFERENCES criterion(criteria_set, number) ON DELETE CASCADE
        ) STRICT""",
        f"""CREATE TABLE unit (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(name) > 0),
            kind TEXT NOT NULL CHECK (kind IN ({_KINDS})),
            parent_id INTEGER REFERENCES unit(id),
            code TEXT,
            code_edition TEXT NOT NULL DEFAULT '',
            folded TEXT NOT NULL,
            sort_key TEXT NOT NULL,
            active_until TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (code, code_edition)
        ) STRICT""",
        "CREATE INDEX unit_folded ON unit(folded)",
        "CREATE INDEX unit_parent ON unit(parent_id)",
        """CREATE TABLE unit_alias (
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            alias TEXT NOT NULL,
            folded TEXT NOT NULL,
            PRIMARY KEY (unit_id, folded)
        ) STRICT""",
        "CREATE INDEX unit_alias_folded ON unit_alias(folded)",
        """CREATE TABLE unit_lineage (
            id INTEGER PRIMARY KEY,
            predecessor_id INTEGER NOT NULL REFERENCES unit(id),
            successor_id INTEGER NOT NULL REFERENCES unit(id),
            date TEXT NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('merge', 'rename', 'split')),
            UNIQUE (predecessor_id, successor_id, event)
        ) STRICT""",
    )


def known_names() -> list[str]:
    return [m.name for m in migrations._migrations]


@migrations(name="m002_plans")
def m002_plans(db) -> None:
    _run(
        db,
        """CREATE TABLE indicator (
            code TEXT PRIMARY KEY CHECK (code GLOB '[a-z0-9]*' AND code NOT GLOB '*[^a-z0-9-]*'),
            name TEXT NOT NULL,
            measure TEXT,
            direction TEXT NOT NULL DEFAULT 'up' CHECK (direction IN ('up', 'down')),
            rollup TEXT NOT NULL DEFAULT 'sum' CHECK (rollup IN ('sum', 'mean', 'none')),
            created_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE plan (
            id TEXT PRIMARY KEY CHECK (id GLOB '[a-z0-9]*' AND id NOT GLOB '*[^a-z0-9-]*'),
            title TEXT NOT NULL,
            reference TEXT,
            issued_by TEXT,
            criteria_set TEXT REFERENCES criteria_set(code),
            start TEXT NOT NULL,
            "end" TEXT NOT NULL,
            report_every TEXT,
            note TEXT,
            document TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT,
            imported_at TEXT NOT NULL
        ) STRICT""",
        """CREATE TABLE plan_target (
            id INTEGER PRIMARY KEY,
            plan TEXT NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            kind TEXT NOT NULL CHECK (kind IN ('criteria', 'level', 'increase')),
            criteria_set TEXT REFERENCES criteria_set(code),
            criteria TEXT,
            indicator TEXT REFERENCES indicator(code),
            amount REAL,
            baseline REAL,
            by TEXT NOT NULL,
            milestones TEXT,
            CHECK ((kind = 'criteria') = (criteria IS NOT NULL AND indicator IS NULL))
        ) STRICT""",
        "CREATE INDEX plan_target_plan ON plan_target(plan)",
        "CREATE INDEX plan_target_unit ON plan_target(unit_id)",
    )


@migrations(name="m003_observations")
def m003_observations(db) -> None:
    _run(
        db,
        """CREATE TABLE observation (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            criteria_set TEXT REFERENCES criteria_set(code),
            criterion INTEGER,
            indicator TEXT REFERENCES indicator(code),
            kind TEXT NOT NULL CHECK (kind IN ('met', 'unmet', 'set', 'add', 'recognized', 'void')),
            value REAL,
            decision TEXT,
            voids INTEGER REFERENCES observation(id),
            date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            recorded_at TEXT NOT NULL,
            by TEXT NOT NULL,
            source TEXT NOT NULL,
            note TEXT,
            fingerprint TEXT,
            FOREIGN KEY (criteria_set, criterion) REFERENCES criterion(criteria_set, number),
            CHECK ((kind IN ('met', 'unmet')) = (criterion IS NOT NULL)),
            CHECK ((kind IN ('set', 'add')) = (indicator IS NOT NULL AND value IS NOT NULL)),
            CHECK ((kind = 'void') = (voids IS NOT NULL)),
            CHECK (kind != 'recognized' OR decision IS NOT NULL)
        ) STRICT""",
        "CREATE INDEX observation_unit ON observation(unit_id, date)",
        "CREATE INDEX observation_criterion ON observation(criteria_set, criterion, unit_id, date)"
        " WHERE criterion IS NOT NULL",
        "CREATE INDEX observation_indicator ON observation(indicator, unit_id, date)"
        " WHERE indicator IS NOT NULL",
        "CREATE INDEX observation_voids ON observation(voids) WHERE voids IS NOT NULL",
        "CREATE UNIQUE INDEX observation_fingerprint ON observation(fingerprint)"
        " WHERE fingerprint IS NOT NULL",
        # The register is a record: observations are appended, never changed or removed.
        """CREATE TRIGGER observation_append_only_update BEFORE UPDATE ON observation
           BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
        """CREATE TRIGGER observation_append_only_delete BEFORE DELETE ON observation
           BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
    )


@migrations(name="m004_current_state")
def m004_current_state(db) -> None:
    # The latest live verdict per unit and criterion, kept up to date by every append
    # (store/observations.py). Reports read it for today and for any key whose latest verdict
    # is not after the as-of day; older days seek the observation index per key. A national
    # register's status reads ~100,000 rows here instead of ranking millions of observations.
    _run(
        db,
        """CREATE TABLE criterion_state (
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            criteria_set TEXT NOT NULL,
            criterion INTEGER NOT NULL,
            observation_id INTEGER NOT NULL REFERENCES observation(id),
            kind TEXT NOT NULL CHECK (kind IN ('met', 'unmet')),
            date TEXT NOT NULL,
            PRIMARY KEY (unit_id, criteria_set, criterion),
            FOREIGN KEY (criteria_set, criterion) REFERENCES criterion(criteria_set, number)
        ) STRICT, WITHOUT ROWID""",
        """INSERT INTO criterion_state (unit_id, criteria_set, criterion, observation_id, kind, date)
           SELECT unit_id, criteria_set, criterion, id, kind, date FROM (
             SELECT o.id, o.unit_id, o.criteria_set, o.criterion, o.kind, o.date,
                    row_number() OVER (PARTITION BY o.unit_id, o.criteria_set, o.criterion
                                       ORDER BY o.date DESC, o.id DESC) AS rank
             FROM observation o WHERE o.criterion IS NOT NULL
               AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
           WHERE rank = 1""",
        "CREATE INDEX observation_recognized ON observation(unit_id, date) WHERE kind = 'recognized'",
        # Each unit's own current value of each indicator: the last level set plus the
        # increases after it, as of its latest live observation (`date`).
        """CREATE TABLE indicator_state (
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            indicator TEXT NOT NULL REFERENCES indicator(code),
            value REAL NOT NULL,
            date TEXT NOT NULL,
            PRIMARY KEY (indicator, unit_id)
        ) STRICT, WITHOUT ROWID""",
        "INSERT INTO indicator_state (unit_id, indicator, value, date) "
        + _M004_INDICATOR_SEGMENTS.format(where="o.indicator IS NOT NULL"),
    )



@migrations(name="m005_views")
def m005_views(db) -> None:
    # Read-only views for other tools (Datasette, a spreadsheet's ODBC, the sqlite3 shell):
    # the current state with readable names. `ntmtrack db datasette-metadata` describes them.
    _run(
        db,
        """CREATE VIEW current_criteria AS
           SELECT u.name AS unit, u.code AS unit_code, u.kind AS unit_kind,
                  s.criteria_set, s.criterion, c.name_vi AS criterion_name_vi,
                  c.name_en AS criterion_name_en, s.kind = 'met' AS met, s.date AS verdict_date,
                  s.observation_id, s.unit_id
           FROM criterion_state s JOIN unit u ON u.id = s.unit_id
           JOIN criterion c ON c.criteria_set = s.criteria_set AND c.number = s.criterion""",
        """CREATE VIEW current_indicators AS
           SELECT u.name AS unit, u.code AS unit_code, u.kind AS unit_kind, s.indicator,
                  i.name AS indicator_name, i.measure, s.value, s.date AS last_date, s.unit_id
           FROM indicator_state s JOIN unit u ON u.id = s.unit_id
           JOIN indicator i ON i.code = s.indicator""",
        """CREATE VIEW target_status AS
           SELECT t.plan, u.name AS unit, u.code AS unit_code, t.criteria_set,
                  json_array_length(t.criteria) AS criteria_wanted,
                  (SELECT count(*) FROM json_each(t.criteria) w JOIN criterion_state s
                     ON s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
                    AND s.criterion = w.value AND s.kind = 'met') AS criteria_met,
                  t.by AS target_date, t.unit_id
           FROM plan_target t JOIN unit u ON u.id = t.unit_id
           WHERE t.kind = 'criteria'""",
        """CREATE VIEW laggards AS
           SELECT plan, unit, unit_code, criteria_set, criteria_wanted, criteria_met, target_date,
                  'overdue' AS reason, unit_id
           FROM target_status
           WHERE target_date < date('now') AND criteria_met < criteria_wanted""",
    )
