"""Whether two spellings of a patient's name can name one person (the header's and the context's).

A recording's header and a clinical context write one person's name in many ways: ``Doe_John``
(EDF+ writes spaces as ``_``), ``DOE, John A.``, ``John Doe``, ``José Núñez`` and ``Jose Nunez``.
Two names are compared by their words, leniently: they name other people only when they share
no word of two letters or more once case, accents, punctuation, titles (``Mr``, ``Dr``),
particles (``de``, ``van``) and initials are set aside. A name that gives no such word — EDF+'s
``X``, an empty field, ``anonymous``, a de-identified header, initials only (``J.D.``, ``JD``), a
device's default user (``user``), a study code (``shhs1-200001``) — names nobody: unknown, never
a conflict. The names themselves identify the patient and are never quoted by the caller.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["name_words", "same_person"]

#: Words that are no one's name: placeholders headers and de-identification tools write, a
#: recorder's default user, titles and suffixes (two people called "Mr" share nothing), and
#: particles ("Maria de la Cruz" and "Jose de Souza" share only "de").
_NOT_A_NAME = frozenset(
    """
    x xx xxx xxxx n na none null nil unknown unk anon anonymous anonymized anonymised
    deidentified de-identified deid identified redacted removed withheld hidden blank empty
    patient pt subject subj test name noname first last firstname lastname surname given
    family user default demo sample guest no unnamed nameless not available forename nombre
    mr mrs ms miss mx dr prof sir jr sr ii iii iv md
    de del della der den di da das dos du la le van von ter ten bin ibn al el y e st
    """.split()
)
#: Letters that have no accent to strip, written in ASCII as a header would: Søren Jørgensen is
#: Soren Jorgensen, Łukasz Wałęsa Lukasz Walesa, Ærø Aeroe.
_LETTERS = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "ð": "d", "þ": "th",
                          "ß": "ss", "đ": "d", "ı": "i", "ħ": "h"})  # fmt: skip
#: German umlauts as ASCII writes them (ae, oe, ue for ä, ö, ü).
_UMLAUT = re.compile(r"[aou]e")
#: A date as headers write one inside free text (``13-JUL-1949``): its month is no name word.
_DATE = re.compile(r"\d{1,2}[-./ ]?[A-Za-z]{3}[-./ ]?\d{2,4}")
#: Initials written as one short capital word (``JD``, ``JAD``): no name word either.
_INITIALS = re.compile(r"[A-Z]{2,3}")


def name_words(name: str | None) -> frozenset[str] | None:
    """Return the words of a name that can tell one person from another; None when it names nobody.

    Parameters
    ----------
    name : str or None
        A name as a header or a context writes it.

    Returns
    -------
    frozenset of str or None
        Lower-case words without accents, of two letters or more, with the apostrophe both
        kept out (``o``, ``brien``) and joined (``obrien``); None for a placeholder, initials
        only or no name.

    Examples
    --------
    >>> sorted(name_words("DOE, John A."))
    ['doe', 'john']
    >>> sorted(name_words("Núñez_José"))
    ['jose', 'nunez']
    >>> name_words("X") is None, name_words("J.D.") is None, name_words("shhs1-200001") is None
    (True, True, True)
    """
    if not name or not name.strip():
        return None
    text = _DATE.sub(" ", name.replace("_", " "))
    if _INITIALS.fullmatch(text.strip()):
        return None
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    plain = plain.translate(_LETTERS)
    joined = re.sub(r"['’`´]", "", plain)
    words: set[str] = set()
    for variant in (plain, joined):
        for token in re.split(r"[\W_]+", variant):
            # a token with a digit is a code (a study ID, "user2"), not a name
            if len(token) >= 2 and not any(ch.isdigit() for ch in token):
                words.add(token)
    words -= _NOT_A_NAME
    return frozenset(words) or None


def same_person(a: str | None, b: str | None) -> bool | None:
    """Tell whether two names can name one person.

    Parameters
    ----------
    a, b : str or None
        The two names (the recording header's, the context's).

    Returns
    -------
    bool or None
        None when either names nobody (:func:`name_words`); False only when they share no
        word; True otherwise ("Doe_John" and "John A. Doe", "Smith, Jane" and "Jane Smith-Jones").

    Examples
    --------
    >>> same_person("Doe_John", "DOE, John A."), same_person("Doe_John", "Roe, Jane")
    (True, False)
    >>> same_person("X", "Roe, Jane") is None
    True
    """
    wa, wb = name_words(a), name_words(b)
    if wa is None or wb is None:
        return None
    # EDF headers hold ASCII: a recorder writes Müller as Mueller. Words are compared with ae,
    # oe and ue read as a, o and u on both sides ("Mueller_Juergen" beside "Jürgen Müller" was
    # another person, and a genuine night was held open).
    return bool(_folded(wa) & _folded(wb))


def _folded(words: frozenset[str]) -> set[str]:
    return {_UMLAUT.sub(lambda m: m.group(0)[0], w) for w in words}
