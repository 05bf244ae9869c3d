import numpy as np
import pytest
from edu_contracts.db.base import EMBEDDING_DIM

from edu_worker.embedder import EmptyTextError, HashEmbedder


def test_vectors_are_unit_length_and_the_same_every_time():
    first = HashEmbedder().embed(["Chlorophyll absorbs red light."])
    again = HashEmbedder().embed(["Chlorophyll absorbs red light."])

    assert first.shape == (1, EMBEDDING_DIM)
    assert np.linalg.norm(first[0]) == pytest.approx(1.0, abs=1e-6)
    assert np.array_equal(first, again)


def test_similar_texts_are_nearer_than_unrelated_ones():
    anchor, similar, unrelated = HashEmbedder().embed(
        [
            "Photosynthesis turns light into chemical energy in plants.",
            "In plants, photosynthetic cells turn light energy into chemical energy.",
            "The French Revolution began with the storming of the Bastille.",
        ]
    )

    assert anchor @ similar > 0.4
    assert anchor @ similar > 3 * abs(anchor @ unrelated)


def test_a_text_without_words_cannot_be_embedded():
    with pytest.raises(EmptyTextError):
        HashEmbedder().embed(["  ... !!"])
