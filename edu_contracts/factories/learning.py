"""Quiz questions with their options, graded answers, and FSRS memory states.

The rules a database CHECK cannot see live here: a choice question's options
contain its answer (exactly one correct for single choice and true/false),
an answer's grade agrees with the options it chose, and a card's memory
state is one an FSRS scheduler could have reached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from edu_contracts.factories.content import capitalised
from edu_contracts.factories.streams import Entropy
from edu_contracts.factories.topics import TOPICS, Topic
from edu_contracts.schemas.enums import FlashcardState, QuizQuestionKind
from edu_contracts.schemas.jsonb import QuizOption

__all__ = ["fsrs_state", "quiz_answer", "quiz_question"]


def quiz_question(entropy: Entropy, topic: Topic, kind: QuizQuestionKind) -> dict[str, Any]:
    """Prompt, options, expected answer and explanation for one question.

    Choice questions always contain the right answer among their options,
    with exactly one correct option unless the kind is multiple choice.
    """
    rnd = entropy.random
    answer = rnd.choice(topic.terms)
    others = [t for t in topic.terms if t is not answer]
    explanation = f"{capitalised(answer.name)} is {answer.definition}."
    if kind is QuizQuestionKind.SHORT_ANSWER:
        prompt = f"Name the term defined as: {answer.definition}."
        return {
            "prompt": prompt,
            "options": (),
            "expected_answer": answer.name,
            "explanation": explanation,
        }
    if kind is QuizQuestionKind.TRUE_FALSE:
        truthful = rnd.random() < 0.5
        definition = answer.definition if truthful else rnd.choice(others).definition
        options: tuple[QuizOption, ...] = (
            QuizOption(key="true", text="True", is_correct=truthful),
            QuizOption(key="false", text="False", is_correct=not truthful),
        )
        prompt = f"True or false: {answer.name} is {definition}."
        return {
            "prompt": prompt,
            "options": options,
            "expected_answer": None,
            "explanation": explanation,
        }
    if kind is QuizQuestionKind.MULTIPLE_CHOICE:
        foreign = [t for other in TOPICS if other is not topic for t in other.terms]
        right = [answer, *rnd.sample(others, rnd.randint(0, 2))]
        choices = [(t, True) for t in right] + [(t, False) for t in rnd.sample(foreign, 2)]
        prompt = f"Which of these are terms of {topic.name.lower()}?"
        explanation = (
            f"{', '.join(capitalised(t.name) for t in right)} belong to {topic.name.lower()}."
        )
    else:
        choices = [(answer, True)] + [(t, False) for t in rnd.sample(others, 3)]
        prompt = f"Which term is defined as: {answer.definition}?"
    rnd.shuffle(choices)
    options = tuple(
        QuizOption(key="abcdefgh"[i], text=capitalised(term.name), is_correct=correct)
        for i, (term, correct) in enumerate(choices)
    )
    return {
        "prompt": prompt,
        "options": options,
        "expected_answer": None,
        "explanation": explanation,
    }


def quiz_answer(
    entropy: Entropy,
    kind: QuizQuestionKind | str,
    options: Sequence[QuizOption],
    expected_answer: str | None,
    topic: Topic,
) -> dict[str, Any]:
    """A learner's answer to a question, right about 70 % of the time, and its grade."""
    rnd = entropy.random
    right = rnd.random() < 0.7
    kind = QuizQuestionKind(kind)
    if kind is QuizQuestionKind.SHORT_ANSWER:
        expected = expected_answer or ""
        answer = expected if right else rnd.choice(topic.terms).name
        correct = answer == expected
        return {"answer": answer, "is_correct": correct, "score": 1.0 if correct else 0.0}
    truth = {o.key for o in options if o.is_correct}
    if kind is QuizQuestionKind.MULTIPLE_CHOICE:
        chosen = truth if right else set(rnd.sample([o.key for o in options], 2))
        hits = len(chosen & truth) - len(chosen - truth)
        score = max(0.0, hits / len(truth))
    else:
        wrong = [o.key for o in options if not o.is_correct]
        chosen = truth if right or not wrong else {rnd.choice(wrong)}
        score = 1.0 if chosen == truth else 0.0
    answer = ", ".join(o.text for o in options if o.key in chosen)
    return {"answer": answer, "is_correct": chosen == truth, "score": round(score, 4)}


def fsrs_state(entropy: Entropy, state: FlashcardState, created_at: dt.datetime) -> dict[str, Any]:
    """A memory state an FSRS scheduler could have produced.

    New cards have no history; learning cards are minutes to a day from due;
    review cards are due about one stability-interval after their last
    review (the interval FSRS picks at 90 % retention); relearning cards have
    lapsed at least once. Difficulty stays in FSRS's 1..10 once reviewed.
    """
    rnd = entropy.random
    if state is FlashcardState.NEW:
        return {
            "state": state,
            "stability": 0.0,
            "difficulty": 0.0,
            "reps": 0,
            "lapses": 0,
            "due_at": created_at,
            "last_reviewed_at": None,
        }
    last = created_at + dt.timedelta(days=rnd.uniform(0.01, 60))
    if state is FlashcardState.LEARNING:
        reps, lapses, stability = rnd.randint(1, 3), 0, rnd.uniform(0.1, 2.0)
        due = last + dt.timedelta(minutes=rnd.randint(1, 1440))
    elif state is FlashcardState.REVIEW:
        reps = rnd.randint(2, 40)
        lapses = rnd.randint(0, reps // 4)
        stability = rnd.uniform(1.0, 365.0)
        due = last + dt.timedelta(days=stability)
    else:
        reps = rnd.randint(2, 40)
        lapses = rnd.randint(1, max(1, reps // 3))
        stability = rnd.uniform(0.1, 5.0)
        due = last + dt.timedelta(minutes=rnd.randint(10, 1440))
    return {
        "state": state,
        "stability": round(stability, 4),
        "difficulty": round(rnd.uniform(1.0, 10.0), 4),
        "reps": reps,
        "lapses": lapses,
        "due_at": due,
        "last_reviewed_at": last,
    }
