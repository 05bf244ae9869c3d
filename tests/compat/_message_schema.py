"""A message-like pydantic schema and realistic edits of it, for the property tests.

The envelope + discriminated union mirrors the queue contract; the edits are
the changes people actually make to such models. Edits work on the emitted
JSON Schema so that combinations pydantic would never emit in one step
(nullable off *and* enum narrowed, say) are reachable too.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Priority(enum.Enum):
    low = "low"
    normal = "normal"
    high = "high"


class DocumentProcessing(BaseModel):
    kind: Literal["document_processing"]
    document_id: UUID
    project_id: UUID
    user_id: UUID
    priority: Priority = Priority.normal
    pages: int | None = None


class FlashcardGeneration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["flashcard_generation"]
    project_id: UUID
    count: int = Field(10, ge=1, le=100)
    topics: list[str] = []


class QuizGeneration(BaseModel):
    kind: Literal["quiz_generation"]
    project_id: UUID
    questions: int
    title: str | None = None


class Envelope(BaseModel):
    id: UUID
    created_at: datetime
    attempt: int = 0
    data: Annotated[
        DocumentProcessing | FlashcardGeneration | QuizGeneration, Field(discriminator="kind")
    ]


def base_schema() -> dict[str, Any]:
    return Envelope.model_json_schema()


FIELD_SCHEMAS: list[dict[str, Any]] = [
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
    {"type": "string", "format": "uuid"},
    {"$ref": "#/$defs/Priority"},
    {"type": "array", "items": {"type": "string"}},
    {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
]

PROTECTED = {"kind"}
"""The discriminator: removing or retyping it makes oneOf variants overlap, which
Confluent's rules (and ours, see DEVIATIONS.md) do not model."""


def objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The root and every object definition: the places a field can be edited."""
    found = [schema]
    found += [d for d in schema.get("$defs", {}).values() if "properties" in d]
    return found


def enums(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in schema.get("$defs", {}).values() if "enum" in d]


def union(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The discriminated union, unless an earlier edit retyped or removed ``data``."""
    data = schema["properties"].get("data")
    if isinstance(data, dict) and "oneOf" in data and "discriminator" in data:
        return data
    return None


Choose = Callable[[list[Any]], Any]
Edit = Callable[[dict[str, Any], Choose], str]


def _fields(obj: dict[str, Any]) -> list[str]:
    return [n for n in obj["properties"] if n not in PROTECTED]


def add_optional(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    name = choose(["extra_flag", "note", "retries", "pages"])
    if name in obj["properties"]:
        return "noop"
    obj["properties"][name] = copy.deepcopy(choose(FIELD_SCHEMAS))
    return f"add optional {name}"


def add_required(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    name = choose(["tenant", "trace_id"])
    if name in obj["properties"]:
        return "noop"
    obj["properties"][name] = copy.deepcopy(choose(FIELD_SCHEMAS[:5]))
    obj.setdefault("required", []).append(name)
    return f"add required {name}"


def remove_field(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    names = _fields(obj)
    if not names:
        return "noop"
    name = choose(names)
    del obj["properties"][name]
    if name in obj.get("required", []):
        obj["required"].remove(name)
    return f"remove {name}"


def toggle_required(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    names = _fields(obj)
    if not names:
        return "noop"
    name = choose(names)
    required = obj.setdefault("required", [])
    if name in required:
        required.remove(name)
        return f"make {name} optional"
    required.append(name)
    return f"make {name} required"


def widen_enum(schema: dict[str, Any], choose: Choose) -> str:
    target = choose(enums(schema))
    value = choose(["urgent", "batch"])
    if value not in target["enum"]:
        target["enum"].append(value)
    return f"widen enum with {value}"


def narrow_enum(schema: dict[str, Any], choose: Choose) -> str:
    target = choose(enums(schema))
    if len(target["enum"]) < 2:
        return "noop"
    value = choose(target["enum"])
    target["enum"].remove(value)
    return f"narrow enum without {value}"


def change_type(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    names = _fields(obj)
    if not names:
        return "noop"
    name = choose(names)
    obj["properties"][name] = copy.deepcopy(choose(FIELD_SCHEMAS))
    return f"retype {name}"


def nullable_on(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    names = _fields(obj)
    if not names:
        return "noop"
    name = choose(names)
    obj["properties"][name] = {"anyOf": [obj["properties"][name], {"type": "null"}]}
    return f"nullable {name}"


def nullable_off(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    nullable = [
        n for n in _fields(obj) if {"type": "null"} in obj["properties"][n].get("anyOf", [])
    ]
    if not nullable:
        return "noop"
    name = choose(nullable)
    rest = [s for s in obj["properties"][name]["anyOf"] if s != {"type": "null"}]
    obj["properties"][name] = rest[0] if len(rest) == 1 else {"anyOf": rest}
    return f"not nullable {name}"


def add_variant(schema: dict[str, Any], choose: Choose) -> str:
    data = union(schema)
    if data is None or "MindMapGeneration" in schema["$defs"]:
        return "noop"
    schema["$defs"]["MindMapGeneration"] = {
        "properties": {
            "kind": {"const": "mind_map_generation", "type": "string"},
            "project_id": {"format": "uuid", "type": "string"},
            "depth": {"type": "integer"},
        },
        "required": ["kind", "project_id"],
        "type": "object",
    }
    data["oneOf"].append({"$ref": "#/$defs/MindMapGeneration"})
    data["discriminator"]["mapping"]["mind_map_generation"] = "#/$defs/MindMapGeneration"
    return "add variant"


def remove_variant(schema: dict[str, Any], choose: Choose) -> str:
    data = union(schema)
    if data is None or len(data["oneOf"]) < 2:
        return "noop"
    ref = choose(data["oneOf"])
    data["oneOf"].remove(ref)
    mapping = data["discriminator"]["mapping"]
    for key in [k for k, v in mapping.items() if v == ref["$ref"]]:
        del mapping[key]
    return f"remove variant {ref['$ref']}"


def close_model(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    obj["additionalProperties"] = False
    return "close model"


def open_model(schema: dict[str, Any], choose: Choose) -> str:
    obj = choose(objects(schema))
    obj.pop("additionalProperties", None)
    return "open model"


EDITS: list[Edit] = [
    add_optional,
    add_required,
    remove_field,
    toggle_required,
    widen_enum,
    narrow_enum,
    change_type,
    nullable_on,
    nullable_off,
    add_variant,
    remove_variant,
    close_model,
    open_model,
]
