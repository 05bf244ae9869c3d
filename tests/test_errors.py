"""The error tree drawn in ``edu_contracts.errors`` is the real one.

The drawing is what a user reads to decide what to catch, so it must not
drift from the classes: every edge drawn is a real subclass relation, every
error class appears in it, and each class is drawn under each of its
toolkit parents.
"""

from __future__ import annotations

import inspect
import re

import edu_contracts
import edu_contracts.errors as errors
from edu_contracts.errors import EduContractsError

_LINE = re.compile(r"^(?P<indent>(?:│   |    )*)(?:├── |└── )?(?P<name>[A-Z]\w+)\b")


def _drawn_edges() -> set[tuple[str, str]]:
    """(parent, child) pairs read off the docstring's tree."""
    doc = errors.__doc__ or ""
    edges: set[tuple[str, str]] = set()
    stack: list[str] = []
    for raw in doc.splitlines():
        line = raw[4:] if raw.startswith("    ") else raw
        match = _LINE.match(line)
        if match is None or not match["name"].endswith("Error"):
            continue
        depth = len(match["indent"]) // 4 + (0 if line.startswith(match["name"]) else 1)
        del stack[depth:]
        if stack:
            edges.add((stack[-1], match["name"]))
        stack.append(match["name"])
    return edges


def _error_classes() -> dict[str, type[EduContractsError]]:
    return {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, EduContractsError) and cls.__module__ == errors.__name__
    }


def test_every_drawn_edge_is_a_real_subclass() -> None:
    classes = _error_classes()
    edges = _drawn_edges()
    assert edges, "no tree found in the errors module docstring"
    for parent, child in edges:
        assert child in classes, f"{child} is drawn but not defined in edu_contracts.errors"
        assert parent in classes, f"{parent} is drawn but not defined in edu_contracts.errors"
        assert parent in {b.__name__ for b in classes[child].__bases__}, (
            f"the tree draws {child} under {parent}, but {parent} is not one of its bases"
        )


def test_every_error_class_is_drawn_under_each_toolkit_parent() -> None:
    edges = _drawn_edges()
    for name, cls in _error_classes().items():
        if cls is EduContractsError:
            continue
        for base in cls.__bases__:
            if issubclass(base, EduContractsError):
                assert (base.__name__, name) in edges, f"{name} is not drawn under {base.__name__}"


def test_every_error_the_package_raises_is_defined_in_errors() -> None:
    """No error class is defined outside edu_contracts.errors (one place to look)."""
    import importlib
    import pkgutil

    outside = []
    for info in pkgutil.walk_packages(edu_contracts.__path__, prefix="edu_contracts."):
        if info.name.startswith(("edu_contracts.db.migrations", "edu_contracts.nox")):
            continue
        if info.name.startswith("edu_contracts.testing.openapi"):
            continue  # needs the openapi extra; its error lives in errors.py too
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, EduContractsError)
                and cls.__module__ == module.__name__
                and module is not errors
            ):
                outside.append(f"{module.__name__}.{name}")
    assert not outside, f"error classes defined outside edu_contracts.errors: {outside}"
