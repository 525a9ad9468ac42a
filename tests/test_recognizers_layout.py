"""The recognizers that read a text's layout for a name type: chat speakers (PERSON) and the
bank beside an IBAN (ORGANIZATION), and how fusion lets the model's reading beat them."""

from __future__ import annotations

import pytest

from edge.fusion import Fusion
from edge.recognizers.bank_name import BankNameRecognizer
from edge.recognizers.chat_speaker import ChatSpeakerRecognizer
from edge.types import Span

CHAT = (
    "Дима: ребята, кто в субботу на шашлыки?\n"
    "Катя: я! адрес скиньте\n"
    "Дима: дача под Подольском\n"
    "Лёша: +7 916 204-33-18"
)


def test_chat_speakers_in_a_non_latin_chat() -> None:
    spans = ChatSpeakerRecognizer().matches(CHAT)
    assert [s.text for s in spans] == ["Дима", "Катя", "Дима", "Лёша"]
    assert {s.label for s in spans} == {"PERSON"}
    assert all(CHAT[s.start : s.end] == s.text for s in spans)


def test_chat_speakers_after_time_stamps_and_without_roles() -> None:
    text = "[08:12] 母: 今日は何時に帰る？\n[08:13] 健太: 9時くらい\n[08:15] 母: 了解"
    assert [s.text for s in ChatSpeakerRecognizer().matches(text)] == ["健太"]


@pytest.mark.parametrize(
    "text",
    [
        # a form: one field word among the openers vetoes the text
        "Имя: Оля\nТелефон: +7 916 204-33-18\nИмя: Света\nТелефон: +7 916 204-33-19",
        # two lines only, or one speaker only: no chat's shape
        "Оля: Привет!\nСвета: привет",
        "Оля: раз\nОля: два\nОля: три",
        # nobody speaks twice
        "Оля: раз\nСвета: два\nКатя: три",
        # Latin-script openers are left to the model (robots.txt, headers, roles)
        "User-agent: *\nDisallow: /checkout/\nDisallow: /account/\nAllow: /products/",
        "Jonas: bist du da?\nLeonie: ja\nJonas: gut",
        # all capitals: log levels, not names
        "ОШИБКА: диск\nИНФО: старт\nОШИБКА: сеть",
    ],
)
def test_chat_speaker_negatives(text: str) -> None:
    assert ChatSpeakerRecognizer().matches(text) == []


@pytest.mark.parametrize(
    ("text", "bank"),
    [
        ("pls transfer rent to DE56 1203 0000 1029 3847 56 (DKB), Verwendungszweck: Miete", "DKB"),
        ("Meir 78, 2000 Antwerpen\nIBAN BE79 7350 1200 4791 — KBC\nDank", "KBC"),
        ("LHV → EE38 2200 2210 2014 5685, selgitus: arve", "LHV"),
    ],
)
def test_bank_beside_an_iban(text: str, bank: str) -> None:
    (span,) = BankNameRecognizer().matches(text)
    assert (span.label, span.text) == ("ORGANIZATION", bank)


@pytest.mark.parametrize(
    "text",
    [
        "pls transfer to DE89 3704 0044 0532 0130 00 (Jörg Mayer) by 15.06.",  # the holder
        "PAYMENT FROM IBAN NO9048592310507 (REF. INV-2020-9578).",  # a reference
        "wire to DE89 3704 0044 0532 0130 00 (EUR) today",  # a currency
        "Commerzbank (DKB) has no IBAN beside it",  # no IBAN: no bank
        "wire to DE89 3704 0044 0532 0130 01 (DKB)",  # the IBAN fails mod-97
    ],
)
def test_bank_name_negatives(text: str) -> None:
    assert BankNameRecognizer().matches(text) == []


def test_fusion_adds_a_missed_speaker_but_keeps_the_models_type() -> None:
    fusion = Fusion(None, ["PERSON", "LOCATION", "PHONE_NUMBER"])
    missed = fusion.fuse(CHAT, [])
    assert [s.text for s in missed if s.label == "PERSON"] == ["Дима", "Катя", "Дима", "Лёша"]
    assert {s.source for s in missed if s.label == "PERSON"} == {"rule:chat_speaker"}
    # the model read the first "Дима" as a place: a layout rule does not overrule its reading
    model = [Span("LOCATION", 0, 4, 0.9, "Дима")]
    fused = fusion.fuse(CHAT, model)
    assert (fused[0].label, fused[0].text, fused[0].source) == ("LOCATION", "Дима", "model")
    same_type = fusion.fuse(CHAT, [Span("PERSON", 0, 4, 0.9, "Дима")])
    assert (same_type[0].label, same_type[0].source) == ("PERSON", "model+rule")


def test_fusion_takes_the_banks_type_over_the_models_for_the_same_word() -> None:
    fusion = Fusion(None, ["ORGANIZATION", "LOCATION", "PERSON", "IBAN_CODE"])
    text = "Saimaan Puu Oy maksaa laskun tilille FI52 1571 3500 0482 71 (Nordea) viimeistään."
    start = text.index("Nordea")
    fused = fusion.fuse(text, [Span("LOCATION", start, start + 6, 0.94, "Nordea")])
    (bank,) = [s for s in fused if s.text == "Nordea"]
    assert (bank.label, bank.source) == ("ORGANIZATION", "rule:bank_name")
    # a model span of another type that is longer than the bank stands: only the same words
    # change type
    longer = fusion.fuse(
        text, [Span("LOCATION", start, start + 19, 0.94, text[start : start + 19])]
    )
    assert [(s.label, s.text) for s in longer if s.start >= start] == [
        ("LOCATION", "Nordea) viimeistään")
    ]


def test_bank_names_of_many_ibans_on_one_line() -> None:
    # every placement is read in place (no copy of the text per IBAN): a long line stays linear
    line = " ".join(["LHV → DE56 1203 0000 1029 3847 56 (DKB)"] * 300)
    found = BankNameRecognizer().matches(line)
    assert [s.text for s in found].count("DKB") == 300
    assert [s.text for s in found].count("LHV") == 300
    assert all(line[s.start : s.end] == s.text for s in found)
