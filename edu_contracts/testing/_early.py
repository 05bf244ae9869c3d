"""Which services a run will need, guessed from its test files before they are collected.

Collecting is where a suite imports its code (SQLAlchemy, the app): a few
hundred milliseconds in which the services could already be starting. The
exact answer (the collected tests' fixture closures) comes only after that,
so this reads the files the run was given, and the ``conftest.py`` files
above and below them, as text, and looks for the plugin's fixture names.
A name in a file is a strong hint the run needs the service; a wrong guess
costs a service started for nothing, stopped at the end like any other, and
a miss costs nothing (the exact decision after collection still starts it).

The scan is bounded: a run over a big tree is left to the exact decision.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

__all__ = ["MAX_FILES", "fixture_words"]

MAX_FILES = 300  # beyond that many files, reading them is no longer free
_MAX_DIRS = 500
_MAX_BYTES = 1 << 20  # a test file larger than this is not one to scan
_WORD = re.compile(rb"\bedu_[a-z_]+")
_TEST_FILE = re.compile(r"^(test_.*|.*_test)\.py$")


def fixture_words(
    args: Iterable[str], rootdir: Path, norecurse: Sequence[str] = ()
) -> set[str] | None:
    """The ``edu_*`` names in the run's test and conftest files; None if too many to read.

    ``norecurse`` are pytest's ``norecursedirs`` patterns: folders collection
    skips are not read either.
    """
    words: set[str] = set()
    for count, path in enumerate(_files(args, rootdir, norecurse), start=1):
        if path is None or count > MAX_FILES:
            return None
        try:
            if path.stat().st_size > _MAX_BYTES:
                continue
            text = path.read_bytes()
        except OSError:
            continue
        words.update(match.decode() for match in _WORD.findall(text))
    return words


def _files(args: Iterable[str], rootdir: Path, norecurse: Sequence[str]) -> Iterator[Path | None]:
    """The files to read; a None says the tree is too big to walk."""
    seen: set[Path] = set()
    dirs = 0
    for arg in args or ["."]:
        target = Path(arg.split("::", 1)[0])
        if not target.is_absolute():
            target = Path.cwd() / target
        if not target.exists():
            continue
        start = target if target.is_dir() else target.parent
        for folder in (start, *start.parents):  # the conftest files that apply to it
            conftest = folder / "conftest.py"
            if conftest not in seen and conftest.is_file():
                seen.add(conftest)
                yield conftest
            if folder == rootdir or folder == folder.parent:
                break
        if target.is_file():
            if target not in seen:
                seen.add(target)
                yield target
            continue
        for here, subdirs, names in os.walk(target):
            dirs += 1
            if dirs > _MAX_DIRS:
                yield None
                return
            subdirs[:] = [
                d
                for d in subdirs
                if not d.startswith(".") and not any(fnmatch.fnmatch(d, p) for p in norecurse)
            ]
            for name in names:
                if name == "conftest.py" or _TEST_FILE.match(name):
                    path = Path(here, name)
                    if path not in seen:
                        seen.add(path)
                        yield path
