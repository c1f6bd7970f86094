"""Opening the register: where it is, connection settings, migrations, write transactions.

Speaks SQL through the standard sqlite3 module; sqlite-utils (slow to import) is loaded only
when a register needs migrating. Never prints.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from ..locale import _
from ..model import NtmError, RegisterBusy

APPLICATION_ID = 0x4E544D31  # "NTM1": lets `file` and ntmtrack tell a register from other SQLite files
BUSY_TIMEOUT_S = 30
_SQLITE_HEADER = b"SQLite format 3\x00"


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ntmtrack", appauthor=False) / "ntmtrack.db"


def resolve_path(db: str | os.PathLike | None) -> Path:
    """`--db`, else `NTMTRACK_DB`, else ntmtrack.db in the user data directory."""
    if db:
        return Path(db).expanduser()
    env = os.environ.get("NTMTRACK_DB")
    if env:
        return Path(env).expanduser()
    return default_path()


class Register:
    """An open register: the connection and where it came from."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool):
        self.conn = conn
        self.path = path
        self.readonly = readonly

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_file(path: Path, create: bool) -> None:
    """Refuse what is not a register before SQLite touches it: opening a FIFO would hang, a
    device would get a journal beside it, an empty file would silently become a register."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except PermissionError:
        raise NtmError(_("cannot read {path}: permission denied").format(path=path)) from None
    if stat.S_ISDIR(mode):
        raise NtmError(_("{path} is a directory, not a register file").format(path=path))
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
            else "a socket"
        raise NtmError(_("{path} is not a regular file ({kind}); a register is an SQLite file").format(path=path, kind=kind))
    try:
        with open(path, "rb") as f:
            header = f.read(16)
    except PermissionError:
        raise NtmError(_("cannot read {path}: permission denied").format(path=path)) from None
    if not header and not create:
        raise NtmError(_("{path} is empty, not a register; to make it one: ntmtrack init --db {path}").format(path=path))
    if header and header != _SQLITE_HEADER:
        raise NtmError(_("{path} is not an SQLite file, so not an ntmtrack register").format(path=path))


def _unshareable(path: Path) -> bool:
    companions = [Path(f"{path}-{suffix}") for suffix in ("wal", "shm")]
    return not os.access(path.parent, os.W_OK) and not any(p.exists() for p in companions)


def busy_timeout() -> float:
    """Seconds to wait for another writer: NTMTRACK_BUSY_TIMEOUT, else 30."""
    try:
        seconds = float(os.environ.get("NTMTRACK_BUSY_TIMEOUT", BUSY_TIMEOUT_S))
    except ValueError:
        return BUSY_TIMEOUT_S
    # inf, nan or a day and more: not a wait anyone means (and SQLite's counter overflows).
    return max(0.0, seconds) if seconds < 86_400 else BUSY_TIMEOUT_S


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    timeout = busy_timeout()
    try:
        if readonly:
            uri = "file:" + str(path.resolve()).replace("?", "%3f").replace("#", "%23") + "?mode=ro"
            if _unshareable(path):
                # A register in a read-only directory (a CD, a copy on a locked share): SQLite
                # cannot make the shared-memory file WAL readers need, and nobody can be
                # writing it, so it is read as the immutable file it is.
                uri += "&immutable=1"
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        else:
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # Must run outside any transaction, or SQLite silently ignores it.
        conn.execute("PRAGMA foreign_keys=ON")
        if not readonly:
            conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as e:
        raise NtmError(_("cannot open {path}: {e}").format(path=path, e=e)) from None
    return conn


# The name sqlite-utils records migrations under; equal to migrations.MIGRATION_SET (a test
# checks), written out here so opening a register never imports sqlite-utils.
MIGRATION_SET = "ntmtrack"


def _applied_migrations(conn: sqlite3.Connection) -> list[str] | None:
    """Names of applied ntmtrack migrations; None when the file has no migration table."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
    ).fetchone()
    if not has_table:
        return None
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set=? ORDER BY rowid", [MIGRATION_SET]
    )
    return [r[0] for r in rows]


def _known_migrations() -> list[str]:
    from .migrations import known_names

    return known_names()


# Kept in step with migrations.py by a test, so opening an up-to-date register never has to
# import sqlite-utils (which costs ~0.15 s) just to learn there is nothing to do.
LATEST_MIGRATION = "m014_fingerprints_by_unit_day"


def open_register(db=None, *, create: bool = False, readonly: bool = False) -> Register:
    """Open (and with `create`, make) the register, migrating an older one.

    Refuses files that are not registers, and registers written by a newer ntmtrack.
    """
    path = resolve_path(db)
    exists = path.exists()
    if not exists and not create:
        raise NtmError(
            _("no register at {path}; create one with: ntmtrack init --db {path}").format(path=path)
        )
    if exists:
        _check_file(path, create)
        if create and path.stat().st_size == 0:
            os.chmod(path, 0o600)  # an empty file made into a register holds an office's records
    else:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # An office's records: readable by its owner only.
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            pass  # another ntmtrack created it a moment ago; its migration lock orders us
        except OSError as e:
            raise NtmError(_("cannot create {path}: {strerror}").format(path=path, strerror=e.strerror)) from None
    conn = _connect(path, readonly and exists)
    register = Register(conn, path, readonly and exists)
    try:
        _prepare(register, fresh=not exists)
    except BaseException:
        conn.close()
        raise
    return register


def _prepare(register: Register, fresh: bool) -> None:
    conn = register.conn
    try:
        applied = _applied_migrations(conn)
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise NtmError(_("cannot read {path}: {e}").format(path=register.path, e=e)) from None
    if applied is None and tables and app_id != APPLICATION_ID:
        raise NtmError(_("{path} is an SQLite file but not an ntmtrack register").format(path=register.path))
    applied = applied or []
    if applied and applied[-1] == LATEST_MIGRATION and LATEST_MIGRATION in applied:
        return
    known = _known_migrations()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise NtmError(
            _("{path} was written by a newer ntmtrack (schema {unknown}); upgrade ntmtrack to use it").format(path=register.path, unknown=unknown[-1])
        )
    if all(name in applied for name in known):
        return
    if register.readonly:
        # Upgrading writes: reopen read-write for the migration, then carry on read-only.
        writer = _connect(register.path, readonly=False)
        try:
            migrate(writer, fresh)
        finally:
            writer.close()
    else:
        migrate(conn, fresh)


def migrate(conn: sqlite3.Connection, fresh: bool = False) -> list[str]:
    """Apply pending migrations in one IMMEDIATE transaction; return their names."""
    from sqlite_utils import Database

    from .migrations import migrations

    try:
        _wal(conn, fresh)
        db = Database(conn)
        with write_transaction(conn):
            # A second process migrating at the same moment waits here for the lock, then
            # finds nothing pending, rather than failing with "database is locked".
            pending = [m.name for m in migrations.pending(db)]
            if not pending:
                return []
            migrations.apply(db)
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={len(_known_migrations())}")
        return pending
    except sqlite3.OperationalError as e:
        raise translate(e) from None


def _wal(conn: sqlite3.Connection, fresh: bool) -> None:
    """Switch to WAL. Another process may be migrating the same new file: changing the journal
    mode needs the file to itself and SQLite may answer "locked" at once, without waiting
    the busy timeout, so wait here as the busy timeout would."""
    import time

    deadline = time.monotonic() + busy_timeout()
    while True:
        try:
            if fresh or conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            fresh = False
            time.sleep(0.02)


def translate(error: sqlite3.Error) -> NtmError:
    message = str(error)
    if "locked" in message or "busy" in message:
        return RegisterBusy(
            _("the register is busy (another ntmtrack is writing); nothing was written, try again")
        )
    if "readonly" in message or "read-only" in message:
        return NtmError(_("the register is read-only here (file or directory permissions)"))
    if "disk is full" in message or "database or disk is full" in message:
        return NtmError(_("the disk is full; nothing was written"))
    if "disk I/O error" in message:
        return NtmError(_("the register file could not be written (disk I/O error: a full disk, a file-size limit or failing storage); nothing was written"))
    if "malformed" in message or "not a database" in message:
        return NtmError(_("the register file is damaged: {message}").format(message=message))
    return NtmError(_("register error: {message}").format(message=message))


def _begin_immediate(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        raise translate(e) from None


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection):
    """One write transaction, begun IMMEDIATE.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another process holds the write lock, whatever the busy timeout; taking the
    lock up front lets the busy timeout do its job.
    """
    _begin_immediate(conn)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(error, sqlite3.OperationalError):
            raise translate(error) from None
        raise


def scratch_register() -> Register:
    """An in-memory register with the current schema, for checking files without one."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    migrate(conn, fresh=True)
    return Register(conn, Path(":memory:"), readonly=False)


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection):
    """One read transaction: everything read inside sees the register as it was when the
    first read began (WAL), while other processes go on writing. Writes nothing."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
