"""The factories' pure-Python contract: exports, configuration checks, rules, determinism."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from typing import Any, ClassVar

import jsonschema
import numpy as np
import pytest
import sqlalchemy as sa

import edu_contracts.factories as factories_module
from edu_contracts.db.models import Chat, Document, Project
from edu_contracts.errors import FactoryError
from edu_contracts.factories import (
    MESSAGE_FACTORIES,
    PAYLOAD_FACTORIES,
    EduFactory,
    EmbeddingSpace,
    Entropy,
    Factories,
    TaskEnvelopeFactory,
)
from edu_contracts.registry import ContractStore
from edu_contracts.schemas.enums import FlashcardState, QuizQuestionKind
from edu_contracts.schemas.queue import (
    CONTRACT_VERSION,
    MESSAGE_ADAPTER,
    TASK_TYPES,
    message_json_schema,
)


def test_exports_are_sorted_and_exact() -> None:
    exported = factories_module.__all__
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    public = {n for n in vars(factories_module) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(factories_module, n)).__name__ == "module"}
    assert set(exported) == public - modules - {"Any"}


def test_a_factory_without_model_is_refused() -> None:
    with pytest.raises(FactoryError, match="does not set __model__"):

        class NoModel(EduFactory[Any]):
            pass


def test_a_parent_that_is_not_a_relationship_is_refused() -> None:
    with pytest.raises(FactoryError, match=r"'owner'.*not a many-to-one"):

        class Wrong(EduFactory[Project]):
            __model__ = Project
            __parents__ = ("owner",)


def test_an_uncovered_foreign_key_is_refused() -> None:
    with pytest.raises(FactoryError, match=r"chats\.project_id has no rule-aware value"):

        class Bare(EduFactory[Chat]):
            __model__ = Chat
            __computed__: ClassVar[frozenset[str]] = frozenset({"title", "messages"})


def test_unknown_nested_override_names_the_mistake() -> None:
    with pytest.raises(FactoryError, match=r"unknown relationship.*'documnets'"):
        Factories(None, seed=0).project(documnets__count=2)


def _graph_digest(seed: int) -> str:
    f = Factories(None, seed=seed)
    rows: list[Any] = [f.project(documents=2), f.practice_record(), f.chat(document=f.document())]
    rows.append(f.task("quiz_generation", project=rows[0]).model_dump(mode="json"))
    seen: list[Any] = []
    for row in rows:
        if isinstance(row, dict):
            seen.append(row)
            continue
        for obj in [row, *getattr(row, "documents", []), *getattr(row, "segments", [])]:
            state = {c.key: getattr(obj, c.key) for c in sa.inspect(type(obj)).column_attrs}
            seen.append(
                {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in state.items()}
            )
    text = json.dumps(
        seen,
        default=lambda v: v.model_dump(mode="json") if hasattr(v, "model_dump") else str(v),
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_seed_same_graph_in_another_process() -> None:
    code = "from tests.factories.test_api import _graph_digest; print(_graph_digest(7))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()  # fmt: skip
    assert other == _graph_digest(7)
    assert _graph_digest(8) != other


def test_entropy_leaves_global_random_state_alone() -> None:
    import random

    state = random.getstate()
    np_state = np.random.get_state()[1].copy()  # type: ignore[index]
    Factories(None, seed=3).document(segments=4)
    assert random.getstate() == state
    assert (np.random.get_state()[1] == np_state).all()  # type: ignore[index]


@pytest.mark.parametrize("seed", range(60))
def test_quiz_options_contain_the_answer(seed: int) -> None:
    quiz = Factories(None, seed=seed).quiz(questions=4)
    for question in quiz.questions:
        correct = [o for o in question.options if o.is_correct]
        if question.kind == QuizQuestionKind.SHORT_ANSWER:
            assert question.options == ()
            assert question.expected_answer
        elif question.kind == QuizQuestionKind.MULTIPLE_CHOICE:
            assert len(correct) >= 1
            assert len(question.options) >= 3
        else:
            assert len(correct) == 1
            assert len(question.options) >= 2


def test_fsrs_state_makes_sense() -> None:
    for seed in range(300):
        row = Factories(None, seed=seed).flashcard_progress()
        assert 0 <= row.lapses <= row.reps
        if row.state == FlashcardState.NEW:
            assert (row.reps, row.stability, row.last_reviewed_at) == (0, 0.0, None)
        else:
            assert row.reps >= 1
            assert 1 <= row.difficulty <= 10
            assert row.stability > 0
            assert row.last_reviewed_at is not None
            assert row.due_at > row.last_reviewed_at
        if row.state == FlashcardState.RELEARNING:
            assert row.lapses >= 1


def test_embeddings_are_unit_vectors_nearer_to_their_own_cluster() -> None:
    space = EmbeddingSpace(Entropy(11))
    a, b = space.cluster("doc-a", 20), space.cluster("doc-b", 20)
    assert a.shape == (20, 3072)
    assert a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    within = (a @ a.T)[np.triu_indices(20, 1)]
    across = a @ b.T
    assert within.min() > across.max() + 0.3
    assert np.array_equal(space.centroid("doc-a"), EmbeddingSpace(Entropy(11)).centroid("doc-a"))


def test_message_factories_cover_every_task_type() -> None:
    assert set(MESSAGE_FACTORIES) == set(TASK_TYPES)
    assert set(PAYLOAD_FACTORIES) == set(TASK_TYPES)


@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_every_message_validates_against_its_released_contract(task_type: str) -> None:
    """The released snapshot of the version the message claims, not only today's models."""
    released = ContractStore().message_schema(CONTRACT_VERSION)
    validators = [
        jsonschema.Draft202012Validator(released),
        jsonschema.Draft202012Validator(message_json_schema()),
    ]
    for seed in range(50):
        message = Factories(None, seed=seed).message(task_type)
        wire = message.model_dump(mode="json")
        assert wire["contract_version"] == CONTRACT_VERSION
        for validator in validators:
            validator.validate(wire)
        assert MESSAGE_ADAPTER.validate_python(wire) == message
        assert message.created_at.tzinfo is not None


def test_envelope_and_payload_factories_build_valid_models() -> None:
    envelope = TaskEnvelopeFactory.build()
    assert envelope.contract_version
    for factory in PAYLOAD_FACTORIES.values():
        payload = factory.build()
        assert type(payload).model_validate(payload.model_dump(mode="json")) == payload


def test_tasks_from_rows_name_rows_that_belong_together() -> None:
    f = Factories(None, seed=4)
    project = f.project(documents=3)
    task = f.task("flashcard_generation", project=project, count=5)
    assert task.data.document_ids == tuple(d.id for d in project.documents)
    assert task.data.user_id == project.user_id
    assert task.data.count == 5
    other: Document = f.document()
    with pytest.raises(FactoryError, match="not in project"):
        f.task("note_generation", project=project, documents=[other])
    with pytest.raises(FactoryError, match="unknown task type"):
        f.task("document_procesing", document=other)


def test_unbound_factories_build_in_memory_and_refuse_to_persist() -> None:
    from edu_contracts.factories import DocumentFactory, UserFactory

    doc = DocumentFactory.build(status="failed")
    assert doc.error_message
    assert doc.segments == []
    with pytest.raises(FactoryError, match="needs a database session"):
        UserFactory.create_sync()
