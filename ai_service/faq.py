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


@dataclass(frozen=True)
class LanguageVariants:
    """One language's question variants prepared for matching: topic words, their text, and the vocabulary."""

    words: tuple[tuple[str, ...], ...]
    texts: tuple[str, ...]
    vocabulary: tuple[str, ...]
    entries: tuple[tuple[FaqEntry, str], ...]  # each variant's entry and question as written


def topic_words(text: str) -> tuple[str, ...]:
    """The text's words that say something of the topic, normalized and stemmed."""
    return tuple(word[:_STEM_LENGTH] for word in normalize(text).split() if word not in _IGNORED_WORDS)


def similarities(question: tuple[str, ...], variants: LanguageVariants) -> list[float]:
    """From 0 to 1 for each of a language's variants: the mean of rapidfuzz's string similarity (order and typo
    tolerant) and the words in common.

    The string part averages `token_set_ratio` (high when one text's words are within the other's) and
    `token_sort_ratio` (penalizes words only one text has); the word part counts shared topic words, typos
    forgiven. Kept after a comparison on paraphrased and off-topic questions (the tests' 24 and 17 new ones):
    at its best threshold this mix misjudged 1, single rapidfuzz scorers (WRatio, QRatio, token_set_ratio,
    token_sort_ratio) and a TF-IDF cosine 3 or 4. All variants are scored at once: rapidfuzz loops over them in C,
    and each question word is compared with the language's vocabulary once, not with every variant's words.
    """
    asked = " ".join(question)
    strings = [0.0] * len(variants.texts)
    for scorer in (fuzz.token_set_ratio, fuzz.token_sort_ratio):
        for _, score, index in process.extract_iter(asked, variants.texts, scorer=scorer):
            strings[index] += score
    close = _close_words(question, variants.vocabulary)
    in_question: dict[str, float] = {}  # each vocabulary word close to a question word: its best similarity
    for matches in close.values():
        for match, score in matches.items():
            in_question[match] = max(score, in_question.get(match, 0.0))
    return [
        (strings[index] / 200 + _shared_words(question, variant, close, in_question)) / 2
        for index, variant in enumerate(variants.words)
    ]


def _close_words(question: tuple[str, ...], vocabulary: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """For each question word, the vocabulary's words that are the same word with a typo, with their similarity."""
    return {
        word: {
            match: score
            for match, score, _ in process.extract_iter(word, vocabulary, scorer=fuzz.ratio, score_cutoff=_SAME_WORD)
        }
        for word in set(question)
    }


def _shared_words(
    question: tuple[str, ...],
    variant: tuple[str, ...],
    close: Mapping[str, Mapping[str, float]],
    in_question: Mapping[str, float],
) -> float:
    """How many of the variant's words the question has (counted twice) and of the question's the variant has, each
    word counted by its closest match (0 when none is the same word with a typo)."""
    if not variant or in_question.keys().isdisjoint(variant):
        return 0.0
    in_the_question = sum(in_question.get(word, 0.0) / 100 for word in variant) / len(variant)
    in_the_variant = sum(
        max((score for match, score in close[word].items() if match in variant), default=0.0) / 100 for word in question
    ) / len(question)
    return (2 * in_the_question + in_the_variant) / 3


class Faq:
    """The FAQ entries, with each language's question variants prepared for matching."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        variants: dict[str, list[tuple[tuple[str, ...], FaqEntry, str]]] = {}
        for entry in self.entries:
            for language, questions in entry.questions.items():
                variants.setdefault(language, []).extend((topic_words(q), entry, q) for q in questions)
        self._variants = {
            language: LanguageVariants(
                words=tuple(words for words, _, _ in prepared),
                texts=tuple(" ".join(words) for words, _, _ in prepared),
                vocabulary=tuple(sorted({word for words, _, _ in prepared for word in words})),
                entries=tuple((entry, question) for _, entry, question in prepared),
            )
            for language, prepared in variants.items()
        }

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
        variants = self._variants.get(language)
        if not words or variants is None:
            return []
        best: dict[str, FaqMatch] = {}
        for (entry, variant), score in zip(variants.entries, similarities(words, variants), strict=True):
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
