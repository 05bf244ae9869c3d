"""A fast, seeded generator of malformed and mutated queue texts.

Hypothesis explores well but runs ~1,000 examples a second at best; the
fault suite wants 100,000. This generator mutates valid messages at every
layer a producer or a transport can break them, cheaply and reproducibly
(same seed, same texts):

* the base64 text: characters flipped, dropped, inserted (non-alphabet,
  non-ASCII, NUL, lone surrogates), truncated, re-padded, whitespace;
* the JSON bytes under valid base64: bit flips, truncation, invalid UTF-8,
  a BOM, trailing garbage, NaN/Infinity, duplicate keys, deep nesting;
* the JSON structure: keys removed, values replaced by values of every JSON
  type (huge numbers, long strings, empty containers), unknown or missing
  ``type``, the root replaced by a scalar or an array, unknown fields;
* the input itself: empty, over 64 KiB, bytes, not a string at all.

Each mutation is named, so a failure points at the layer that broke.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from edu_contracts.registry import PACKAGED_CONTRACTS
from edu_contracts.schemas.queue import TASK_TYPES

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_ODD_CHARS = ["\x00", "\n", " ", "\t", "é", "€", "\ud800", "\udfff", "-", "_", "*", ".", "\u2028"]
_SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63,
    -(2**70),
    1e308,
    -1e-308,
    3.5,
    "",
    "x",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "2026-13-45T99:00:00Z",
    "é" * 50,
    "a" * 5000,
    [],
    {},
    [1, "2", None],
    {"nested": {"deeper": [1]}},
]


def _examples() -> list[dict[str, Any]]:
    folder = PACKAGED_CONTRACTS / "1.0.0" / "examples"
    docs = [
        json.loads(item.read_text()) for item in folder.iterdir() if item.name.endswith(".json")
    ]
    if not docs:  # the contracts folder moved; keep the generator useful anyway
        docs = [{"type": t, "data": {}} for t in TASK_TYPES]
    return docs


def _wire(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, (*prefix, index))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    return doc


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return {}
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    del holder[path[-1]]
    return doc


class MutationGenerator:
    """``generate(n)`` yields ``(mutation name, input)`` pairs, reproducibly."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seeds = _examples()
        self.mutations: list[tuple[str, Callable[[], Any], int]] = [
            ("valid", self._valid, 3),
            ("text_flip", self._text_flip, 6),
            ("text_drop", self._text_drop, 4),
            ("text_insert", self._text_insert, 6),
            ("text_truncate", self._text_truncate, 4),
            ("text_padding", self._text_padding, 3),
            ("text_whitespace", self._text_whitespace, 2),
            ("bytes_bitflip", self._bytes_bitflip, 8),
            ("bytes_truncate", self._bytes_truncate, 4),
            ("bytes_invalid_utf8", self._bytes_invalid_utf8, 4),
            ("bytes_bom_or_trailing", self._bytes_bom_or_trailing, 3),
            ("json_nan_infinity", self._json_nan, 2),
            ("json_duplicate_keys", self._json_duplicate_keys, 2),
            ("json_deep_nesting", self._json_deep_nesting, 1),
            ("struct_delete", self._struct_delete, 8),
            ("struct_replace", self._struct_replace, 12),
            ("struct_type", self._struct_type, 6),
            ("struct_root", self._struct_root, 3),
            ("struct_extra", self._struct_extra, 3),
            ("input_edge", self._input_edge, 1),
        ]
        self._pool = self._build_pool(256)
        self._edges = self._build_edges()
        self._names = [m[0] for m in self.mutations]
        self._fns = [m[1] for m in self.mutations]
        self._weights = [m[2] for m in self.mutations]

    def generate(self, n: int) -> Iterator[tuple[str, Any]]:
        for _ in range(n):
            index = self.rng.choices(range(len(self._fns)), self._weights)[0]
            yield self._names[index], self._fns[index]()

    # --- building blocks -------------------------------------------------
    def _build_pool(self, size: int) -> list[tuple[bytes, str]]:
        """Valid messages, serialised once: mutating a copy is the cheap part."""
        pool = []
        for _ in range(size):
            doc = copy.deepcopy(self.rng.choice(self.seeds))
            doc["message_id"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            raw = json.dumps(doc).encode()
            pool.append((raw, _wire(raw)))
        return pool

    def _doc(self) -> dict[str, Any]:
        return json.loads(self._json())  # a fresh, mutable copy

    def _json(self) -> bytes:
        return self.rng.choice(self._pool)[0]

    def _text(self) -> str:
        return self.rng.choice(self._pool)[1]

    # --- the base64 text -------------------------------------------------
    def _valid(self) -> str:
        return self._text()

    def _text_flip(self) -> str:
        text = list(self._text())
        for _ in range(self.rng.randint(1, 3)):
            text[self.rng.randrange(len(text))] = self.rng.choice(_B64 + "".join(_ODD_CHARS))
        return "".join(text)

    def _text_drop(self) -> str:
        text = self._text()
        at = self.rng.randrange(len(text))
        return text[:at] + text[at + self.rng.randint(1, 4) :]

    def _text_insert(self) -> str:
        text = self._text()
        at = self.rng.randrange(len(text) + 1)
        return text[:at] + self.rng.choice(_ODD_CHARS + list(_B64)) + text[at:]

    def _text_truncate(self) -> str:
        text = self._text()
        return text[: self.rng.randrange(len(text))]

    def _text_padding(self) -> str:
        text = self._text().rstrip("=")
        return text + "=" * self.rng.randint(0, 4)

    def _text_whitespace(self) -> str:
        text = self._text()
        at = self.rng.randrange(len(text))
        return text[:at] + self.rng.choice(["\n", "\r\n", " ", "\t"]) + text[at:]

    # --- the bytes under valid base64 ----------------------------------------
    def _bytes_bitflip(self) -> str:
        raw = bytearray(self._json())
        for _ in range(self.rng.randint(1, 4)):
            raw[self.rng.randrange(len(raw))] ^= 1 << self.rng.randrange(8)
        return _wire(bytes(raw))

    def _bytes_truncate(self) -> str:
        raw = self._json()
        return _wire(raw[: self.rng.randrange(len(raw))])

    def _bytes_invalid_utf8(self) -> str:
        raw = self._json()
        at = self.rng.randrange(len(raw))
        junk = self.rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xf8\x88"])
        return _wire(raw[:at] + junk + raw[at:])

    def _bytes_bom_or_trailing(self) -> str:
        raw = self._json()
        return _wire(
            self.rng.choice([b"\xef\xbb\xbf" + raw, raw + b" garbage", raw + b"}", raw + b"\x00"])
        )

    # --- JSON syntax edges -----------------------------------------------------
    def _json_nan(self) -> str:
        doc = self._doc()
        path = self.rng.choice(list(_paths(doc))[1:])
        _set(doc, path, self.rng.choice([float("nan"), float("inf"), float("-inf")]))
        return _wire(json.dumps(doc, allow_nan=True).encode())

    def _json_duplicate_keys(self) -> str:
        doc = self._doc()
        raw = json.dumps(doc)
        key = self.rng.choice(['"type"', '"data"', '"message_id"'])
        dup = f"{key}: {json.dumps(self.rng.choice(_SCALARS))}, "
        return _wire(raw.replace("{", "{" + dup, 1).encode())

    def _json_deep_nesting(self) -> str:
        depth = self.rng.choice([64, 200, 1_000, 5_000, 15_000])
        opener, closer = self.rng.choice([("[", "]"), ('{"a":', "}")])
        nested = opener * depth + "1" + closer * depth
        doc = self._doc()
        raw = json.dumps(doc)
        if self.rng.random() < 0.5:
            return _wire(nested.encode())  # the root itself
        return _wire(raw.replace('"data": ', '"data": ' + nested + ', "x": ', 1).encode())

    # --- structure -------------------------------------------------------
    def _struct_delete(self) -> str:
        doc = self._doc()
        path = self.rng.choice(list(_paths(doc))[1:])
        return _wire(json.dumps(_delete(doc, path)).encode())

    def _struct_replace(self) -> str:
        doc = self._doc()
        path = self.rng.choice(list(_paths(doc)))
        return _wire(json.dumps(_set(doc, path, copy.deepcopy(self.rng.choice(_SCALARS)))).encode())

    def _struct_type(self) -> str:
        doc = self._doc()
        doc["type"] = self.rng.choice(
            [
                *_SCALARS[:8],
                "Document_Processing",
                "document-processing",
                "",
                "unknown_task",
                *(t.upper() for t in TASK_TYPES),
                *TASK_TYPES,
            ]
        )
        return _wire(json.dumps(doc).encode())

    def _struct_root(self) -> str:
        doc = self._doc()
        root = self.rng.choice([[doc], "message", 42, None, True, [], {}, {"data": doc["data"]}])
        return _wire(json.dumps(root).encode())

    def _struct_extra(self) -> str:
        doc = self._doc()
        holder = doc if self.rng.random() < 0.5 else doc.get("data", doc)
        holder[f"x_{self.rng.randrange(1000)}"] = copy.deepcopy(self.rng.choice(_SCALARS))
        return _wire(json.dumps(doc).encode())

    # --- the input itself --------------------------------------------------
    def _input_edge(self) -> Any:
        return self.rng.choice(self._edges)

    def _build_edges(self) -> list[Any]:
        return [
            "",
            "=",
            "====",
            _wire(b""),
            _wire(b" "),
            _wire(b"null"),
            "A" * (64 * 1024 + 4),
            _wire(b"[" + b"1," * 40_000 + b"1]"),
            self._text().encode("ascii"),
            self._json(),  # JSON that was never base64-encoded, as bytes
            json.dumps(self._doc()),  # ... and as text
            None,
            12345,
            bytearray(b"abcd"),
            ["not", "text"],
        ]
