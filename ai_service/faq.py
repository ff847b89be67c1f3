"""The FAQ: loading the JSON file and finding the entry closest to a customer's question."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from ai_service.language import STOP_WORDS
from ai_service.text import normalize

_IGNORED_WORDS = STOP_WORDS["en"] | STOP_WORDS["fr"]
# Crude stemming: words that share their first letters count as one ("return", "returns", "returned").
_STEM_LENGTH = 5
# Two words are the same word with a typo when their similarity reaches this (out of 100).
_SAME_WORD = 80


@dataclass(frozen=True)
class FaqEntry:
    """One topic: its question variants and its answer, per language."""

    id: str
    questions: Mapping[str, Sequence[str]]
    answers: Mapping[str, str]


@dataclass(frozen=True)
class FaqMatch:
    """The entry whose question variant is closest to the customer's question, with the similarity from 0 to 1."""

    entry: FaqEntry
    variant: str
    score: float


def topic_words(text: str) -> tuple[str, ...]:
    """The text's words that say something of the topic, normalized and stemmed."""
    return tuple(word[:_STEM_LENGTH] for word in normalize(text).split() if word not in _IGNORED_WORDS)


def similarity(question: tuple[str, ...], variant: tuple[str, ...]) -> float:
    """From 0 to 1: the mean of rapidfuzz's string similarity (order and typo tolerant) and the words in common.

    The string part averages `token_set_ratio` (high when one text's words are within the other's) and
    `token_sort_ratio` (penalizes words only one text has); the word part counts shared topic words, typos
    forgiven. Kept after a comparison on paraphrased and off-topic questions (the tests' 24 and 17 new ones):
    at its best threshold this mix misjudged 1, single rapidfuzz scorers (WRatio, QRatio, token_set_ratio,
    token_sort_ratio) and a TF-IDF cosine 3 or 4.
    """
    asked, known = " ".join(question), " ".join(variant)
    strings = (fuzz.token_set_ratio(asked, known) + fuzz.token_sort_ratio(asked, known)) / 200
    return (strings + _shared_words(question, variant)) / 2


def _shared_words(question: tuple[str, ...], variant: tuple[str, ...]) -> float:
    """How many of the variant's words the question has (counted twice) and of the question's the variant has."""
    if not question or not variant:
        return 0.0
    in_question = sum(_best_word_match(word, question) for word in variant) / len(variant)
    in_variant = sum(_best_word_match(word, variant) for word in question) / len(question)
    return (2 * in_question + in_variant) / 3


def _best_word_match(word: str, words: tuple[str, ...]) -> float:
    """From 0 to 1: how close the closest of `words` is to `word`; 0 when none is the same word with a typo."""
    best = process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=_SAME_WORD)
    return best[1] / 100 if best else 0.0


class Faq:
    """The FAQ entries, with each language's question variants prepared for matching."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        self._variants: dict[str, list[tuple[tuple[str, ...], FaqEntry, str]]] = {}
        for entry in self.entries:
            for language, variants in entry.questions.items():
                prepared = ((topic_words(variant), entry, variant) for variant in variants)
                self._variants.setdefault(language, []).extend(prepared)

    def entry(self, entry_id: str) -> FaqEntry | None:
        return next((entry for entry in self.entries if entry.id == entry_id), None)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._variants)

    def best_match(self, question: str, language: str) -> FaqMatch | None:
        """The closest entry among `language`'s variants; None when the question has no topic words."""
        matches = self.best_matches(question, language, 1)
        return matches[0] if matches else None

    def best_matches(self, question: str, language: str, count: int) -> list[FaqMatch]:
        """The `count` closest entries (each with its closest variant), closest first; none without topic words."""
        words = topic_words(question)
        if not words or language not in self._variants:
            return []
        best: dict[str, FaqMatch] = {}
        for prepared, entry, variant in self._variants[language]:
            score = similarity(words, prepared)
            if entry.id not in best or score > best[entry.id].score:
                best[entry.id] = FaqMatch(entry, variant, score)
        return sorted(best.values(), key=lambda match: match.score, reverse=True)[:count]


def load_faq(path: Path) -> Faq:
    """Reads `{"entries": [{"id", "questions": {lang: [...]}, "answer": {lang: text}}]}`; ValueError if malformed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = []
    for item in data["entries"]:
        if set(item["questions"]) != set(item["answer"]):
            raise ValueError(f"FAQ entry {item['id']!r}: its questions and answers cover different languages")
        entries.append(FaqEntry(item["id"], item["questions"], item["answer"]))
    return Faq(entries)
