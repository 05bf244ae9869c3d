"""Study topics with real terms and definitions: the raw material of generated content.

Why hand-written data and not Faker's lorem: a quiz whose options are Latin
filler cannot show that an option list contains its answer, and a flashcard
whose back is noise cannot be read in a demo. Every generated question,
card, note, chat answer and segment is assembled from these pairs, so the
data is internally consistent: the term a question asks for is among its
options, and the segment a card cites mentions the card's term.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = ["TOPICS", "Term", "Topic", "topic_of"]


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    subject: str
    terms: tuple[Term, ...]


def _topic(name: str, subject: str, *pairs: tuple[str, str]) -> Topic:
    return Topic(name, subject, tuple(Term(n, d) for n, d in pairs))


TOPICS: tuple[Topic, ...] = (
    _topic(
        "Cell Biology",
        "Biology",
        ("mitochondrion", "the organelle that produces most of the cell's ATP"),
        ("ribosome", "the structure that assembles proteins from amino acids"),
        ("nucleus", "the membrane-bound compartment that holds the cell's DNA"),
        ("osmosis", "the diffusion of water across a semi-permeable membrane"),
        ("enzyme", "a protein that speeds up a reaction without being consumed"),
        ("chloroplast", "the organelle in which photosynthesis takes place"),
    ),
    _topic(
        "Linear Algebra",
        "Mathematics",
        ("eigenvector", "a non-zero vector whose direction a linear map leaves unchanged"),
        ("determinant", "a scalar that says how a square matrix scales volume"),
        ("rank", "the dimension of the space spanned by a matrix's columns"),
        ("orthogonal matrix", "a square matrix whose columns are orthonormal"),
        ("null space", "the set of vectors that a matrix maps to zero"),
        ("basis", "a linearly independent set of vectors that spans a space"),
    ),
    _topic(
        "The French Revolution",
        "History",
        ("Estates-General", "the assembly of the three orders of France, convened in 1789"),
        ("Bastille", "the Paris fortress and prison stormed on 14 July 1789"),
        ("Reign of Terror", "the period of mass executions led by the Committee of Public Safety"),
        ("Jacobins", "the radical political club most associated with Robespierre"),
        ("Directory", "the five-member executive that governed France from 1795 to 1799"),
        ("sans-culottes", "the urban working people who pushed the revolution to the left"),
    ),
    _topic(
        "Macroeconomics",
        "Economics",
        ("inflation", "a sustained rise in the general price level"),
        ("GDP", "the market value of all final goods and services produced in a period"),
        ("fiscal policy", "the use of government spending and taxation to steer the economy"),
        ("monetary policy", "central-bank management of interest rates and money supply"),
        ("recession", "a significant decline in economic activity lasting several months"),
        ("comparative advantage", "the ability to produce a good at a lower opportunity cost"),
    ),
    _topic(
        "Organic Chemistry",
        "Chemistry",
        ("alkane", "a hydrocarbon that contains only single bonds"),
        ("isomer", "a molecule with the same formula as another but a different structure"),
        ("chirality", "the property of a molecule that differs from its mirror image"),
        ("functional group", "a group of atoms that gives a molecule its typical reactions"),
        ("nucleophile", "a species that donates an electron pair to form a bond"),
        ("ester", "a compound formed by the reaction of an acid with an alcohol"),
    ),
    _topic(
        "Computer Networks",
        "Computer Science",
        ("TCP", "a connection-oriented transport protocol with reliable, ordered delivery"),
        ("DNS", "the system that translates domain names into IP addresses"),
        ("router", "a device that forwards packets between networks"),
        ("latency", "the time a packet takes to travel from source to destination"),
        ("subnet mask", "a bit mask that splits an IP address into network and host parts"),
        ("TLS", "the protocol that encrypts traffic between a client and a server"),
    ),
    _topic(
        "Classical Mechanics",
        "Physics",
        ("inertia", "the tendency of a body to keep its state of motion"),
        ("momentum", "the product of a body's mass and its velocity"),
        ("torque", "the rotational effect of a force about an axis"),
        ("friction", "the force that resists relative motion between two surfaces"),
        ("kinetic energy", "the energy a body has because of its motion"),
        ("acceleration", "the rate of change of velocity with time"),
    ),
    _topic(
        "Cognitive Psychology",
        "Psychology",
        ("working memory", "the limited system that holds information for immediate use"),
        ("spacing effect", "better retention when study is spread out over time"),
        ("retrieval practice", "strengthening a memory by actively recalling it"),
        ("cognitive load", "the amount of mental effort being used in working memory"),
        ("schema", "an organised framework of knowledge that guides interpretation"),
        ("priming", "exposure to one stimulus changing the response to another"),
    ),
)
"""Eight topics of six terms; enough for distractors from the same subject."""


def topic_of(project_id: uuid.UUID | None) -> Topic:
    """The study topic of a project, derived from its id (stable, costs no column)."""
    return TOPICS[project_id.int % len(TOPICS)] if project_id is not None else TOPICS[0]
