"""The FAQ backend's decision for one conversation: an FAQ answer, a greeting or goodbye, or a handover."""

from ai_service.decisions import answer, handover, out_of_time
from ai_service.faq import Faq, FaqMatch
from ai_service.intents import asks_for_human, is_goodbye, is_greeting
from ai_service.language import guess_language, primary_language
from ai_service.text import normalize
from botbridge.ai.v1 import ai_pb2

MAX_MATCHED_CHARS = 2000
# Below this much time before the caller's deadline, searching the FAQ (about a millisecond) is not attempted.
FAQ_SEARCH_BUDGET_SECONDS = 0.003
_GREETINGS = {
    "en": "Hello! How can I help you? I can answer questions about orders, delivery, returns, payment "
    "and your account.",
    "fr": "Bonjour ! Comment puis-je vous aider ? Je réponds aux questions sur les commandes, la livraison, "
    "les retours, le paiement et votre compte.",
}
# Two entries whose scores are this close (both above the threshold) tie: the customer is asked which one.
TIE_MARGIN = 0.02
_WHICH = {"en": "Which of these do you mean?", "fr": "Laquelle de ces questions est la vôtre ?"}
_GOODBYES = {
    "en": "You're welcome! Have a nice day.",
    "fr": "Avec plaisir ! Bonne journée.",
}


class FaqResponder:
    """Answers from the FAQ when the best match reaches `threshold` (0 to 1), else hands over."""

    def __init__(self, faq: Faq, threshold: float) -> None:
        self._faq = faq
        self._threshold = threshold

    async def respond(self, conversation: ai_pb2.Conversation, time_remaining: float | None) -> ai_pb2.RespondResponse:
        # A question the FAQ can answer is short; matching a longer text would only burn the deadline.
        text = conversation.message.body[:MAX_MATCHED_CHARS]
        if not text.strip():
            return handover(ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE, "the message is empty")
        language = primary_language(conversation.language) or guess_language(text)
        if language not in self._faq.languages:
            return handover(ai_pb2.HANDOVER_REASON_UNSUPPORTED_LANGUAGE, f"no FAQ in the language {language!r}")
        picked = self._faq.entry(conversation.message.picked_choice.payload)
        if picked is not None and language in picked.answers:
            return answer(picked.answers[language], 1.0, f"the customer picked FAQ entry {picked.id!r}")
        if not normalize(text):
            return handover(ai_pb2.HANDOVER_REASON_UNUSABLE_MESSAGE, "the message has no words to answer")
        if asks_for_human(text):
            return handover(ai_pb2.HANDOVER_REASON_CUSTOMER_REQUEST, "the customer asked for a human agent")
        if is_goodbye(text):
            return answer(_GOODBYES.get(language, _GOODBYES["en"]), 1.0, "the customer said thanks or goodbye", True)
        if is_greeting(text):
            return answer(_GREETINGS.get(language, _GREETINGS["en"]), 1.0, "the customer said hello")
        if time_remaining is not None and time_remaining < FAQ_SEARCH_BUDGET_SECONDS:
            return out_of_time(time_remaining)
        return self._answer_from_faq(text, language)

    def _answer_from_faq(self, text: str, language: str) -> ai_pb2.RespondResponse:
        matches = self._faq.best_matches(text, language, 2)
        if not matches:
            return handover(ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE, "the message has no words an FAQ question has")
        match = matches[0]
        found = f"FAQ entry {match.entry.id!r} (question {match.variant!r}) scored {match.score:.2f}"
        if match.score < self._threshold:
            explanation = f"best candidate: {found}, below the {self._threshold:.2f} threshold"
            return handover(ai_pb2.HANDOVER_REASON_LOW_CONFIDENCE, explanation)
        if len(matches) == 2 and matches[1].score >= self._threshold and match.score - matches[1].score < TIE_MARGIN:
            return _which_one(matches, language)
        return answer(match.entry.answers[language], match.score, f"{found}, threshold {self._threshold:.2f}")


def _which_one(matches: list[FaqMatch], language: str) -> ai_pb2.RespondResponse:
    """Two entries tie: the customer picks one; each choice's payload is its entry's id."""
    choices = tuple(ai_pb2.Choice(title=m.entry.questions[language][0][:80], payload=m.entry.id) for m in matches)
    ids = " and ".join(repr(m.entry.id) for m in matches)
    explanation = f"FAQ entries {ids} tie ({matches[0].score:.2f}, {matches[1].score:.2f}): asking which one"
    return answer(_WHICH.get(language, _WHICH["en"]), matches[0].score, explanation, choices=choices)
