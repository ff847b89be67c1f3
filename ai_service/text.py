"""Text normalization shared by the matchers: lowercase, accents stripped, punctuation turned into spaces."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """ "Où est ma commande ?" -> "ou est ma commande"; apostrophes split words ("l'heure" -> "l heure")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unaccented = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", unaccented).strip()


def has_accents(text: str) -> bool:
    """True when the text holds a letter with a diacritic (é, à, ç, ...), a hint of French."""
    return any(unicodedata.combining(char) for char in unicodedata.normalize("NFKD", text))
