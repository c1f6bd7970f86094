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


# -- m006: the views agree with the CLI for today --------------------------------------------
# Frozen like the rest: these statements restate, in SQL, the rules the reports held when
# m006 was written (reports/scope.py, targets.py, status.py, laggards.py, progress.py,
# state.py). "Today" is the local date, as `date.today()` is for the CLI. Every computed
# column is CAST, so it has a type: Datasette's `?met=1` (the value arrives as text '1')
# matches integer columns.

_M006_CURRENT_CRITERIA = """CREATE VIEW current_criteria AS
    SELECT u.name AS unit, u.code AS unit_code, u.kind AS unit_kind,
           s.criteria_set, s.criterion, c.name_vi AS criterion_name_vi,
           c.name_en AS criterion_name_en, CAST(s.kind = 'met' AS INTEGER) AS met,
           s.date AS verdict_date, s.observation_id, s.unit_id
    FROM criterion_state s JOIN unit u ON u.id = s.unit_id
    JOIN criterion c ON c.criteria_set = s.criteria_set AND c.number = s.criterion"""

# A verdict as of today: criterion_state's when dated on or before today, else the latest
# live verdict of that key up to today (an observation dated later, recorded in another zone).
_M006_MET_TODAY = """CASE WHEN s.date <= today.day THEN s.kind = 'met' ELSE coalesce((
                    SELECT x.kind = 'met' FROM observation x
                    WHERE x.criteria_set = s.criteria_set AND x.criterion = s.criterion
                      AND x.unit_id = s.unit_id AND x.date <= today.day
                      AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                    ORDER BY x.date DESC, x.id DESC LIMIT 1), 0) END"""

# One row per criteria target of every plan, as `status --plan` judges it today.
# criteria_met: the unit's criteria of the set met (status's criteria_met); wanted_met: those
# of the target's criteria met; baseline: those met on the plan's start; expected: linear
# from (start, baseline) to (deadline, wanted) (pace.py); state: merged (the unit was merged
# away on or before today), recognized (its latest recognition is under the target's set),
# meets_all, target_met, else overdue (deadline passed), behind (below 0.8 × the progress
# expected, the default --threshold), on_track.
_M006_TARGET_STATUS = f"""CREATE VIEW target_status AS
WITH RECURSIVE
  today(day) AS (SELECT date('now', 'localtime')),
  last_deadline(plan, day) AS (SELECT plan, max(by) FROM plan_target GROUP BY plan),
  path(unit_id, up, path) AS (
    SELECT u.id, u.parent_id, u.name FROM unit u
    WHERE u.id IN (SELECT unit_id FROM plan_target WHERE kind = 'criteria')
    UNION ALL
    SELECT p.unit_id, a.parent_id, a.name || '/' || p.path FROM path p JOIN unit a ON a.id = p.up),
  counted AS (
    SELECT t.id AS target_id, t.plan, t.seq, t.unit_id, t.criteria_set, t.criteria, t.by,
           p.start, today.day, u.name AS unit, u.code AS unit_code, u.kind AS unit_kind,
           (SELECT count(DISTINCT w.value) FROM json_each(t.criteria) w) AS wanted,
           (SELECT count(*) FROM criterion c WHERE c.criteria_set = t.criteria_set) AS total,
           (SELECT count(*) FROM criterion_state s
            WHERE s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
              AND {_M006_MET_TODAY}) AS met,
           (SELECT count(*) FROM criterion_state s
            WHERE s.unit_id = t.unit_id AND s.criteria_set = t.criteria_set
              AND s.criterion IN (SELECT w.value FROM json_each(t.criteria) w)
              AND {_M006_MET_TODAY}) AS wanted_met,
           (SELECT count(*) FROM (SELECT DISTINCT w.value AS number FROM json_each(t.criteria) w) w
            WHERE (SELECT x.kind FROM observation x
                   WHERE x.criteria_set = t.criteria_set AND x.criterion = w.number
                     AND x.unit_id = t.unit_id AND x.date <= p.start
                     AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                   ORDER BY x.date DESC, x.id DESC LIMIT 1) = 'met') AS baseline,
           coalesce((SELECT r.criteria_set = t.criteria_set FROM observation r
                     WHERE r.unit_id = t.unit_id AND r.kind = 'recognized' AND r.date <= today.day
                       AND r.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                     ORDER BY r.date DESC, r.id DESC LIMIT 1), 0) AS recognized,
           (u.active_until IS NULL OR u.active_until > today.day) AS active,
           (p.start <= today.day AND today.day <= max(p."end", d.day)) AS in_force
    FROM plan_target t JOIN plan p ON p.id = t.plan JOIN last_deadline d ON d.plan = p.id
    JOIN unit u ON u.id = t.unit_id, today
    WHERE t.kind = 'criteria'
    LIMIT -1 OFFSET 0),
  paced AS (
    SELECT c.*, CASE
             WHEN c.day <= c.start THEN c.baseline
             WHEN c.day >= c.by THEN c.baseline + 1.0 * (c.wanted - c.baseline)
             ELSE c.baseline + ((julianday(c.day) - julianday(c.start))
                                / (julianday(c.by) - julianday(c.start))) * (c.wanted - c.baseline)
           END AS expected
    FROM counted c)
SELECT CAST(c.plan AS TEXT) AS plan, CAST(c.unit AS TEXT) AS unit,
       CAST(c.unit_code AS TEXT) AS unit_code, CAST(c.criteria_set AS TEXT) AS criteria_set,
       CAST(c.wanted AS INTEGER) AS criteria_wanted, CAST(c.met AS INTEGER) AS criteria_met,
       CAST(c.by AS TEXT) AS target_date, CAST(c.unit_id AS INTEGER) AS unit_id,
       CAST(c.target_id AS INTEGER) AS target_id, CAST(path.path AS TEXT) AS unit_path,
       CAST(c.unit_kind AS TEXT) AS unit_kind,
       CAST((SELECT group_concat(w.value, ' ') FROM json_each(c.criteria) w) AS TEXT) AS criteria,
       CAST(c.total AS INTEGER) AS criteria_total, CAST(c.wanted_met AS INTEGER) AS wanted_met,
       CAST(c.recognized AS INTEGER) AS recognized,
       CAST(CASE
         WHEN NOT c.active THEN 'merged'
         WHEN c.recognized THEN 'recognized'
         WHEN c.met >= c.total THEN 'meets_all'
         WHEN c.wanted_met >= c.wanted THEN 'target_met'
         WHEN c.day > c.by THEN 'overdue'
         WHEN c.wanted_met - c.baseline < 0 THEN 'behind'
         WHEN c.expected - c.baseline > 0
              AND c.wanted_met - c.baseline < 0.8 * (c.expected - c.baseline) - 1e-9 THEN 'behind'
         ELSE 'on_track' END AS TEXT) AS state,
       CAST(c.baseline AS INTEGER) AS baseline, CAST(round(c.expected, 4) AS REAL) AS expected,
       CAST(julianday(c.by) - julianday(c.day) AS INTEGER) AS days_left,
       CAST(c.active AS INTEGER) AS active, CAST(c.in_force AS INTEGER) AS plan_in_force
FROM paced c LEFT JOIN path ON path.unit_id = c.unit_id AND path.up IS NULL
ORDER BY c.plan, c.seq, c.target_id"""

# The rows `ntmtrack laggards` gives today with reason `overdue`: targets of plans in force
# (started, not past their end or last deadline) on units active today, past their deadline
# short of the goal. Criteria targets come from target_status. Indicator targets follow
# reports/progress.py: a unit's value is its own (the last level set plus the increases after
# it), else its children's combined by the indicator's roll-up — `sum`: the own values of the
# nearest valued descendants; `mean`: each own value weighted by 1 / (valued children) at
# every level it climbs, which is the mean of the children's means; `none`: no roll-up.
# Baseline: the target's, else the value on the plan's start, else 0 for `up` and for any
# increase, else (a `down` level) the unit's value — own or rolled up — on the first day inside
# the plan with an observation of it or below it (none yet: no baseline, and the target is
# overdue once its deadline passes unless its value meets the goal). Goal: the amount, plus
# the baseline for an increase. A plan with two targets of one indicator on one unit
# (two `metrics` entries) is judged, as progress.py judges it, by the later one only.
_M006_LAGGARDS = """CREATE VIEW laggards AS
WITH RECURSIVE
  today(day) AS (SELECT date('now', 'localtime')),
  last_deadline(plan, day) AS (SELECT plan, max(by) FROM plan_target GROUP BY plan),
  goal_target AS (
    SELECT t.id AS target_id, t.plan, t.unit_id, t.kind, t.indicator, t.amount,
           t.baseline AS given_baseline, t.by, p.start, p."end" AS plan_end, today.day,
           coalesce(i.direction, 'up') AS direction, coalesce(i.rollup, 'sum') AS rollup
    FROM plan_target t JOIN plan p ON p.id = t.plan JOIN last_deadline d ON d.plan = p.id
    JOIN unit u ON u.id = t.unit_id LEFT JOIN indicator i ON i.code = t.indicator, today
    WHERE t.kind != 'criteria' AND p.start <= today.day AND today.day <= max(p."end", d.day)
      AND (u.active_until IS NULL OR u.active_until > today.day)
      -- two targets of one plan on one unit and indicator: the CLI judges the later one only
      AND NOT EXISTS (SELECT 1 FROM plan_target z
                      WHERE z.unit_id = t.unit_id AND z.plan = t.plan AND z.kind != 'criteria'
                        AND z.indicator = t.indicator
                        AND (z.seq > t.seq OR (z.seq = t.seq AND z.id > t.id)))),
  -- a `down` level target without a baseline: the first day inside the plan with an
  -- observation of its unit or of a unit below it
  family(target_id, unit_id) AS (
    SELECT target_id, unit_id FROM goal_target
    WHERE direction = 'down' AND kind != 'increase' AND given_baseline IS NULL
    UNION ALL
    SELECT f.target_id, u.id FROM family f JOIN unit u ON u.parent_id = f.unit_id),
  first_day(target_id, day) AS (
    SELECT f.target_id, min(y.date) FROM family f JOIN goal_target g ON g.target_id = f.target_id
    JOIN observation y ON y.unit_id = f.unit_id AND y.indicator = g.indicator
    WHERE y.date BETWEEN g.start AND min(g.plan_end, g.day)
      AND y.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
    GROUP BY f.target_id),
  days(day) AS (SELECT day FROM today UNION SELECT start FROM goal_target
                UNION SELECT day FROM first_day WHERE day IS NOT NULL),
  codes(code, rollup) AS (SELECT DISTINCT indicator, rollup FROM goal_target),
  own(day, indicator, unit_id, value) AS (
    SELECT d.day, s.indicator, s.unit_id, s.value
    FROM days d JOIN indicator_state s ON s.date <= d.day
    WHERE s.indicator IN (SELECT code FROM codes)
    UNION ALL
    SELECT day, indicator, unit_id,
           total(CASE WHEN c = 0 OR (c = 1 AND kind = 'set') THEN value END)
    FROM (SELECT d.day, o.indicator, o.unit_id, o.kind, o.value,
                 sum(o.kind = 'set') OVER (PARTITION BY d.day, o.indicator, o.unit_id
                                           ORDER BY o.date DESC, o.id DESC
                                           ROWS UNBOUNDED PRECEDING) AS c
          FROM days d CROSS JOIN indicator_state s CROSS JOIN observation o
          WHERE s.indicator IN (SELECT code FROM codes) AND s.date > d.day
            AND o.indicator = s.indicator AND o.unit_id = s.unit_id AND o.date <= d.day
            AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
    GROUP BY day, indicator, unit_id),
  valued(day, indicator, unit_id) AS (
    SELECT day, indicator, unit_id FROM own
    UNION
    SELECT v.day, v.indicator, u.parent_id FROM valued v JOIN unit u ON u.id = v.unit_id
    WHERE u.parent_id IS NOT NULL
      AND v.indicator IN (SELECT code FROM codes WHERE rollup != 'none')),
  parts(day, indicator, unit_id, n) AS (
    SELECT v.day, v.indicator, u.parent_id, count(*) FROM valued v JOIN unit u ON u.id = v.unit_id
    WHERE u.parent_id IS NOT NULL GROUP BY v.day, v.indicator, u.parent_id),
  climb(day, indicator, unit_id, share) AS (
    SELECT o.day, o.indicator, u.parent_id,
           o.value / CASE WHEN c.rollup = 'mean' THEN n.n ELSE 1 END
    FROM own o JOIN codes c ON c.code = o.indicator AND c.rollup != 'none'
    JOIN unit u ON u.id = o.unit_id
    JOIN parts n ON n.day = o.day AND n.indicator = o.indicator AND n.unit_id = u.parent_id
    UNION ALL
    SELECT m.day, m.indicator, u.parent_id,
           m.share / CASE WHEN c.rollup = 'mean' THEN n.n ELSE 1 END
    FROM climb m JOIN codes c ON c.code = m.indicator JOIN unit u ON u.id = m.unit_id
    JOIN parts n ON n.day = m.day AND n.indicator = m.indicator AND n.unit_id = u.parent_id
    WHERE NOT EXISTS (SELECT 1 FROM own x WHERE x.day = m.day AND x.indicator = m.indicator
                                            AND x.unit_id = m.unit_id)),
  level(day, indicator, unit_id, value) AS (
    SELECT day, indicator, unit_id, value FROM own
    UNION ALL
    SELECT m.day, m.indicator, m.unit_id, sum(m.share) FROM climb m
    WHERE NOT EXISTS (SELECT 1 FROM own x WHERE x.day = m.day AND x.indicator = m.indicator
                                            AND x.unit_id = m.unit_id)
    GROUP BY m.day, m.indicator, m.unit_id),
  measured AS (
    SELECT g.*, now.value AS actual,
           coalesce(g.given_baseline, start.value,
                    CASE WHEN g.direction != 'down' OR g.kind = 'increase' THEN 0.0 END,
                    first.value) AS baseline
    FROM goal_target g
    LEFT JOIN level now ON now.day = g.day AND now.indicator = g.indicator
                       AND now.unit_id = g.unit_id
    LEFT JOIN level start ON start.day = g.start AND start.indicator = g.indicator
                         AND start.unit_id = g.unit_id
    LEFT JOIN first_day fd ON fd.target_id = g.target_id
    LEFT JOIN level first ON first.day = fd.day AND first.indicator = g.indicator
                         AND first.unit_id = g.unit_id),
  goals AS (
    SELECT m.*, CASE WHEN m.kind = 'increase'
                     THEN m.amount + coalesce(m.baseline, 0.0) ELSE m.amount END AS goal,
           CASE WHEN m.direction = 'down' THEN -1 ELSE 1 END AS sign
    FROM measured m),
  overdue_indicators AS (
    SELECT g.*, CASE WHEN g.baseline IS NULL THEN g.actual
                     ELSE coalesce(g.actual, g.baseline) END AS shown
    FROM goals g
    WHERE g.day > g.by
      AND (coalesce(g.actual, g.baseline) IS NULL
           OR g.sign * (coalesce(g.actual, g.baseline) - g.goal) < -1e-9)),
  path(unit_id, up, path) AS (
    SELECT u.id, u.parent_id, u.name FROM unit u
    WHERE u.id IN (SELECT unit_id FROM overdue_indicators)
    UNION ALL
    SELECT p.unit_id, a.parent_id, a.name || '/' || p.path FROM path p JOIN unit a ON a.id = p.up),
  found AS (
    SELECT plan, unit, unit_code, criteria_set, criteria_wanted, criteria_met, target_date,
           unit_id, target_id, unit_path, unit_kind, criteria AS target, NULL AS indicator,
           wanted_met, wanted_met AS actual, expected, criteria_wanted AS goal,
           criteria_wanted - wanted_met AS shortfall, days_left
    FROM target_status WHERE plan_in_force = 1 AND state = 'overdue'
    UNION ALL
    SELECT g.plan, u.name, u.code, NULL, NULL, NULL, g.by, g.unit_id, g.target_id, path.path,
           u.kind, g.indicator, g.indicator, NULL, round(g.shown, 4),
           CASE WHEN g.baseline IS NOT NULL
                THEN round(g.baseline + 1.0 * (g.goal - g.baseline), 4) END,
           round(g.goal, 4), round(g.sign * (round(g.goal, 4) - round(g.shown, 4)), 4),
           julianday(g.by) - julianday(g.day)
    FROM overdue_indicators g JOIN unit u ON u.id = g.unit_id
    LEFT JOIN path ON path.unit_id = g.unit_id AND path.up IS NULL)
SELECT CAST(r.plan AS TEXT) AS plan, CAST(r.unit AS TEXT) AS unit,
       CAST(r.unit_code AS TEXT) AS unit_code, CAST(r.criteria_set AS TEXT) AS criteria_set,
       CAST(r.criteria_wanted AS INTEGER) AS criteria_wanted,
       CAST(r.criteria_met AS INTEGER) AS criteria_met, CAST(r.target_date AS TEXT) AS target_date,
       CAST('overdue' AS TEXT) AS reason, CAST(r.unit_id AS INTEGER) AS unit_id,
       CAST(r.target_id AS INTEGER) AS target_id, CAST(r.unit_path AS TEXT) AS unit_path,
       CAST(r.unit_kind AS TEXT) AS unit_kind, CAST(r.target AS TEXT) AS target,
       CAST(r.indicator AS TEXT) AS indicator, CAST(r.wanted_met AS INTEGER) AS wanted_met,
       CAST(r.actual AS REAL) AS actual, CAST(r.expected AS REAL) AS expected,
       CAST(r.goal AS REAL) AS goal, CAST(r.shortfall AS REAL) AS shortfall,
       CAST(r.days_left AS INTEGER) AS days_left
FROM found r JOIN unit u ON u.id = r.unit_id
ORDER BY r.days_left, u.sort_key, r.unit_path, r.plan, r.target_id"""


@migrations(name="m006_views_agree")
def m006_views_agree(db) -> None:
    # m005's views disagreed with the CLI: laggards listed plans long ended, merged-away and
    # recognised units, counted partial targets apart from `status`, and took "today" from
    # date('now') (UTC); computed columns had no type, so `?met=1` matched nothing. Same
    # names, same first columns (users' Datasette URLs), new columns at the end.
    _run(
        db,
        "DROP VIEW IF EXISTS laggards",
        "DROP VIEW IF EXISTS target_status",
        "DROP VIEW IF EXISTS current_criteria",
        _M006_CURRENT_CRITERIA,
        _M006_TARGET_STATUS,
        _M006_LAGGARDS,
    )


# -- m007: the road after the criteria -------------------------------------------------------
# Recognition gains a level and can be revoked; a commune's dossier steps and money are
# observations like the rest (append-only, voidable, in `history`), so the observation table
# is rebuilt with new kinds and the columns they need. SQLite cannot change a CHECK in place:
# the table is copied (ids kept), and criterion_state, which references it, with it. Views
# that read it are dropped and recreated unchanged around the copy (a view naming a missing
# table blocks ALTER TABLE ... RENAME).
_M007_LEVELS = "'ntm', 'nang-cao', 'kieu-mau', 'hien-dai'"
_M007_STEPS = ", ".join(f"'{s}'" for s in (
    "registered", "self_assessed", "criteria_dossiers", "general_dossier", "submitted", "sent",
    "inspected", "appraised", "satisfaction", "council", "proposed"))
_M007_OBSERVATION = f"""CREATE TABLE observation_m007 (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    criteria_set TEXT REFERENCES criteria_set(code),
    criterion INTEGER,
    indicator TEXT REFERENCES indicator(code),
    kind TEXT NOT NULL CHECK (kind IN ('met', 'unmet', 'set', 'add', 'recognized', 'revoked',
                                       'step', 'funds', 'void')),
    value REAL,
    decision TEXT,
    voids INTEGER REFERENCES observation_m007(id),
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    recorded_at TEXT NOT NULL,
    by TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    fingerprint TEXT,
    level TEXT CHECK (level IN ({_M007_LEVELS})),
    step TEXT CHECK (step IN ({_M007_STEPS})),
    department TEXT,
    result TEXT CHECK (result IN ('passed', 'returned')),
    amount INTEGER,
    fund_kind TEXT,
    fund_source TEXT,
    project TEXT,
    FOREIGN KEY (criteria_set, criterion) REFERENCES criterion(criteria_set, number),
    CHECK ((kind IN ('met', 'unmet')) = (criterion IS NOT NULL)),
    CHECK ((kind IN ('set', 'add')) = (indicator IS NOT NULL AND value IS NOT NULL)),
    CHECK ((kind = 'void') = (voids IS NOT NULL)),
    CHECK (kind NOT IN ('recognized', 'revoked') OR (decision IS NOT NULL AND level IS NOT NULL)),
    CHECK ((kind = 'step') = (step IS NOT NULL)),
    CHECK (kind = 'step' OR (department IS NULL AND result IS NULL)),
    CHECK ((kind = 'funds') = (fund_kind IS NOT NULL AND fund_source IS NOT NULL
                               AND amount IS NOT NULL))
) STRICT"""
_M007_OBSERVATION_COLUMNS = ("id, unit_id, criteria_set, criterion, indicator, kind, value, decision,"
                             " voids, date, recorded_at, by, source, note, fingerprint")


@migrations(name="m007_road_to_recognition")
def m007_road_to_recognition(db) -> None:
    views = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid").fetchall()
    _run(db, *(f'DROP VIEW "{name}"' for name, _ in views))
    _run(
        db,
        "DROP TRIGGER observation_append_only_update",
        "DROP TRIGGER observation_append_only_delete",
        _M007_OBSERVATION,
        # Recognitions before levels were all of the NTM standard.
        f"""INSERT INTO observation_m007 ({_M007_OBSERVATION_COLUMNS}, level)
            SELECT {_M007_OBSERVATION_COLUMNS}, CASE WHEN kind = 'recognized' THEN 'ntm' END
            FROM observation ORDER BY id""",
        """CREATE TABLE criterion_state_m007 (
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            criteria_set TEXT NOT NULL,
            criterion INTEGER NOT NULL,
            observation_id INTEGER NOT NULL REFERENCES observation_m007(id),
            kind TEXT NOT NULL CHECK (kind IN ('met', 'unmet')),
            date TEXT NOT NULL,
            PRIMARY KEY (unit_id, criteria_set, criterion),
            FOREIGN KEY (criteria_set, criterion) REFERENCES criterion(criteria_set, number)
        ) STRICT, WITHOUT ROWID""",
        "INSERT INTO criterion_state_m007 SELECT * FROM criterion_state",
        # Children first: dropping a parent that rows still reference fails the foreign key.
        "DROP TABLE criterion_state",
        "DROP TABLE observation",
        "ALTER TABLE observation_m007 RENAME TO observation",
        "ALTER TABLE criterion_state_m007 RENAME TO criterion_state",
        "CREATE INDEX observation_unit ON observation(unit_id, date)",
        "CREATE INDEX observation_criterion ON observation(criteria_set, criterion, unit_id, date)"
        " WHERE criterion IS NOT NULL",
        "CREATE INDEX observation_indicator ON observation(indicator, unit_id, date)"
        " WHERE indicator IS NOT NULL",
        "CREATE INDEX observation_voids ON observation(voids) WHERE voids IS NOT NULL",
        "CREATE UNIQUE INDEX observation_fingerprint ON observation(fingerprint)"
        " WHERE fingerprint IS NOT NULL",
        "CREATE INDEX observation_recognized ON observation(unit_id, date)"
        " WHERE kind IN ('recognized', 'revoked')",
        "CREATE INDEX observation_step ON observation(unit_id, date) WHERE kind = 'step'",
        "CREATE INDEX observation_funds ON observation(unit_id, date) WHERE kind = 'funds'",
        """CREATE TRIGGER observation_append_only_update BEFORE UPDATE ON observation
           BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
        """CREATE TRIGGER observation_append_only_delete BEFORE DELETE ON observation
           BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
        # A province's appraising departments (sở, ngành) and the criteria each appraises.
        """CREATE TABLE department (
            province_id INTEGER NOT NULL REFERENCES unit(id),
            code TEXT NOT NULL CHECK (code GLOB '[a-z0-9]*' AND code NOT GLOB '*[^a-z0-9-]*'),
            name TEXT NOT NULL,
            name_en TEXT,
            seq INTEGER NOT NULL,
            PRIMARY KEY (province_id, code)
        ) STRICT""",
        """CREATE TABLE department_criterion (
            province_id INTEGER NOT NULL,
            department TEXT NOT NULL,
            criteria_set TEXT NOT NULL,
            criterion INTEGER NOT NULL,
            PRIMARY KEY (province_id, department, criteria_set, criterion),
            FOREIGN KEY (province_id, department) REFERENCES department(province_id, code)
                ON DELETE CASCADE,
            FOREIGN KEY (criteria_set, criterion) REFERENCES criterion(criteria_set, number)
        ) STRICT""",
        # Step deadlines of a target ({step: date}, JSON), for `laggards` reason dossier_late.
        "ALTER TABLE plan_target ADD COLUMN dossier TEXT",
        # A criteria set may apply to villages (a province's "thôn đạt chuẩn" set).
        "ALTER TABLE criteria_set ADD COLUMN applies_to TEXT NOT NULL DEFAULT 'commune'"
        " CHECK (applies_to IN ('commune', 'village'))",
    )
    _run(db, *(sql for _, sql in views))


# -- m008: the views follow titles and mergers ------------------------------------------------
# Frozen like the rest. m006's views counted a verdict from before a merger and took any
# latest recognition for a title; from m007 a merger takes every verdict and title away from
# the unit the merged units became (until new observations), a revocation withdraws its level
# and the levels above it, and a later recognition at a level replaces the earlier one. The
# statements are m006's with those rules added (asserted to apply), so the columns are unchanged.
_M008_BEFORE_MERGER = ("EXISTS (SELECT 1 FROM unit_lineage l WHERE l.successor_id = {unit}"
                       " AND l.event = 'merge' AND l.date > {seen} AND l.date <= {day})")
_M008_RANK = "CASE {level} WHEN 'ntm' THEN 1 WHEN 'kieu-mau' THEN 3 ELSE 2 END"


def _m008_replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


_M008_CURRENT_CRITERIA = _M006_CURRENT_CRITERIA + "\n    WHERE NOT " + _M008_BEFORE_MERGER.format(
    unit="s.unit_id", seen="s.date", day="date('now', 'localtime')")
_M008_MET_TODAY = """CASE WHEN s.date <= today.day THEN s.kind = 'met' AND NOT {fresh_s} ELSE coalesce((
                    SELECT x.kind = 'met' FROM observation x
                    WHERE x.criteria_set = s.criteria_set AND x.criterion = s.criterion
                      AND x.unit_id = s.unit_id AND x.date <= today.day
                      AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                      AND NOT {fresh_x}
                    ORDER BY x.date DESC, x.id DESC LIMIT 1), 0) END""".format(
    fresh_s=_M008_BEFORE_MERGER.format(unit="s.unit_id", seen="s.date", day="today.day"),
    fresh_x=_M008_BEFORE_MERGER.format(unit="x.unit_id", seen="x.date", day="today.day"))
_M008_TITLE_HELD = """EXISTS (
                SELECT 1 FROM observation r
                WHERE r.unit_id = t.unit_id AND r.kind = 'recognized' AND r.criteria_set = t.criteria_set
                  AND r.date <= today.day
                  AND r.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                  AND NOT {fresh_r}
                  AND NOT EXISTS (
                    SELECT 1 FROM observation z
                    WHERE z.unit_id = r.unit_id AND z.date <= today.day
                      AND (z.date > r.date OR (z.date = r.date AND z.id > r.id))
                      AND z.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                      AND ((z.kind = 'recognized' AND z.level = r.level)
                           OR (z.kind = 'revoked' AND (z.level = r.level
                                                       OR {rank_z} < {rank_r}))))) AS recognized,""".format(
    fresh_r=_M008_BEFORE_MERGER.format(unit="r.unit_id", seen="r.date", day="today.day"),
    rank_z=_M008_RANK.format(level="z.level"), rank_r=_M008_RANK.format(level="r.level"))
_M008_TARGET_STATUS = _m008_replace(_m008_replace(
    _M006_TARGET_STATUS.replace(_M006_MET_TODAY, _M008_MET_TODAY),
    """coalesce((SELECT r.criteria_set = t.criteria_set FROM observation r
                     WHERE r.unit_id = t.unit_id AND r.kind = 'recognized' AND r.date <= today.day
                       AND r.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                     ORDER BY r.date DESC, r.id DESC LIMIT 1), 0) AS recognized,""", _M008_TITLE_HELD),
    """AND x.unit_id = t.unit_id AND x.date <= p.start
                     AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)""",
    """AND x.unit_id = t.unit_id AND x.date <= p.start
                     AND x.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL)
                     AND NOT """ + _M008_BEFORE_MERGER.format(unit="x.unit_id", seen="x.date", day="p.start"))
assert _M008_TARGET_STATUS.count("unit_lineage") == 6, _M008_TARGET_STATUS.count("unit_lineage")


@migrations(name="m008_views_follow_titles")
def m008_views_follow_titles(db) -> None:
    _run(
        db,
        "DROP VIEW IF EXISTS laggards",
        "DROP VIEW IF EXISTS target_status",
        "DROP VIEW IF EXISTS current_criteria",
        _M008_CURRENT_CRITERIA,
        _M008_TARGET_STATUS,
        _M006_LAGGARDS,
    )


# -- m009: money ------------------------------------------------------------------------------
# A plan's capital (its `funds:` section): per unit and source, the amount planned for the
# plan's period, in integer đồng. And the observation table's funds rows (m007) are held to the
# fixed lists of kinds and sources and to amounts of at least 0 — by a trigger, as a CHECK
# would mean copying the table again.
_M009_SOURCES = ", ".join(f"'{s}'" for s in (
    "trung-uong", "dia-phuong", "long-ghep", "tin-dung", "doanh-nghiep", "nhan-dan", "khac"))
_M009_KINDS = ", ".join(f"'{k}'" for k in ("allocated", "disbursed", "contributed", "debt", "debt_paid"))


@migrations(name="m009_funds")
def m009_funds(db) -> None:
    _run(
        db,
        f"""CREATE TABLE plan_fund (
            id INTEGER PRIMARY KEY,
            plan TEXT NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            source TEXT NOT NULL CHECK (source IN ({_M009_SOURCES})),
            amount INTEGER NOT NULL CHECK (amount >= 0),
            UNIQUE (plan, unit_id, source)
        ) STRICT""",
        "CREATE INDEX plan_fund_unit ON plan_fund(unit_id)",
        f"""CREATE TRIGGER observation_funds_valid BEFORE INSERT ON observation
            WHEN NEW.kind = 'funds' AND (NEW.fund_kind NOT IN ({_M009_KINDS})
                                         OR NEW.fund_source NOT IN ({_M009_SOURCES})
                                         OR NEW.amount < 0)
            BEGIN SELECT RAISE(ABORT, 'funds: unknown kind or source, or a negative amount'); END""",
    )


# -- m010: registers that travel ---------------------------------------------------------------
# Every register gets a permanent id, every observation a global id (`gid`: the id of the
# register that recorded it, a colon, its sequence there, zero-padded so that one register's
# ids sort in recording order) kept on every copy. Same-day ties between observations are
# broken by what travels with them — date, then recorded_at, then gid — instead of the local
# id, so two registers holding the same observations agree. The facts are unchanged: the
# append-only trigger is narrowed (any column but gid, and gid once set) so the new column can
# be filled; state tables are recomputed under the new order; the views that ordered by id are
# recreated with the new order. Tables for the exchange: packets imported, the units each
# origin covers, plans sent twice with different content, what was sent to each destination.
_M010_GID = "(SELECT value FROM meta WHERE key = 'register_id') || ':' || printf('%012d', {id})"
_M010_FACT_COLUMNS = ", ".join((
    "id", "unit_id", "criteria_set", "criterion", "indicator", "kind", "value", "decision", "voids",
    "date", "recorded_at", "by", "source", "note", "fingerprint", "level", "step", "department",
    "result", "amount", "fund_kind", "fund_source", "project"))


def _m010_order(text: str, replacements: list[tuple[str, str, int]]) -> str:
    for old, new, times in replacements:
        assert text.count(old) == times, (old, text.count(old))
        text = text.replace(old, new)
    assert " id DESC" not in text and ".id DESC" not in text
    return text


_M010_TARGET_STATUS = _m010_order(_M008_TARGET_STATUS, [
    ("x.date DESC, x.id DESC", "x.date DESC, x.recorded_at DESC, x.gid DESC", 3),
    ("(z.date > r.date OR (z.date = r.date AND z.id > r.id))",
     "(z.date, z.recorded_at, z.gid) > (r.date, r.recorded_at, r.gid)", 1),
])
_M010_LAGGARDS = _m010_order(_M006_LAGGARDS, [
    ("o.date DESC, o.id DESC", "o.date DESC, o.recorded_at DESC, o.gid DESC", 1),
])
_M010_CRITERION_STATE = """INSERT INTO criterion_state (unit_id, criteria_set, criterion, observation_id, kind, date)
    SELECT unit_id, criteria_set, criterion, id, kind, date FROM (
      SELECT o.id, o.unit_id, o.criteria_set, o.criterion, o.kind, o.date,
             row_number() OVER (PARTITION BY o.unit_id, o.criteria_set, o.criterion
                                ORDER BY o.date DESC, o.recorded_at DESC, o.gid DESC) AS rank
      FROM observation o WHERE o.criterion IS NOT NULL
        AND o.id NOT IN (SELECT voids FROM observation WHERE voids IS NOT NULL))
    WHERE rank = 1"""
_M010_INDICATOR_STATE = "INSERT INTO indicator_state (unit_id, indicator, value, date) " + _m010_order(
    _M004_INDICATOR_SEGMENTS, [("o.date DESC, o.id DESC", "o.date DESC, o.recorded_at DESC, o.gid DESC", 1)]
).format(where="o.indicator IS NOT NULL")


@migrations(name="m010_registers_travel")
def m010_registers_travel(db) -> None:
    import uuid

    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('register_id', ?)", [str(uuid.uuid4())])
    _run(
        db,
        "ALTER TABLE observation ADD COLUMN gid TEXT",
        "DROP TRIGGER observation_append_only_update",
        f"UPDATE observation SET gid = {_M010_GID.format(id='id')}",
        "CREATE UNIQUE INDEX observation_gid ON observation(gid)",
        # An observation is never changed; its gid is set once (by the trigger below when the
        # insert did not give one) and then never changed either.
        f"""CREATE TRIGGER observation_append_only_update BEFORE UPDATE OF {_M010_FACT_COLUMNS}
            ON observation
            BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
        """CREATE TRIGGER observation_gid_kept BEFORE UPDATE OF gid ON observation
           WHEN OLD.gid IS NOT NULL OR NEW.gid IS NULL
           BEGIN SELECT RAISE(ABORT, 'observations are append-only; record a correction'); END""",
        f"""CREATE TRIGGER observation_gid_local AFTER INSERT ON observation WHEN NEW.gid IS NULL
            BEGIN UPDATE observation SET gid = {_M010_GID.format(id='NEW.id')} WHERE id = NEW.id; END""",
        "DELETE FROM criterion_state",
        _M010_CRITERION_STATE,
        "DELETE FROM indicator_state",
        _M010_INDICATOR_STATE,
        "DROP VIEW IF EXISTS laggards",
        "DROP VIEW IF EXISTS target_status",
        _M010_TARGET_STATUS,
        _M010_LAGGARDS,
        # Packets imported: one row per packet (its SHA-256), whoever sent it.
        """CREATE TABLE packet (
            sha256 TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            made_at TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            file TEXT NOT NULL,
            first_seq INTEGER,
            last_seq INTEGER,
            observations INTEGER NOT NULL,
            added INTEGER NOT NULL,
            newest_date TEXT
        ) STRICT""",
        "CREATE INDEX packet_origin ON packet(origin, imported_at)",
        # The units an origin's packets cover (its own units: a commune, a district's subtree).
        """CREATE TABLE origin_unit (
            origin TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES unit(id),
            PRIMARY KEY (origin, unit_id)
        ) STRICT, WITHOUT ROWID""",
        # A plan (or criteria set) sent with content other than the register's: the first kept,
        # the second recorded here and shown by `exchange conflicts`.
        """CREATE TABLE exchange_conflict (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('plan', 'criteria_set', 'indicator')),
            key TEXT NOT NULL,
            origin TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            packet TEXT NOT NULL,
            found_at TEXT NOT NULL,
            UNIQUE (kind, key, origin, content_hash)
        ) STRICT""",
        # What was last sent to each destination (`exchange export --since-last DEST`).
        """CREATE TABLE exchange_sent (
            destination TEXT PRIMARY KEY,
            last_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL
        ) STRICT""",
    )


# -- m012: exchange bookkeeping keyed as it travels --------------------------------------------
# A packet's content hash alone named a packet: two origins' empty packets, or one origin's
# "nothing new" of two weeks, were one row and an origin that reported looked late. A row is
# now (content, origin, time made). The mark of what a destination was sent is kept per scope
# (`--under`): one mark per destination let an export under one unit skip what another unit's
# export had not sent. Marks made before are not carried (their scope is unknown): the next
# export to a destination sends everything once, which the destination takes idempotently.
# Placing a packet's units looks children up by parent and folded name.
@migrations(name="m012_exchange_keys")
def m012_exchange_keys(db) -> None:
    _run(
        db,
        """CREATE TABLE packet_m012 (
            sha256 TEXT NOT NULL,
            origin TEXT NOT NULL,
            made_at TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            file TEXT NOT NULL,
            first_seq INTEGER,
            last_seq INTEGER,
            observations INTEGER NOT NULL,
            added INTEGER NOT NULL,
            newest_date TEXT,
            PRIMARY KEY (sha256, origin, made_at)
        ) STRICT""",
        "INSERT INTO packet_m012 SELECT sha256, origin, made_at, imported_at, file, first_seq, last_seq,"
        " observations, added, newest_date FROM packet",
        "DROP TABLE packet",
        "ALTER TABLE packet_m012 RENAME TO packet",
        "CREATE INDEX packet_origin ON packet(origin, imported_at)",
        "DROP TABLE exchange_sent",
        """CREATE TABLE exchange_sent (
            destination TEXT NOT NULL,
            under_id INTEGER NOT NULL,
            last_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (destination, under_id)
        ) STRICT""",
        "CREATE INDEX unit_parent_folded ON unit(parent_id, folded)",
    )


# -- m013: an integer key for re-imported rows -----------------------------------------------
# `record import` told a row already imported by its fingerprint, 40 hexadecimal characters of
# SHA-1 in a unique index: random text keys that made the index the largest cost of an import
# (measured on the national register: 42k rows/s with them, 90k without any key). From m013 the
# key is a 64-bit integer, the first 8 bytes of the same SHA-1 read as a signed integer, in
# `fingerprint64`: the rows that have a text fingerprint get the integer it begins with, so a
# file imported before m013 is still "already present" when imported again. The text column
# stays as it was (new rows leave it empty); its index goes.
def _m013_fingerprint64(text: str) -> int:
    value = int(text[:16], 16)
    return value - (1 << 64) if value >= 1 << 63 else value


@migrations(name="m013_integer_fingerprints")
def m013_integer_fingerprints(db) -> None:
    db.conn.create_function("ntmtrack_m013_fingerprint64", 1, _m013_fingerprint64, deterministic=True)
    _run(
        db,
        "ALTER TABLE observation ADD COLUMN fingerprint64 INTEGER",
        # Not a fact of the observation (the append-only trigger lists the fact columns).
        "UPDATE observation SET fingerprint64 = ntmtrack_m013_fingerprint64(fingerprint)"
        " WHERE fingerprint IS NOT NULL",
        "DROP INDEX observation_fingerprint",
        "CREATE UNIQUE INDEX observation_fingerprint64 ON observation(fingerprint64)"
        " WHERE fingerprint64 IS NOT NULL",
    )


# -- m014: re-imported rows told through the unit's day -------------------------------------
# A fingerprint hashes its row's unit and day, so the row holding it is among that unit's
# observations of that day: the index of a unit's days ends with the fingerprint now, and the
# unique index of m013 goes. That index put every new row at a random place of a second large
# index (benchmarks/import_keys.py: a fifth of a raw import's time). An import first asks, for
# each unit and day of a batch, whether any imported row is held there (one seek per unit-day,
# a commune's twenty verdicts); only rows of a unit-day that has some are looked up one by one,
# each one seek, however many rows share the day. Fingerprints stay as they are, so files
# imported before m014 are still "already present" after it.
@migrations(name="m014_fingerprints_by_unit_day")
def m014_fingerprints_by_unit_day(db) -> None:
    _run(
        db,
        "DROP INDEX observation_fingerprint64",
        "DROP INDEX observation_unit",
        "CREATE INDEX observation_unit ON observation(unit_id, date, fingerprint64)",
    )
