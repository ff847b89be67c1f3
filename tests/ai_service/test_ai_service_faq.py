"""The packaged FAQ and the matcher: which entry a question finds, and how sure the match is."""

import json
from pathlib import Path

import pytest

from ai_service.faq import load_faq, topic_words
from ai_service.settings import PACKAGED_FAQ, AiSettings

THRESHOLD = AiSettings().confidence_threshold


@pytest.fixture(scope="module")
def faq():
    return load_faq(PACKAGED_FAQ)


def test_packaged_faq_covers_the_shop_topics_in_english_and_french(faq) -> None:
    # In: the packaged faq.json. Out: at least 8 entries, each with English and French questions and answers.
    assert len(faq.entries) >= 8
    for entry in faq.entries:
        assert {"en", "fr"} <= set(entry.questions) == set(entry.answers)
    assert any("**" in entry.answers["en"] and "\n1. " in entry.answers["en"] for entry in faq.entries)


def test_topic_words_drop_function_words_accents_and_endings() -> None:
    # In: a French question with accents and an English plural. Out: stemmed topic words only.
    assert topic_words("Où est ma commande ?") == ("comma",)
    assert topic_words("What are your RETURNS policies?") == ("retur", "polic")


@pytest.mark.parametrize(
    ("question", "language", "entry_id"),
    [
        ("how long will shipping take", "en", "delivery_times"),
        ("my parcel still hasn't arrived, where is it?", "en", "order_tracking"),
        ("do you accept paypal", "en", "payment_methods"),
        ("i cant remember my password", "en", "password_reset"),
        ("what time are you open on saturday", "en", "opening_hours"),
        ("i never got my refund", "en", "refunds"),
        ("how much does delivery cost", "en", "shipping_costs"),
        ("cancel my order please", "en", "cancel_order"),
        ("où se trouve mon colis", "fr", "order_tracking"),
        ("a quelle heure ouvrez vous", "fr", "opening_hours"),
        ("j'ai perdu mon mot de passe", "fr", "password_reset"),
        ("quand vais-je être remboursé", "fr", "refunds"),
    ],
)
def test_paraphrases_find_their_entry_above_the_threshold(faq, question: str, language: str, entry_id: str) -> None:
    # In: a paraphrase of an FAQ question. Out: its entry, with a score at or above the default threshold.
    match = faq.best_match(question, language)
    assert match.entry.id == entry_id
    assert match.score >= THRESHOLD


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what's the weather tomorrow", "en"),
        ("tell me a joke", "en"),
        ("is this product available in blue", "en"),
        ("my invoice is wrong", "en"),
        ("avez-vous un magasin à Lyon", "fr"),
        ("quel temps fera-t-il demain", "fr"),
    ],
)
def test_off_topic_questions_stay_below_the_threshold(faq, question: str, language: str) -> None:
    # In: a question the FAQ does not cover. Out: a best match scoring below the default threshold.
    assert faq.best_match(question, language).score < THRESHOLD


def test_question_of_only_function_words_or_unknown_language_has_no_match(faq) -> None:
    # In: a question with no topic word; a language without FAQ. Out: no match.
    assert faq.best_match("Can you do it for me?", "en") is None
    assert faq.best_match("where is my order", "de") is None


def test_entry_with_answers_in_other_languages_than_questions_is_refused(tmp_path: Path) -> None:
    # In: an entry with English questions but only a French answer. Out: ValueError naming the entry.
    path = tmp_path / "faq.json"
    path.write_text(json.dumps({"entries": [{"id": "x", "questions": {"en": ["q"]}, "answer": {"fr": "r"}}]}))
    with pytest.raises(ValueError, match="'x'"):
        load_faq(path)
