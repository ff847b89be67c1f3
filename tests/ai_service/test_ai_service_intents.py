"""Intent and language detection: which messages ask for a human, greet, say goodbye, and in which language."""

import pytest

from ai_service.intents import asks_for_human, is_goodbye, is_greeting
from ai_service.language import guess_language, primary_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to talk to a human", True),
        ("agent please", True),
        ("Can I chat with someone?", True),
        ("Je voudrais parler à quelqu'un", True),
        ("Un conseiller svp", True),
        ("where is my order?", False),
        ("someone stole my parcel", False),
    ],
)
def test_asks_for_human(text: str, expected: bool) -> None:
    # In: a customer message. Out: whether it asks for a person.
    assert asks_for_human(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks bye", True),
        ("Thank you so much for your help!", True),
        ("ok, that's all, thanks", True),
        ("Merci beaucoup, bonne journée", True),
        ("thanks, where is my order?", False),
        ("merci, comment annuler ma commande ?", False),
    ],
)
def test_is_goodbye_only_when_nothing_else_is_asked(text: str, expected: bool) -> None:
    # In: a message with or without a closing phrase. Out: goodbye only when nothing else is asked.
    assert is_goodbye(text) is expected


@pytest.mark.parametrize(("text", "expected"), [("Hi there!", True), ("Bonjour", True), ("hello, where is it?", False)])
def test_is_greeting_only_when_nothing_else_is_asked(text: str, expected: bool) -> None:
    # In: a message with or without a greeting. Out: greeting only when nothing else is asked.
    assert is_greeting(text) is expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Where is my order?", "en"),
        ("Où est ma commande ?", "fr"),
        ("Comment retourner un article", "fr"),
        ("livraison", "en"),
        ("réexpédition", "fr"),
    ],
)
def test_guess_language_from_function_words_and_accents(text: str, language: str) -> None:
    # In: a message. Out: "fr" when French function words (or accents) outnumber English ones, else "en".
    assert guess_language(text) == language


@pytest.mark.parametrize(("code", "language"), [("fr-FR", "fr"), ("EN", "en"), ("fr_CA", "fr"), ("", "")])
def test_primary_language(code: str, language: str) -> None:
    # In: a language tag as Dimelo may send it. Out: its lowercase primary subtag.
    assert primary_language(code) == language
