"""Reading and writing the files a user can name, so that none hangs, floods or crashes us.

Every path the command line reads (schemas, contract trees, recordings, seed
scenarios) goes through :func:`read_bytes`. The hostile cases are checked
before any byte is read, because the blocking ones cannot be undone once
``open`` has been called:

- a named pipe blocks ``open`` forever without a writer, so the file type is
  checked first (``stat``), and the file is then opened non-blocking and
  checked again on the descriptor (a path swapped in between is still caught);
- a device such as ``/dev/zero`` (directly or through a symlink) reports size
  0 and never ends, so only regular files are read, and every read is capped
  at ``limit`` bytes whatever ``stat`` said (``/proc`` files lie about size);
- inside a tree we guard (the released contracts) a symlink could point
  anywhere, so with ``inside`` no component of the path may be a symlink;
- text that is binary, not UTF-8, or JSON nested past :data:`MAX_DEPTH` is
  refused with the file and the reason.

Each refusal is the caller's error class (``ContractFileError``,
``SeedError``...) saying what, where and the fix, and never the name of a
Python exception: the person reading it did nothing in Python.

Writes are atomic (a fresh temporary file, then ``os.replace``): the temporary
name is created exclusively, so a symlink planted at a predictable name is
never written through.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from edu_contracts.errors import ContractFileError, EduContractsError

__all__ = [
    "MAX_DEPTH",
    "ErrorType",
    "check_depth",
    "parse_json",
    "read_bytes",
    "read_text",
    "reject_symlinks",
    "write_text_atomic",
]

MAX_DEPTH = 200
"""JSON this deep is an attack or a mistake: contracts and messages are under 20 levels."""

_READ_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symlink"),
)

ErrorType = type[EduContractsError]


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def reject_symlinks(path: Path, inside: Path, *, error: ErrorType = ContractFileError) -> None:
    """Refuse ``path`` unless it lies under ``inside`` with no symlink on the way.

    ``inside`` itself may be a symlink (it is what the user named); everything
    below it is the guarded tree. Components that do not exist yet are fine.
    """
    try:
        relative = path.relative_to(inside)
    except ValueError:
        raise error(
            "path lies outside the folder it must stay in",
            where=str(path),
            fix=f"keep every file under {inside}",
        ) from None
    current = inside
    for part in relative.parts:
        if part in ("..", "."):
            raise error(
                "path steps out of its folder", where=str(path), fix="use a plain relative path"
            )
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise error(f"cannot inspect: {exc.strerror}", where=str(current)) from None
        if stat.S_ISLNK(mode):
            raise error(
                "is a symlink; links inside this folder are never followed",
                where=str(current),
                fix="replace the link by the real file (restore it from version control)",
            )


def read_bytes(
    path: Path,
    *,
    limit: int,
    error: ErrorType = ContractFileError,
    inside: Path | None = None,
    fix: str = "pass the path of a regular file",
) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    With ``inside``, no component below that folder may be a symlink (the
    last one included: it is opened with ``O_NOFOLLOW``).
    """
    where = str(path)
    if inside is not None:
        reject_symlinks(path, inside, error=error)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"not a regular file: it is {_kind(mode)}", where=where, fix=fix)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        if inside is not None:
            flags |= getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags)
    except (FileNotFoundError, NotADirectoryError):
        raise error(
            "file not found", where=where, fix="check the path and the current directory"
        ) from None
    except PermissionError:
        raise error("permission denied", where=where, fix="make the file readable") from None
    except OSError as exc:
        raise error(f"cannot open: {exc.strerror}", where=where, fix=fix) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped for something else after the stat
            raise error(f"not a regular file: it is {_kind(info.st_mode)}", where=where, fix=fix)
        if info.st_size > limit:
            raise _too_big(info.st_size, limit, where, error)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_big(size, limit, where, error)
        return b"".join(chunks)
    except BlockingIOError:
        raise error(
            "is not a regular file (reading it would block)", where=where, fix=fix
        ) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", where=where, fix=fix) from None
    finally:
        os.close(fd)


def _too_big(size: int, limit: int, where: str, error: ErrorType) -> EduContractsError:
    return error(
        f"file is over the {limit:,}-byte limit (at least {size:,} bytes)",
        where=where,
        fix="pass the file itself, not an archive, a data dump or a device",
    )


def read_text(
    path: Path,
    *,
    limit: int,
    error: ErrorType = ContractFileError,
    inside: Path | None = None,
    fix: str = "pass the path of a regular file",
) -> str:
    """The UTF-8 text of ``path`` (a BOM is dropped); binary or other encodings are refused."""
    raw = read_bytes(path, limit=limit, error=error, inside=inside, fix=fix)
    where = str(path)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise error(
            f"is a binary file, not text (a NUL byte at offset {nul})",
            where=where,
            fix="pass a UTF-8 text file",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"not UTF-8 text (byte {exc.start})", where=where, fix="save the file as UTF-8"
        ) from None


def check_depth(
    value: Any, *, where: str, error: ErrorType = ContractFileError, limit: int = MAX_DEPTH
) -> None:
    """Refuse a parsed JSON (or TOML) value nested deeper than ``limit``; no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise error(
                f"nested too deeply (more than {limit} levels)",
                where=where,
                fix="flatten the document",
            )
        if not isinstance(node, dict | list):
            continue  # a scalar document (null, 3) has no depth to check
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def parse_json(
    text: str,
    *,
    where: str,
    error: ErrorType = ContractFileError,
    max_depth: int = MAX_DEPTH,
    first_line: int | None = None,
) -> Any:
    """One JSON document; syntax, depth and number-size problems name ``where``.

    ``first_line`` is the line of ``where`` the text starts on (one line of
    a JSON-lines file), so every error points at the right line.
    """
    line_where = where if first_line is None else f"{where}:{first_line}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if first_line is None:
            message, at = f"not JSON: {exc.msg}", f"{where}:{exc.lineno}:{exc.colno}"
        else:  # one line of a JSON-lines file: file:line, as the rest of its errors
            message, at = f"not JSON at column {exc.colno}: {exc.msg}", line_where
        raise error(message, where=at, fix="fix the JSON syntax at that line and column") from None
    except RecursionError:
        raise error(
            f"nested too deeply (more than {max_depth} levels)",
            where=line_where,
            fix="flatten the document",
        ) from None
    except ValueError:  # an integer past Python's digit limit for conversion
        raise error(
            "holds a number with more digits than can be read",
            where=line_where,
            fix="write numbers with fewer than 4,300 digits",
        ) from None
    check_depth(value, where=line_where, error=error, limit=max_depth)
    return value


def _make_dirs(directory: Path, inside: Path | None, error: ErrorType) -> None:
    if inside is None:
        directory.mkdir(parents=True, exist_ok=True)
        return
    reject_symlinks(directory, inside, error=error)
    current = inside
    for part in directory.relative_to(inside).parts:
        current = current / part
        with contextlib.suppress(FileExistsError):
            current.mkdir()
        if not stat.S_ISDIR(os.lstat(current).st_mode):
            raise error("is not a folder", where=str(current), fix="remove it and retry")


def write_text_atomic(
    path: Path,
    text: str,
    *,
    inside: Path | None = None,
    error: ErrorType = ContractFileError,
) -> None:
    """Replace ``path`` by ``text`` (UTF-8, LF) atomically.

    The temporary file is created exclusively under a random name beside the
    target, and renamed over it: a planted symlink is replaced, never
    written through. With ``inside``, no folder on the way may be a symlink.
    """
    try:
        _make_dirs(path.parent, inside, error)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except EduContractsError:
        raise
    except OSError as exc:
        raise error(
            f"cannot write here: {exc.strerror}",
            where=str(exc.filename or path),
            fix="choose a folder you can write to (an existing folder or a new path)",
        ) from None
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; contract files are read by everyone
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error(
            f"cannot write the file: {exc.strerror}",
            where=str(path),
            fix="choose a folder you can write to, with space left on its disk",
        ) from None
