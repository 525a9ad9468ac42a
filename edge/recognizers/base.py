"""The recognizer contract, and the small helpers every rule shares.

Rules are cheap, deterministic and explainable, so they back up (or stand in for) the model on
formats with a fixed shape. Scores say how much the shape proves: 1.0 when a checksum validated
the match, lower when only the pattern did.

Each recognizer owns everything about its type, as Presidio's do: the pattern, the validation
(check digits, date parts, allowed letters), its **context words** (``context``: a nearby "SSN"
is what makes a bare nine-digit run an SSN) and the **region** it belongs to (``region``: "US",
"GB", ...; None for global types such as e-mail or crypto wallets). One enhancer
(edge.recognizers.context) applies the context words; ``find`` is ``matches`` judged by it.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from edge.types import Span


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it: building the recognizers
    (before a service listens) then costs no import of phonenumbers' metadata or of stdnum's
    modules; they load on the first text that needs them."""
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a parent package that is missing
        return False


CHECKSUM_SCORE = 1.0
Require = Literal["never", "weak", "always"]


@dataclass(frozen=True)
class Context:
    """A type's context words and what they do (see edge.recognizers.context).

    ``boost`` is added to a match's score when a word lies within ``before`` characters before
    it or ``after`` characters after it; ``require`` drops matches with no such word: ``weak``
    only those scoring under the caller's weak threshold (a bare nine-digit SSN), ``always``
    all of them (a bank account number is any 8-17 digits: only "account" makes it one).
    """

    words: tuple[str, ...] = ()
    boost: float = 0.0
    require: Require = "never"
    before: int = 40
    after: int = 20


NO_CONTEXT = Context()


def is_word_char(ch: str) -> bool:
    """True for characters that continue a token (letters, digits, underscore, any script)."""
    return ch.isalnum() or ch == "_"


def on_token_edges(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not glued to a longer alphanumeric token on either side."""
    if start > 0 and is_word_char(text[start - 1]):
        return False
    return not (end < len(text) and is_word_char(text[end]))


class Recognizer:
    """Finds one kind of entity (``label``) in text. ``name`` is the registry key.

    Subclasses implement ``matches`` (pattern and validation, no context) and declare their
    ``context``; ``find`` applies the context. A subclass may override ``find`` instead when it
    has no context of its own.

    Cheap gates, checked by the caller once per text for all recognizers (edge.recognizers
    ``RuleSet``) before any pattern runs, because most texts hold none of these formats:
    ``min_digits`` (the text must hold at least that many digits), ``min_token`` (a run of
    non-space characters at least that long: a wallet address is 26+) and ``needs`` (lower-case
    substrings, one of which must occur: an "@" for e-mail, "://" for URLs). All are
    optimisations only: ``find`` gives the same answer without them.
    """

    label: ClassVar[str]
    name: ClassVar[str]
    region: ClassVar[str | None] = None
    context: ClassVar[Context] = NO_CONTEXT
    min_digits: ClassVar[int] = 0
    min_token: ClassVar[int] = 0
    needs: ClassVar[tuple[str, ...]] = ()
    # the extra to install when ``available()`` is False (the warning names it)
    extra: ClassVar[str] = "rules"
    # True when a match's type stands against the model's other type for the very same words
    # (edge.fusion): the layout proves the type ("Nordea" in brackets after an IBAN is a bank,
    # whatever the model took it for). False: the model's reading of its own types wins a tie.
    overrules_model_type: ClassVar[bool] = False

    @classmethod
    def available(cls) -> bool:
        """True when the optional library this rule needs is installed (most need none)."""
        return True

    @classmethod
    def unavailable_reason(cls) -> str:
        return (
            f"the {cls.name} recognizer needs an optional library: pip install 'edge[{cls.extra}]'"
        )

    @staticmethod
    def valid(value: str) -> bool:
        """Whether ``value``, as another detector (the model) cut it, passes this type's check:
        edge.fusion drops a model span of a ``checksum_types`` type that fails it. Recognizers
        whose type the model also finds define it; the default checks nothing."""
        return True

    def matches(self, text: str) -> list[Span]:
        """Every validated match in ``text`` before context is applied."""
        raise NotImplementedError(f"{type(self).__name__} implements neither matches nor find")

    def find(self, text: str) -> list[Span]:
        """Every match in ``text`` judged by this recognizer's own context words, sorted."""
        from edge.recognizers.context import ContextEnhancer

        return ContextEnhancer.own(self).judge(text, self.matches(text))

    def span(self, text: str, start: int, end: int, score: float) -> Span:
        return Span(
            label=self.label,
            start=start,
            end=end,
            score=score,
            text=text[start:end],
            source=f"rule:{self.name}",
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def compact(value: str, drop: str = " -./") -> str:
    """``value`` without the separators people type inside identifiers."""
    return value.translate({ord(c): None for c in drop})


_DROP_ASCII_DIGITS = str.maketrans("", "", "0123456789")


def digit_count(text: str) -> int:
    """How many characters of ``text`` are digits (what ``\\d`` matches, or more)."""
    if text.isascii():
        return len(text) - len(text.translate(_DROP_ASCII_DIGITS))
    return sum(map(str.isdigit, text))  # the C method mapped: a third of a generator's cost


def clear_start(lead: str, *not_after: str) -> str:
    """Regex source: ``lead`` (a class matching exactly one character, the match's first),
    then, for each pattern in ``not_after``, a look-behind that it does not stand just before
    that character. The same test as ``(?<!X)`` written before ``lead``, but a pattern that
    starts with a character class lets the re module skip to the characters it can start at
    instead of trying a look-behind at every position (about twice as fast a scan on a text
    with few of them; it adds up over the rules that run on most texts)."""
    return lead + "".join(f"(?<!{before}{lead})" for before in not_after)


def word_re(pattern: str, flags: int = 0, *, lead: str | None = None) -> re.Pattern[str]:
    """``pattern`` as a whole token: not glued to a letter, digit or underscore on either side,
    nor followed by another group of digits ("2860 9265 8870" of a 16-digit booking reference
    "2860 9265 8870 2084" is no Aadhaar number; ``follows_a_group`` checks the other side).
    ``lead``: a one-character class that starts the token, before ``pattern`` (see
    :func:`clear_start`)."""
    start = clear_start(lead, r"\w") if lead is not None else r"(?<!\w)"
    return re.compile(rf"{start}{pattern}(?!\w)(?![ .-]\d)", flags)


def follows_a_group(text: str, start: int) -> bool:
    """A match at ``start`` continues a grouped number ("8870 2084" after "2860 9265 ").

    Checked on matches in Python rather than as a regex lookbehind: a lookbehind is tried at
    every position of every text, and fifty patterns made that a measurable cost."""
    return start >= 2 and text[start - 1] in " .-" and text[start - 2].isdigit()
