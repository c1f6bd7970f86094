"""The one way an output file is written: never over the register, never half a file.

Every command that writes a file (`report html`, `export xlsx`, `summary --output`, `plan
export -o`, `db backup`) goes through `OutputFile`. The target is checked before any work is
done; the content goes to a 0600 temporary file beside the target, is synced, and is renamed
over the target only when complete. A device or FIFO (and `-`, `/dev/stdout`) is written
through as a stream instead of being replaced.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from ..locale import tr
from ..model import NtmError

STDOUT_NAMES = ("-", "/dev/stdout")
_SQLITE_HEADER = b"SQLite format 3\x00"
# Beside a register, SQLite keeps these; writing any of them corrupts or resets the register.
_COMPANIONS = ("",) + tuple("-" + name for name in ("wal", "shm", "journal"))


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == _SQLITE_HEADER
    except OSError:
        return False


class OutputFile:
    """A file about to be written. Build it first (it checks the target), then

        with target as temporary:
            write the whole content to `temporary` (a Path)

    On success the content is at the target; on any failure (an exception, Ctrl-C) the
    temporary file is removed and the old target is untouched. `size` is what was written.

    `protect`: the register(s) this command reads; neither they nor their -wal/-shm/-journal
    may be replaced, whatever the path says (symlinks, `..`, hard links). `force`: replace
    an existing file. `replace_sqlite`: allow replacing an SQLite file that is not protected
    (a backup over an older backup); other outputs never replace an SQLite file.
    """

    def __init__(self, target: str | os.PathLike, *, protect: tuple[Path, ...] = (),
                 force: bool = False, replace_sqlite: bool = False, make_parents: bool = False,
                 lang: str = "en"):
        self.shown = str(target)
        self.size = 0
        self._lang = lang
        self._temporary: str | None = None
        self._stream_to: str | None = None  # "-" for stdout, else a device or FIFO path
        self._force = force
        self._made: list[str] = []           # directories made for the output, newest last
        if self.shown in STDOUT_NAMES:
            self._stream_to = "-"
            return
        if not self.shown:
            raise NtmError(tr(lang, "the output path is empty"))
        self._real = os.path.realpath(os.path.expanduser(self.shown))
        self._check_protected(protect)
        try:
            st = os.stat(self._real)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise NtmError(f"{self.shown}: {e.strerror}") from None
        if st is not None:
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                raise NtmError(tr(lang, "{path} is a directory; give a file name").format(path=self.shown))
            if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
                self._stream_to = self._real
                return
            if not stat.S_ISREG(mode):
                raise NtmError(tr(lang, "{path} is not a regular file; refusing to write to it").format(path=self.shown))
            if _is_sqlite(self._real) and not replace_sqlite:
                raise NtmError(tr(
                    lang, "{path} is an SQLite database (a register?); an output never replaces one").format(
                        path=self.shown))
            if not force:
                raise NtmError(tr(lang, "{path} exists; use --force to replace it").format(path=self.shown))
        parent = os.path.dirname(self._real)
        self._make_parents = make_parents and not os.path.isdir(parent)
        if not os.path.isdir(parent) and not make_parents:
            raise NtmError(tr(lang, "{path}: the directory {directory} does not exist").format(
                path=self.shown, directory=parent))

    def _check_protected(self, protect: tuple[Path, ...]) -> None:
        mine = _identity(self._real)
        for register in protect:
            base = os.path.realpath(os.path.expanduser(str(register)))
            for suffix in _COMPANIONS:
                other = base + suffix
                if self._real == other or (mine is not None and mine == _identity(other)):
                    raise NtmError((tr(self._lang, "{path} is the register's {part} file ({register}); an output never overwrites it — choose another name")
                                    if suffix else
                                    tr(self._lang, "{path} is the register ({register}); an output never overwrites it — choose another name")
                                    ).format(path=self.shown, part=suffix[1:], register=register))

    @property
    def is_stream(self) -> bool:
        return self._stream_to is not None

    def __enter__(self) -> Path:
        directory = None if self._stream_to else os.path.dirname(self._real)
        name = os.path.basename(self._real) if not self._stream_to else "ntmtrack-output"
        try:
            if directory and self._make_parents:
                self._made = _make_directories(directory)
            fd, self._temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=directory)
        except OSError as e:
            self._remove_made()
            raise self._error(e) from None
        os.close(fd)  # mkstemp made it 0600: outputs hold the register's data
        return Path(self._temporary)

    def _error(self, e: OSError) -> NtmError:
        # Name the file the user asked for, never the temporary one.
        return NtmError(f"{self.shown}: {e.strerror or e}")

    def _remove_made(self) -> None:
        for directory in reversed(self._made):
            try:
                os.rmdir(directory)
            except OSError:
                break
        self._made = []

    def __exit__(self, kind, error, trace) -> bool:
        temporary, self._temporary = self._temporary, None
        try:
            if kind is None:
                self.size = os.path.getsize(temporary)
                if self._stream_to:
                    self._copy_to_stream(temporary)
                else:
                    with open(temporary, "rb") as f:
                        os.fsync(f.fileno())
                    self._put_in_place(temporary)
                    temporary = None
                    _sync_directory(os.path.dirname(self._real))
        except OSError as e:
            raise self._error(e) from None
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except FileNotFoundError:
                    pass
                self._remove_made()
        return False

    def _put_in_place(self, temporary: str) -> None:
        if self._force:
            os.replace(temporary, self._real)
            return
        # Without --force, a file that appeared since the check (another cron job writing the
        # same report) is not replaced: a hard link never overwrites.
        try:
            os.link(temporary, self._real)
        except FileExistsError:
            raise NtmError(tr(self._lang, "{path} exists; use --force to replace it").format(path=self.shown)) from None
        except OSError:
            # A file system without hard links (some network shares): the check must do.
            os.replace(temporary, self._real)
            return
        os.unlink(temporary)

    def _copy_to_stream(self, temporary: str) -> None:
        with open(temporary, "rb") as source:
            if self._stream_to == "-":
                sys.stdout.flush()
                shutil.copyfileobj(source, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                with open(self._stream_to, "wb") as sink:
                    shutil.copyfileobj(source, sink)

    def write_bytes(self, data: bytes) -> None:
        with self as temporary:
            temporary.write_bytes(data)

    def write_text(self, text: str) -> None:
        self.write_bytes(text.encode("utf-8"))


def _sync_directory(directory: str) -> None:
    # The rename is durable only once the directory entry is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _make_directories(directory: str) -> list[str]:
    """Make `directory` and its missing parents; return those made, outermost first."""
    missing = []
    current = directory
    while current and not os.path.isdir(current):
        missing.append(current)
        current = os.path.dirname(current)
    for path in reversed(missing):
        os.mkdir(path)
    return list(reversed(missing))
