"""The 15 canonical tables of the edu platform (the seed's ``edu_shared.db.models``).

Importing this package registers every model on ``Base.metadata``; Alembic
and the table contracts read that metadata, so nothing may define a table
outside it.
"""

from edu_contracts.db.models.chat import Chat
from edu_contracts.db.models.content import MindMap, Note
from edu_contracts.db.models.document import Document, DocumentSegment
from edu_contracts.db.models.flashcard import Flashcard, FlashcardGroup, FlashcardProgress
from edu_contracts.db.models.project import Project
from edu_contracts.db.models.quiz import Quiz, QuizQuestion
from edu_contracts.db.models.study import PracticeRecord, StudySession
from edu_contracts.db.models.user import User, UserUsage

__all__ = [
    "Chat",
    "Document",
    "DocumentSegment",
    "Flashcard",
    "FlashcardGroup",
    "FlashcardProgress",
    "MindMap",
    "Note",
    "PracticeRecord",
    "Project",
    "Quiz",
    "QuizQuestion",
    "StudySession",
    "User",
    "UserUsage",
]
