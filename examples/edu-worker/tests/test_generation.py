import pytest
from edu_contracts.db.models import Document, FlashcardGroup, Quiz
from edu_contracts.schemas.queue import (
    FlashcardGenerationData,
    FlashcardGenerationMessage,
    QuizGenerationData,
    QuizGenerationMessage,
)
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

pytestmark = pytest.mark.anyio

TEXT = """The mitochondrion produces most of the cell's energy. Ribosomes assemble proteins.
The nucleus stores the genetic information. Lysosomes digest worn-out organelles.
"""


async def fresh(session, doc):
    """``doc`` as the worker's sessions left it, with what the tests read loaded
    (an ``AsyncSession`` cannot lazy-load)."""
    return await session.get(
        Document,
        doc.id,
        populate_existing=True,
        options=[
            selectinload(Document.project),
            selectinload(Document.segments),
            selectinload(Document.flashcard_groups).selectinload(FlashcardGroup.flashcards),
            selectinload(Document.quizzes).selectinload(Quiz.questions),
        ],
    )


@pytest.fixture
async def ready_document(edu_async_session, work, queued):
    doc = await queued(TEXT)
    await work()
    doc = await fresh(edu_async_session, doc)
    assert doc.status == "ready"
    return doc


def _generation(model, data_model, doc, **fields):
    data = data_model(
        project_id=doc.project_id, user_id=doc.project.user_id, document_ids=(doc.id,), **fields
    )
    return model(data=data)


async def _count(session, model, **where):
    return await session.scalar(select(func.count()).select_from(model).filter_by(**where))


async def test_flashcards_are_generated_from_the_documents_segments(
    ready_document, edu_async_queue, edu_async_session, work
):
    await edu_async_queue.send(
        _generation(FlashcardGenerationMessage, FlashcardGenerationData, ready_document, count=3)
    )

    report = await work()

    assert [o.status for o in report.outcomes] == ["done"]
    doc = await fresh(edu_async_session, ready_document)
    (group,) = doc.flashcard_groups
    assert len(group.flashcards) == 3
    segment_ids = {s.id for s in doc.segments}
    for card in group.flashcards:
        assert "_____" in card.front
        assert card.back not in card.front
        assert card.source_segment_id in segment_ids


async def test_a_redelivered_generation_task_makes_one_result(
    ready_document, edu_async_queue, edu_async_session, work
):
    message = _generation(QuizGenerationMessage, QuizGenerationData, ready_document, count=2)
    await edu_async_queue.send(message)
    await edu_async_queue.send(message)  # at-least-once delivery: the same task twice

    report = await work()

    assert [o.status for o in report.outcomes] == ["done", "done"]
    assert await _count(edu_async_session, Quiz, project_id=ready_document.project_id) == 1


async def test_quiz_questions_have_exactly_one_right_answer(
    ready_document, edu_async_queue, edu_async_session, work
):
    await edu_async_queue.send(
        _generation(QuizGenerationMessage, QuizGenerationData, ready_document, count=4)
    )

    await work()

    (quiz,) = (await fresh(edu_async_session, ready_document)).quizzes
    assert len(quiz.questions) == 4
    for question in quiz.questions:
        assert len(question.options) >= 2
        assert sum(o.is_correct for o in question.options) == 1


async def test_generation_from_an_unprocessed_document_fails_without_retry(
    upload, edu_async_queue, edu_async_session, work
):
    pending = await fresh(edu_async_session, await upload(TEXT))
    await edu_async_queue.send(
        _generation(FlashcardGenerationMessage, FlashcardGenerationData, pending)
    )

    report = await work()

    assert [(o.status, o.detail) for o in report.outcomes] == [
        ("failed", "none of the requested documents is processed")
    ]
    assert await _count(edu_async_session, FlashcardGroup) == 0
    assert await edu_async_queue.messages() == []
