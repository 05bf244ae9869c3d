"""The contract-side check: a response that names a canonical read model must match it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel
    from schemathesis import APIOperation, Case, CheckContext, CheckFunction, Response

    Operation = APIOperation[Any, Any, Any, Any]

__all__ = ["read_model_check", "response_matches_read_model"]


class _ReadModels:
    """Read models by schema name, and their JSON Schema validators, built on first use."""

    def __init__(self, models: Mapping[str, type[BaseModel]] | None) -> None:
        self._extra = dict(models or {})
        self._models: dict[str, type[BaseModel]] | None = None
        self._validators: dict[str, Any] = {}

    def known(self, name: str) -> bool:
        if self._models is None:
            from edu_contracts.schemas import read

            canonical = {n: getattr(read, n) for n in read.__all__ if n != "ReadModel"}
            self._models = {**canonical, **self._extra}
        return name in self._models

    def errors(self, name: str, instance: Any) -> list[str]:
        if name not in self._validators:
            from jsonschema import Draft202012Validator

            assert self._models is not None
            self._validators[name] = Draft202012Validator(
                self._models[name].model_json_schema(mode="serialization"),
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        found = self._validators[name].iter_errors(instance)
        return [
            f"{''.join(f'[{p}]' if isinstance(p, int) else f'.{p}' for p in e.absolute_path)}: "
            f"{e.message}"
            for e in sorted(found, key=lambda e: [str(p) for p in e.absolute_path])
        ]

    def check(self, ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
        schema = _response_schema(case.operation, response.status_code)
        content_type = (response.headers.get("content-type") or [""])[0]
        if schema is None or "json" not in content_type:
            return None
        try:
            body = response.json()
        except ValueError:
            return None  # content_type_conformance reports a body that is not JSON
        problems: list[str] = []
        names: set[str] = set()
        parts = _named_parts(schema, body, case.operation.schema.raw_schema, "$", self.known)
        for name, instance, where in parts:
            names.add(name)
            problems.extend(f"{where}{problem}" for problem in self.errors(name, instance))
        if problems:
            more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise AssertionError(
                f"body breaks the canonical {', '.join(sorted(names))} "
                f"(edu_contracts.schemas.read)\n" + "\n".join(problems[:20]) + more
            )
        return None


def read_model_check(models: Mapping[str, type[BaseModel]]) -> CheckFunction:
    """:func:`response_matches_read_model` that also maps ``models`` (schema name -> model).

    For an app whose schema names differ from the canonical ones, e.g.
    ``read_model_check({"ProjectOut": ProjectRead})``.
    """
    known = _ReadModels(models)

    def response_matches_read_model(
        ctx: CheckContext, response: Response, case: Case[Any]
    ) -> bool | None:
        return known.check(ctx, response, case)

    response_matches_read_model.__doc__ = _CHECK_DOC
    return response_matches_read_model


_CHECK_DOC = """A schemathesis check: a JSON body whose documented schema names a canonical
read model (by ``$ref`` or ``title``; in arrays, ``anyOf`` and object
properties too) must validate against that model's JSON Schema. An app's
response model can drift from the contract and its OpenAPI with it; this is
the check that notices. Register it for schemathesis' own pytest or CLI runs
with ``schemathesis.check(response_matches_read_model)``."""

_canonical = _ReadModels(None)


def response_matches_read_model(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    return _canonical.check(ctx, response, case)


response_matches_read_model.__doc__ = _CHECK_DOC


def _named_parts(
    schema: Mapping[str, Any],
    value: Any,
    root: Mapping[str, Any],
    where: str,
    known: Callable[[str], bool],
) -> Iterator[tuple[str, Any, str]]:
    """Each (read model name, value, JSON path) the documented schema puts in ``value``.

    Walks the value, not the schema, so recursive schemas end where the data
    ends. A ``$ref``'s last segment names it (FastAPI's ``-Output`` suffix
    removed), an inline schema its ``title``.
    """
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = re.sub(r"-(Input|Output)$", "", ref.rsplit("/", 1)[-1])
        if known(name):
            yield name, value, where
        elif ref.startswith("#/"):
            target = functools.reduce(lambda node, key: node.get(key, {}), ref[2:].split("/"), root)
            if isinstance(target, Mapping) and target is not schema:
                yield from _named_parts(target, value, root, where, known)
        return
    if isinstance(schema.get("title"), str) and known(schema["title"]):
        yield schema["title"], value, where
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from _named_parts(schema["items"], item, root, f"{where}[{index}]", known)
    elif isinstance(value, dict) and isinstance(schema.get("properties"), Mapping):
        for key, sub in schema["properties"].items():
            if key in value and isinstance(sub, Mapping):
                yield from _named_parts(sub, value[key], root, f"{where}.{key}", known)
    for option in schema.get("anyOf") or schema.get("oneOf") or ():
        if value is not None and isinstance(option, Mapping) and option.get("type") != "null":
            yield from _named_parts(option, value, root, where, known)


def _response_schema(operation: Operation, status_code: int) -> Mapping[str, Any] | None:
    """The JSON schema documented for ``status_code``: exact code, then ``2XX``, then default."""
    root = operation.schema.raw_schema

    def deref(node: Any) -> Any:
        while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#/"):
            node = functools.reduce(lambda n, k: n.get(k, {}), node["$ref"][2:].split("/"), root)
        return node

    responses = deref(operation.definition.raw.get("responses") or {})
    for key in (str(status_code), f"{str(status_code)[0]}XX", "default"):
        if key in responses:
            for media_type, content in (deref(responses[key]).get("content") or {}).items():
                if "json" in media_type and isinstance(content.get("schema"), Mapping):
                    schema: Mapping[str, Any] = content["schema"]
                    return schema
            return None
    return None


# --- running --------------------------------------------------------------------------
