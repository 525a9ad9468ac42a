"""PERSON: the speakers of a chat log ("Дима: ребята, кто в субботу?", "ゆい: 明日は？").

Why a rule: a speaker's name opens its line with nothing around it that reads as a name, and in
scripts the models saw little (Cyrillic, kana) they miss it: twelve of the 74 spans ``pii``
leaves uncovered on the independent dev parts are chat speakers. The layout is the evidence,
so the rule reads the whole text's layout before it names anyone.

A text is a chat when at least three lines open with "Name:" (after an optional "[time]"
stamp), at least two names differ and one speaks twice. Forms open their lines the same way
("Email:", "Subject:", "Name:"), so one field word among the openers (``FIELD_WORDS``) means
the text is a form, not a chat; role words ("Customer:", "You:", "Mom:", ``ROLE_WORDS``) take
part in a chat but are no names. Only one-word names of two letters or more are taken, with a
capital in a cased script and not all capitals (log levels: "WARN:", "ERROR:"): a two-word
opener is often a title and a name ("Agent Leo"), which the model cuts better.

Only names outside the Latin script are reported. In Latin script the model reads the speakers
itself (none of the twelve above is Latin), while the openers of Latin-script records are an
open vocabulary no word list covers: on the training documents, robots.txt ("Disallow:",
"Allow:"), HTTP headers ("X-Request-ID:"), chat roles ("Visitor:") and clinical notes
("Allergies:", "Triage:") took 122 wrong PERSON spans from the rule before this restriction.

The score (0.6) is a pattern's; where the model gave the same words another name type, its
type stands (edge.fusion: the model wins overlaps for its context types).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from edge.recognizers.base import Recognizer
from edge.types import Span

# Words that open the lines of forms, headers and records, in the languages of the dev parts
# and their neighbours: one of them among the openers means the text is no chat.
_FIELD_WORDS_TEXT = """
    name names firstname surname email e-mail mail phone tel telephone mobile cell fax address
    addr street city zip postcode country date time dob birthday from to cc bcc subject re sent
    reply id ref reference account iban bic swift amount total card status note notes comment
    comments title company employer manager department dept location site job role position
    start end joined created updated opened closed owner priority issue problem product serial
    description summary type category contact website url ip user username password login pin
    ssn tin patient diagnosis doctor insurance policy case order invoice quantity price
    nom prénom adresse téléphone courriel objet sujet de à pour envoyé
    nombre apellido apellidos dirección teléfono correo asunto fecha para enviado
    vorname nachname adresse straße telefon betreff datum von an gesendet konto
    nome cognome indirizzo telefono oggetto data da inviato
    naam adres telefoon onderwerp datum aan verzonden
    имя фамилия фио адрес телефон тема дата от кому почта
    氏名 名前 住所 電話 件名 日付 宛先 差出人 メール
    姓名 地址 电话 手机 主题 日期 邮箱
    이름 주소 전화 연락처 제목 날짜 이메일 휴대폰
"""
FIELD_WORDS = frozenset(_FIELD_WORDS_TEXT.split())
# Speakers that are roles, not names: they count towards a chat's shape but are not reported
# (only non-Latin ones are listed, as only non-Latin names are reported).
_ROLE_WORDS_TEXT = """
я ты мама папа клиент оператор 母 父 私 僕 俺 お母さん お父さん 妈妈 爸爸 我 你 客户 客服
엄마 아빠 나 고객 상담원
"""
ROLE_WORDS = frozenset(_ROLE_WORDS_TEXT.split())
# "Name:" at a line's start, after an optional "[18/02/25, 8:12:44]" stamp: a word of letters
# (an inner hyphen or apostrophe kept), then a colon and the message.
_OPENER_RE = re.compile(
    r"^[ \t]*(?:\[[^\]\n]{1,40}\][ \t]*)?(?P<name>[^\W\d_]+(?:['’-][^\W\d_]+)*)[ \t]*:[ \t]*\S",
    re.MULTILINE,
)
MIN_LINES, MIN_SPEAKERS = 3, 2


def _is_latin(word: str) -> bool:
    """Whether any letter of ``word`` is a Latin one (unicodedata names them so)."""
    return any(unicodedata.name(c, "").startswith("LATIN") for c in word if c.isalpha())


def _is_name_shaped(word: str) -> bool:
    """Two letters or more; a capital first in a cased script; not all capitals."""
    return len(word) >= 2 and not word[0].islower() and not word.isupper()


class ChatSpeakerRecognizer(Recognizer):
    label = "PERSON"
    name = "chat_speaker"
    score = 0.6
    needs = (":",)

    def matches(self, text: str) -> list[Span]:
        # Each opener starts its own line ("^" in MULTILINE mode starts only after "\n"), so
        # a text of fewer lines than MIN_LINES has too few: not scanned.
        if text.count("\n") < MIN_LINES - 1:
            return []
        openers = list(_OPENER_RE.finditer(text))
        if len(openers) < MIN_LINES:
            return []
        words = [m.group("name") for m in openers]
        folded = [w.casefold() for w in words]
        if any(w in FIELD_WORDS for w in folded):
            return []
        counts = Counter(folded)
        if len(counts) < MIN_SPEAKERS or max(counts.values()) < 2:
            return []
        return [
            self.span(text, m.start("name"), m.end("name"), self.score)
            for m, word, w in zip(openers, words, folded, strict=True)
            if w not in ROLE_WORDS and _is_name_shaped(word) and not _is_latin(word)
        ]
