from edu_worker.text import split_segments

TEXT = "Cells divide. Mitosis has four phases!\nProphase comes first.  Then metaphase?"


def test_segments_keep_whole_sentences_and_their_offsets():
    segments = split_segments(TEXT, max_words=5)

    assert [s.content for s in segments] == [
        "Cells divide.",
        "Mitosis has four phases!",
        "Prophase comes first.  Then metaphase?",
    ]
    assert all(TEXT[s.start : s.end] == s.content for s in segments)


def test_a_sentence_longer_than_the_budget_is_cut_between_words():
    long = " ".join(f"w{i}" for i in range(25)) + "."

    segments = split_segments(long, max_words=10)

    assert [s.words for s in segments] == [10, 10, 5]
    assert " ".join(s.content for s in segments) == long


def test_blank_text_has_no_segments():
    assert split_segments(" \n\t ") == []
