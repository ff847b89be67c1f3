"""The customer's language: Dimelo's code when it has one, else a guess between English and French from the words."""

from ai_service.text import has_accents, normalize

# Function words: they tell the language apart and carry no topic, so the FAQ matcher ignores them too.
STOP_WORDS = {
    "en": frozenset(
        ["a", "an", "the", "i", "im", "ive", "me", "my", "we", "our", "you", "your", "is", "are", "am", "was", "be", "been", "do", "does", "did", "dont", "can", "cant", "could", "would", "will", "should", "it", "its", "this", "that", "these", "those", "there", "to", "of", "in", "on", "at", "for", "from", "with", "and", "or", "but", "so", "if", "please", "hi", "hello", "hey", "dear", "what", "which", "who", "whom", "how", "when", "where", "why", "get", "have", "has", "had", "any", "some", "about", "just", "want", "need", "like", "still", "yet", "already", "usually"]
    ),
    "fr": frozenset(
        ["je", "j", "me", "m", "moi", "mon", "ma", "mes", "nous", "notre", "nos", "vous", "votre", "vos", "tu", "te", "t", "ton", "ta", "tes", "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "est", "sont", "suis", "etes", "es", "ai", "as", "a", "avez", "avons", "ont", "ce", "c", "cet", "cette", "ces", "ca", "il", "elle", "on", "y", "en", "au", "aux", "et", "ou", "mais", "donc", "pour", "par", "avec", "sans", "sur", "dans", "que", "qu", "qui", "quoi", "quel", "quelle", "quels", "quelles", "comment", "quand", "combien", "pourquoi", "s", "se", "sa", "son", "ses", "si", "svp", "stp", "bonjour", "bonsoir", "salut", "peux", "peut", "pouvez", "puis", "faire", "fait", "ne", "pas", "veux", "voudrais", "souhaite", "aimerais", "encore", "deja"]
    ),
}


def primary_language(code: str) -> str:
    """ "fr-FR", "FR" or "fr_CA" -> "fr"; "" stays "" (unknown)."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def guess_language(text: str) -> str:
    """ "en" or "fr", whichever has more of its function words in the text; accents tip a tie to French."""
    words = normalize(text).split()
    english = sum(word in STOP_WORDS["en"] for word in words)
    french = sum(word in STOP_WORDS["fr"] for word in words) + has_accents(text)
    return "fr" if french > english else "en"
