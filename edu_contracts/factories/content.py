"""Realistic column values, shared by the ORM factories and the bulk seed loader.

Each function draws only from the ``Entropy`` it is given and returns plain
values that already satisfy the table's CHECK rules (a month usage row
starts on the 1st, lapses never exceed reps, a choice question has at least
two options and one of them is right). Keeping the rules here, once, is what
lets the ORM path and the COPY path produce the same kind of data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Any, cast

from edu_contracts.factories.streams import Clock, Entropy
from edu_contracts.factories.topics import TOPICS, Term, Topic
from edu_contracts.schemas.enums import (
    ChatRole,
    DocumentSourceKind,
    DocumentStatus,
    UsagePeriod,
)
from edu_contracts.schemas.jsonb import (
    ChatMessage,
    Citation,
    MindMapEdge,
    MindMapGraph,
    MindMapNode,
)

__all__ = [
    "EMBEDDING_MODEL",
    "capitalised",
    "chat_transcript",
    "document_columns",
    "document_title",
    "flashcard_sides",
    "identity",
    "markdown_note",
    "mind_map_graph",
    "pick_topic",
    "project_text",
    "segment_text",
    "usage_counters",
]

EMBEDDING_MODEL = "text-embedding-3-large"
"""The model name written next to every generated vector (3072 dimensions)."""

_SENTENCES = (
    "{T} is {d}.",
    "In {topic}, {t} is often discussed together with {u}.",
    "A common exam question asks how {t} relates to {u}.",
    "Students often confuse {t} with {u}, but the two differ in important ways.",
    "Understanding {t} makes it much easier to reason about {u}.",
    "The lecture introduces {t} before moving on to {u}.",
    "As {name} points out, {t} is {d}.",
    "Worked examples on {t} usually appear near the end of the chapter.",
    "Keep in mind that {t} and {u} are both central ideas of {topic}.",
    "Revising {t} with spaced practice helps to remember it for the exam.",
)
_FAILURES = (
    "the PDF is encrypted",
    "no text could be extracted",
    "the embedding service timed out after 3 retries",
)
_NAMES = ("Dr. Alvarez", "Prof. Chen", "Ms. Okafor", "Dr. Lindqvist", "Prof. Haddad", "Dr. Ito")


def pick_topic(entropy: Entropy) -> Topic:
    return entropy.random.choice(TOPICS)


def capitalised(text: str) -> str:
    """First letter upper-case, the rest as written (``TCP`` stays ``TCP``)."""
    return text[:1].upper() + text[1:]


def _two_terms(entropy: Entropy, topic: Topic) -> tuple[Term, Term]:
    """Two different terms; index arithmetic, because ``Random.sample`` costs ten times
    more and this runs four times per segment of a 100,000-segment load."""
    terms = topic.terms
    rnd = entropy.random
    first = rnd.randrange(len(terms))
    second = rnd.randrange(len(terms) - 1)
    return terms[first], terms[second + (second >= first)]


def identity(entropy: Entropy, user_id: uuid.UUID) -> tuple[str, str]:
    """A lower-case, unique e-mail and a display name.

    Uniqueness comes from the user's own id (drawn from the seed), not from a
    counter: two factory sets with different seeds in one database never
    collide, while one seed still yields the same address every time.
    """
    with entropy.faker() as faker:
        first, last = faker.first_name(), faker.last_name()
        domain = faker.free_email_domain()
    local = re.sub(r"[^a-z0-9]+", ".", f"{first}.{last}".lower()).strip(".") or "learner"
    return f"{local}.{user_id.hex[:12]}@{domain.lower()}", f"{first} {last}"


def project_text(entropy: Entropy, topic: Topic) -> tuple[str, str]:
    """A course-like project name and a one-line description."""
    code = f"{topic.subject[:3].upper()} {entropy.random.randint(100, 499)}"
    name = f"{code}: {topic.name}"
    terms = ", ".join(t.name for t in entropy.random.sample(topic.terms, 3))
    return name, f"Exam preparation for {topic.name.lower()}: {terms}."


def document_title(entropy: Entropy, topic: Topic) -> str:
    term = entropy.random.choice(topic.terms)
    pattern = entropy.random.randrange(4)
    number = entropy.random.randint(1, 14)
    if pattern == 0:
        return f"{topic.name}, lecture {number}"
    if pattern == 1:
        return f"Chapter {number}: {capitalised(term.name)}"
    if pattern == 2:
        return f"{topic.name} study guide"
    return f"Notes on {term.name} ({topic.subject})"


def document_columns(
    entropy: Entropy,
    clock: Clock,
    topic: Topic,
    *,
    project_id: uuid.UUID | None,
    document_id: uuid.UUID,
    created_at: dt.datetime,
    status: DocumentStatus,
    text: str | None = None,
) -> dict[str, Any]:
    """A document's columns for ``status``: a failed one has an error, a pending one no
    processing time; a file has pages and a blob path, pasted text neither."""
    rnd = entropy.random
    if text is not None:
        kind = DocumentSourceKind.TEXT
    else:
        kind = rnd.choice(
            (DocumentSourceKind.FILE, DocumentSourceKind.FILE, DocumentSourceKind.URL)
        )
    title = document_title(entropy, topic)
    body = text if text is not None else segment_text(entropy, topic, 6)
    values: dict[str, Any] = {
        "title": title,
        "source_kind": kind,
        "status": status,
        "content_sha256": hashlib.sha256(body.encode()).hexdigest(),
        "error_message": None,
        "processed_at": None,
        "source_uri": None,
        "mime_type": "text/plain",
        "size_bytes": len(body.encode()),
        "page_count": None,
    }
    if kind is DocumentSourceKind.FILE:
        values["source_uri"] = f"documents/{project_id}/{document_id}.pdf"
        values["mime_type"] = "application/pdf"
        values["page_count"] = rnd.randint(1, 120)
        values["size_bytes"] = values["page_count"] * rnd.randint(20_000, 90_000)
    elif kind is DocumentSourceKind.URL:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        values["source_uri"] = f"https://www.example.edu/courses/{slug}"
        values["mime_type"] = "text/html"
    if status in (DocumentStatus.READY, DocumentStatus.FAILED):
        values["processed_at"] = clock.after(created_at, max_seconds=900)
    if status is DocumentStatus.FAILED:
        values["error_message"] = rnd.choice(_FAILURES)
    return values


def segment_text(entropy: Entropy, topic: Topic, sentences: int = 4) -> str:
    """A paragraph about ``topic`` that mentions its terms (what RAG would retrieve)."""
    out = []
    rnd = entropy.random
    for _ in range(sentences):
        term, other = _two_terms(entropy, topic)
        out.append(
            rnd.choice(_SENTENCES).format(
                T=capitalised(term.name),
                t=term.name,
                d=term.definition,
                u=other.name,
                topic=topic.name,
                name=rnd.choice(_NAMES),
            )
        )
    return " ".join(out)


def markdown_note(entropy: Entropy, topic: Topic, title: str) -> str:
    terms = entropy.random.sample(topic.terms, entropy.random.randint(3, len(topic.terms)))
    lines = [f"# {title}", "", "## Key terms", ""]
    lines += [f"- **{capitalised(t.name)}**: {t.definition}." for t in terms]
    lines += ["", "## Summary", "", segment_text(entropy, topic, 3), ""]
    if entropy.chance(0.5):
        lines += ["> Tip: review these terms again in three days.", ""]
    return "\n".join(lines)


def flashcard_sides(entropy: Entropy, topic: Topic) -> tuple[str, str]:
    term = entropy.random.choice(topic.terms)
    if entropy.chance(0.5):
        return f"What is {term.name}?", f"{capitalised(term.definition)}."
    return f"Which term of {topic.name.lower()} means: {term.definition}?", capitalised(term.name)


def chat_transcript(
    entropy: Entropy,
    topic: Topic,
    start: dt.datetime,
    turns: int,
    sources: Sequence[tuple[uuid.UUID, uuid.UUID]] = (),
) -> tuple[ChatMessage, ...]:
    """Alternating user questions and assistant answers, ``turns`` messages in all.

    Answers cite ``sources`` (segment id, document id) when there are any,
    as a RAG answer would; only assistant turns carry citations.
    """
    rnd = entropy.random
    moment = start
    messages: list[ChatMessage] = []
    for index in range(turns):
        moment += dt.timedelta(seconds=rnd.randint(5, 240), microseconds=rnd.randrange(10**6))
        term, other = _two_terms(entropy, topic)
        if index % 2 == 0:
            role, citations = ChatRole.USER, cast("tuple[Citation, ...]", ())
            text = rnd.choice(
                (
                    f"What is {term.name}?",
                    f"How does {term.name} relate to {other.name}?",
                    f"Can you explain {term.name} with an example?",
                )
            )
        else:
            role = ChatRole.ASSISTANT
            text = (
                f"{capitalised(term.name)} is {term.definition}. "
                f"It is often compared with {other.name}."
            )
            picked = rnd.sample(list(sources), min(len(sources), rnd.randint(1, 3)))
            citations = tuple(
                Citation(segment_id=s, document_id=d, distance=round(rnd.uniform(0.05, 0.6), 4))
                for s, d in picked
            )
        messages.append(
            ChatMessage(
                id=entropy.uuid(), role=role, content=text, created_at=moment, citations=citations
            )
        )
    return tuple(messages)


def mind_map_graph(
    entropy: Entropy, topic: Topic, segment_ids: Sequence[uuid.UUID] = ()
) -> MindMapGraph:
    """A root concept, its terms as children, and a few labelled cross-links."""
    rnd = entropy.random
    terms = rnd.sample(topic.terms, rnd.randint(3, len(topic.terms)))
    nodes = [MindMapNode(id="root", label=topic.name)]
    for i, term in enumerate(terms):
        cited = tuple(rnd.sample(list(segment_ids), min(2, len(segment_ids))))
        nodes.append(MindMapNode(id=f"n{i}", label=term.name, parent_id="root", segment_ids=cited))
    edges = []
    for _ in range(rnd.randint(0, 2)):
        a, b = rnd.sample(range(len(terms)), 2)
        edges.append(MindMapEdge(source=f"n{a}", target=f"n{b}", label="relates to"))
    return MindMapGraph(nodes=tuple(nodes), edges=tuple(edges))


def usage_counters(entropy: Entropy, period: UsagePeriod) -> dict[str, int]:
    """Counters of one day or month that agree with each other (tokens >= messages)."""
    rnd = entropy.random
    scale = 1 if period is UsagePeriod.DAY else 25
    documents = rnd.randint(0, 3) * scale
    pages = documents * rnd.randint(1, 40)
    messages = rnd.randint(0, 40) * scale
    return {
        "documents_uploaded": documents,
        "pages_processed": pages,
        "segments_embedded": pages * rnd.randint(2, 6),
        "chat_messages": messages,
        "input_tokens": messages * rnd.randint(200, 2000),
        "output_tokens": messages * rnd.randint(50, 600),
        "items_generated": rnd.randint(0, 60) * scale,
    }
