"""What a message asks for besides an FAQ answer: a human agent, a greeting back, or the end of the conversation."""

import re

from ai_service.text import normalize


def _phrases(*phrases: str) -> re.Pattern[str]:
    """A pattern finding any of the phrases as whole words in normalized text."""
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


_HUMAN_REQUEST = _phrases(
    r"agents?",
    r"humans?",
    r"a person",
    r"real person",
    r"real people",
    r"someone real",
    r"operators?",
    r"representatives?",
    r"(?:talk|speak|chat) (?:to|with) (?:someone|somebody|anyone)",
    r"conseill(?:er|ere)s?",
    r"humaine?s?",
    r"une personne",
    r"vraie personne",
    r"personne reelle",
    r"operat(?:eur|rice)s?",
    r"(?:parler|discuter) (?:a|avec) quelqu un",
)
_GREETING = _phrases(r"hi", r"hello", r"hey", r"good (?:morning|afternoon|evening)", r"bonjour", r"bonsoir", r"salut")
_CLOSING = _phrases(
    r"thanks?",
    r"thank you",
    r"thx",
    r"ty",
    r"bye",
    r"goodbye",
    r"good bye",
    r"see (?:you|ya)",
    r"cheers",
    r"have a (?:nice|good|great) (?:day|evening|weekend)",
    r"that s (?:all|it)",
    r"nothing else",
    r"merci",
    r"au revoir",
    r"bonne (?:journee|soiree|fin de journee)",
    r"a (?:bientot|plus)",
    r"ciao",
    r"c est tout",
    r"rien d autre",
)
# Words that may stand beside a greeting or a closing without making the message a question.
_FILLER = frozenset(
    [
        "ok",
        "okay",
        "great",
        "perfect",
        "cool",
        "good",
        "nice",
        "fine",
        "very",
        "much",
        "so",
        "lot",
        "lots",
        "a",
        "again",
        "all",
        "you",
        "that",
        "s",
        "it",
        "for",
        "your",
        "help",
        "the",
        "and",
        "no",
        "yes",
        "oh",
        "well",
        "there",
        "everyone",
        "parfait",
        "super",
        "genial",
        "tres",
        "beaucoup",
        "bien",
        "d",
        "accord",
        "daccord",
        "top",
        "et",
        "encore",
        "pour",
        "votre",
        "ton",
        "aide",
        "tout",
        "ca",
        "non",
        "oui",
        "ah",
        "tous",
    ]
)


def asks_for_human(text: str) -> bool:
    """True when the customer asks for a person: "I want to talk to a human", "un conseiller svp"."""
    return _HUMAN_REQUEST.search(normalize(text)) is not None


def is_greeting(text: str) -> bool:
    """True when the message only says hello ("Hi there!", "Bonjour"), with nothing to answer yet."""
    return _only(_GREETING, text)


def is_goodbye(text: str) -> bool:
    """True when the message only thanks or says goodbye ("thanks, bye", "merci, au revoir")."""
    return _only(_CLOSING, text)


def _only(pattern: re.Pattern[str], text: str) -> bool:
    remainder, found = pattern.subn(" ", normalize(text))
    return found > 0 and all(word in _FILLER for word in remainder.split())
