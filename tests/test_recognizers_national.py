"""The national, crypto, MAC and medical-licence recognizers: for each type a valid value (with
the context word it needs), the same shape failing its check, the value without its word where
one is required, and look-alikes in plain text (order numbers, dates, versions, times) that no
recognizer of any region may report."""

from __future__ import annotations

import pytest

from edge.recognizers import RECOGNIZERS, RuleSet, build_recognizers, find_all
from edge.specs import FusionSpec

ALL = build_recognizers()  # every region


def found(text: str) -> list[tuple[str, str]]:
    return [(s.label, s.text) for s in find_all(text, ALL)]


# (type, text with a valid value, the value, the same text with a value failing the check)
VALID_AND_INVALID = [
    ("US_BANK_NUMBER", "checking account 40012345678", "40012345678", None),
    ("ABA_ROUTING_NUMBER", "routing number 111000025", "111000025", "routing number 111000026"),
    ("US_ITIN", "my ITIN is 912-90-3456", "912-90-3456", "my ITIN is 912-40-3456"),
    ("US_PASSPORT", "passport no 912803456", "912803456", "passport no 91280345"),
    ("US_DRIVER_LICENSE", "driver license D1234567", "D1234567", None),
    ("US_MBI", "Medicare MBI 1EG4-TE5-MK73", "1EG4-TE5-MK73", "Medicare MBI 1SG4-TE5-MK73"),
    ("UK_NHS", "NHS number 943 476 5870", "943 476 5870", "NHS number 943 476 5871"),
    ("UK_NINO", "NI number AB 12 34 56 C", "AB 12 34 56 C", "NI number GB 12 34 56 C"),
    ("UK_SORT_CODE", "sort code 20-00-00", "20-00-00", None),
    ("UK_BANK_NUMBER", "account 12345678", "12345678", None),
    ("ES_NIF", "DNI 54362315K", "54362315K", "DNI 54362315Z"),
    ("ES_NIE", "NIE X2482300W", "X2482300W", "NIE X2482300A"),
    ("IT_FISCAL_CODE", "CF RCCMNL83S18D969H", "RCCMNL83S18D969H", "CF RCCMNL83S18D969A"),
    ("IT_VAT_CODE", "partita IVA 00743110157", "00743110157", "partita IVA 00743110158"),
    ("IT_DRIVER_LICENSE", "patente AB1234567C", "AB1234567C", None),
    ("IT_PASSPORT", "passaporto YA1234567", "YA1234567", None),
    ("IT_IDENTITY_CARD", "carta d'identità CA12345AB", "CA12345AB", None),
    ("PL_PESEL", "PESEL 44051401359", "44051401359", "PESEL 44051401358"),
    ("FI_PERSONAL_IDENTITY_CODE", "hetu 131052-308T", "131052-308T", "hetu 131052-308U"),
    ("DE_TAX_ID", "Steuer-ID 36 574 261 809", "36 574 261 809", "Steuer-ID 36 574 261 808"),
    ("IN_AADHAAR", "Aadhaar 2341 2341 2346", "2341 2341 2346", "Aadhaar 2341 2341 2347"),
    ("IN_PAN", "PAN ACUPA7085R", "ACUPA7085R", "PAN ACUXA7085R"),
    ("IN_VOTER", "voter id WKH1186253", "WKH1186253", "voter id WKH1186254"),
    ("IN_PASSPORT", "passport A1234567", "A1234567", "passport Q1234567"),
    ("IN_VEHICLE_REGISTRATION", "vehicle MH 12 AB 1234", "MH 12 AB 1234", "vehicle XX 12 AB 1234"),
    ("IN_GSTIN", "GSTIN 27AAPFU0939F1ZV", "27AAPFU0939F1ZV", "GSTIN 27AAPFU0939F1ZW"),
    ("AU_ABN", "ABN 83 914 571 673", "83 914 571 673", "ABN 99 999 999 999"),
    ("AU_ACN", "ACN 004 085 616", "004 085 616", "ACN 999 999 999"),
    ("AU_TFN", "TFN 123 456 782", "123 456 782", "TFN 999 999 999"),
    ("AU_MEDICARE", "Medicare card 2123 45670 1", "2123 45670 1", "Medicare card 2123 45671 1"),
    ("SG_NRIC_FIN", "NRIC S1234567D", "S1234567D", "NRIC S1234567A"),
    ("SG_UEN", "UEN 197401143C", "197401143C", "UEN 197401143D"),
    ("KR_RRN", "주민등록번호 971013-9019902", "971013-9019902", "주민등록번호 971013-9019903"),
    ("KR_FRN", "외국인등록번호 900101-5123450", "900101-5123450", "외국인등록번호 900101-5123451"),
    ("KR_BRN", "사업자등록번호 116-82-00276", "116-82-00276", "사업자등록번호 116-82-00277"),
    ("KR_PASSPORT", "여권 M123A4567", "M123A4567", None),
    (
        "KR_DRIVER_LICENSE",
        "운전면허 11-12-345678-90",
        "11-12-345678-90",
        "운전면허 99-12-345678-90",
    ),
    ("TH_TNIN", "Thai ID 1-2345-45678-78-1", "1-2345-45678-78-1", "Thai ID 1-2345-45678-78-9"),
    (
        "CRYPTO",
        "send to 1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD today",
        "1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD",
        "send to 1NEDqZPvTWRaoho48qXuLLsrYomMXPABfX today",
    ),
    (
        "CRYPTO",
        "wallet BC1QARDV855YJNGSPVXUTTQ897AQCA3LXJU2Y69JCE",
        "BC1QARDV855YJNGSPVXUTTQ897AQCA3LXJU2Y69JCE",
        "wallet BC1QARDV855YJNGSPVXUTTQ897AQCA3LXJU2Y69JCA",
    ),
    (
        "CRYPTO",
        "eth 0x52908400098527886E0F7030069857D2E4169EE7",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "eth 0x52908400098527886E0F7030069857D2E4169EE7AB",  # 42 hex: not an address
    ),
    ("MAC_ADDRESS", "mac 00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E", "mac 00:1A:2B-3C:4D:5E"),
    ("MAC_ADDRESS", "nic 001a.2b3c.4d5e up", "001a.2b3c.4d5e", "nic ffff.ffff.ffff up"),
    ("MEDICAL_LICENSE", "DEA number AB1234563", "AB1234563", "DEA number AB1234564"),
]


@pytest.mark.parametrize(("label", "text", "value", "invalid"), VALID_AND_INVALID)
def test_valid_value_found_and_failing_check_not(label, text, value, invalid) -> None:
    assert (label, value) in found(text)
    if invalid is not None:
        assert all(lbl != label for lbl, _ in found(invalid)), found(invalid)


# types whose pattern alone proves nothing: without a context word nothing is reported
NEEDS_A_WORD = {
    "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "US_PASSPORT", "US_DRIVER_LICENSE", "US_MBI",
    "UK_NHS", "UK_SORT_CODE", "UK_BANK_NUMBER", "IT_VAT_CODE", "IT_DRIVER_LICENSE",
    "IT_PASSPORT", "IT_IDENTITY_CARD", "PL_PESEL", "DE_TAX_ID", "IN_PASSPORT", "IN_VOTER",
    "IN_VEHICLE_REGISTRATION", "AU_ABN", "AU_ACN", "AU_TFN", "AU_MEDICARE", "SG_UEN", "KR_BRN",
    "KR_PASSPORT", "KR_DRIVER_LICENSE", "MEDICAL_LICENSE",
}  # fmt: skip


@pytest.mark.parametrize(
    ("label", "value"), [(lbl, v) for lbl, _, v, _ in VALID_AND_INVALID if lbl in NEEDS_A_WORD]
)
def test_weak_patterns_need_their_word(label, value) -> None:
    assert all(lbl != label for lbl, _ in found(f"ref {value} ok")), found(f"ref {value} ok")


def test_every_rule_type_has_a_valid_example_here() -> None:
    tested = {label for label, *_ in VALID_AND_INVALID}
    national = {c.label for c in RECOGNIZERS.values() if c.region} - {"US_SSN"}
    assert national | {"CRYPTO", "MAC_ADDRESS", "MEDICAL_LICENSE"} <= tested


@pytest.mark.parametrize(
    "text",
    [
        "order 12345678 shipped on 2024-03-15",
        "upgrade to version 1.27.4 or 10.2.3.4.5",
        "meeting at 12:30:45 on 03/04/2024",
        "tracking number 1Z999AA10123456784 arrives Monday",
        "invoice INV-2024-000123, total 1,234.56 EUR",
        "call me at +1 415 555 0132 tomorrow",
        "the sha is 3f786850e387550fdab836ed7e6dc881de23001b",
        "tx 0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b",
        "room 4B, floor 12, building 7, 20 minutes from here",
        "my zip is 94103-1234 and my pin code is wrong",
        "Your booking reference is 2860 9265 8870 2084. Keep it",  # 12 of 16 digits: no Aadhaar
        "ABN AMRO ref 83 914 571 673 12 and TFN form 123 456 782 9",
    ],
)
def test_look_alikes_in_plain_text_are_not_identifiers(text) -> None:
    rule_only = {c.label for c in RECOGNIZERS.values()} - {
        "PHONE_NUMBER", "DATE_TIME", "IP_ADDRESS", "URL", "EMAIL_ADDRESS",
    }  # fmt: skip
    assert [(lbl, v) for lbl, v in found(text) if lbl in rule_only] == []


def test_regions_switch_national_recognizers() -> None:
    us = {r.label for r in build_recognizers(regions=["US"])}
    de = {r.label for r in build_recognizers(regions=["DE"])}
    assert "US_SSN" in us and "US_SSN" not in de and "DE_TAX_ID" in de
    assert {"CRYPTO", "SECRET", "IBAN_CODE", "CREDIT_CARD"} <= us & de  # global ones always
    with pytest.raises(ValueError, match="regions: no recognizers for XX"):
        FusionSpec(regions=["XX"])
    with pytest.raises(ValueError, match="rule_entities: no recognizer finds PASSPORT"):
        FusionSpec(rule_entities=["PASSPORT"])


def test_gates_change_nothing() -> None:
    """The per-text gates (digits, token length, required words) only skip texts a recognizer
    could not match: the same answer as running every recognizer on every text."""
    texts = [text for _, text, _, invalid in VALID_AND_INVALID for text in (text, invalid or "")]
    gated = RuleSet(ALL)
    for text in texts:
        ungated = sorted(
            (s for r in ALL for s in r.find(text)), key=lambda s: (s.start, s.end, s.label)
        )
        got = sorted(gated.find(text), key=lambda s: (s.start, s.end, s.label))
        assert got == ungated, text


def test_available_without_probing() -> None:
    assert all(cls.available() for cls in RECOGNIZERS.values())
    assert "edge[rules]" in RECOGNIZERS["phone"].unavailable_reason()


def test_building_the_rules_imports_no_validator_library() -> None:
    """A service builds its rules before it listens: phonenumbers (about 30 ms of import, its
    metadata) loads on the first text that needs it, not then (a fresh interpreter: this one
    has imported it already)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from edge.fusion import Fusion\n"
        "from edge.specs import FusionSpec, load_task_spec\n"
        "f = Fusion(FusionSpec(), load_task_spec('pii').entities)\n"
        "assert any(r.name == 'phone' for r in f.recognizers) and not f.unavailable\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'phonenumbers'))\n"
        "f.fuse('call +44 20 7946 0958 or pay GB82 WEST 1234 5698 7654 32', [])\n"
        "print('phonenumbers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"], out.stdout + out.stderr


def test_phone_gate_minimum_matches_libphonenumber_metadata() -> None:
    """The phone gate's fewest digits of an international number is the metadata's: country
    code + shortest national number, over every region and non-geographic code."""
    import phonenumbers

    from edge.recognizers.phone import MIN_INTERNATIONAL_DIGITS

    fewest = []
    for region in phonenumbers.SUPPORTED_REGIONS:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        lengths = [n for n in meta.general_desc.possible_length if n > 0]
        fewest.append(len(str(meta.country_code)) + min(lengths))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        meta = phonenumbers.PhoneMetadata.metadata_for_nongeo_region(code)
        lengths = [n for n in meta.general_desc.possible_length if n > 0]
        fewest.append(len(str(code)) + min(lengths))
    assert min(fewest) == MIN_INTERNATIONAL_DIGITS


def test_task_spec_lists_rule_only_types_apart_from_the_model_labels() -> None:
    from edge.specs import TaskSpec, load_task_spec

    spec = load_task_spec("pii")
    assert len(spec.entities) == 12 and len(spec.model_labels) == 25  # the model's head
    assert {"SECRET", "US_BANK_NUMBER", "CRYPTO"} <= set(spec.all_entities)
    base = spec.model_dump()
    # the operators and the deny list may name rule-only types
    TaskSpec.model_validate({**base, "anonymize": {"entities": {"SECRET": {"operator": "redact"}}}})
    TaskSpec.model_validate({**base, "fusion": {"deny": {"hunter2": "SECRET"}}})
    with pytest.raises(ValueError, match=r"anonymize\.entities: unknown entity type"):
        TaskSpec.model_validate(
            {**base, "anonymize": {"entities": {"PASSWORD": {"operator": "redact"}}}}
        )


def test_the_rule_type_table_is_the_registrys() -> None:
    """Specs are validated against edge.rule_types (no recognizer imported): it must list what
    the registry holds, in its order."""
    from edge import recognizers, rule_types

    assert rule_types.RULE_LABELS == recognizers.RULE_LABELS
    assert rule_types.REGIONS == recognizers.REGIONS
