"""Deterministic PII recognizers: regex plus validation (checksums, ranges, libphonenumber).

They are the cheap, explainable half of detection: formats with a fixed shape (cards, IBANs,
emails, national identifiers, API keys) are found exactly, with no model, and can back up the
model's spans. Each recognizer lives in its own module (or its country's); ``RECOGNIZERS``
names them so a spec can choose a set by name, and ``regions`` switches national ones on.
Entity names are Presidio's, so a Presidio user's configuration keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from edge.errors import SpecError
from edge.recognizers.au import (
    AuAbnRecognizer,
    AuAcnRecognizer,
    AuMedicareRecognizer,
    AuTfnRecognizer,
)
from edge.recognizers.bank_name import BankNameRecognizer
from edge.recognizers.base import Recognizer
from edge.recognizers.chat_speaker import ChatSpeakerRecognizer
from edge.recognizers.context import ContextEnhancer
from edge.recognizers.credit_card import CreditCardRecognizer
from edge.recognizers.crypto import CryptoRecognizer
from edge.recognizers.date import DateRecognizer
from edge.recognizers.de import DeTaxIdRecognizer
from edge.recognizers.email import EmailRecognizer
from edge.recognizers.es import EsNieRecognizer, EsNifRecognizer
from edge.recognizers.fi import FiPersonalIdentityCodeRecognizer
from edge.recognizers.iban import IbanRecognizer
from edge.recognizers.india import (
    InAadhaarRecognizer,
    InGstinRecognizer,
    InPanRecognizer,
    InPassportRecognizer,
    InVehicleRegistrationRecognizer,
    InVoterRecognizer,
)
from edge.recognizers.ip import IpRecognizer
from edge.recognizers.it import (
    ItDriverLicenseRecognizer,
    ItFiscalCodeRecognizer,
    ItIdentityCardRecognizer,
    ItPassportRecognizer,
    ItVatCodeRecognizer,
)
from edge.recognizers.kr import (
    KrBrnRecognizer,
    KrDriverLicenseRecognizer,
    KrFrnRecognizer,
    KrPassportRecognizer,
    KrRrnRecognizer,
)
from edge.recognizers.mac import MacAddressRecognizer
from edge.recognizers.medical import MedicalLicenseRecognizer
from edge.recognizers.phone import PhoneRecognizer
from edge.recognizers.pl import PlPeselRecognizer
from edge.recognizers.ruleset import RuleSet
from edge.recognizers.secrets import KeyedSecretRecognizer, PasswordRecognizer, SecretRecognizer
from edge.recognizers.sg import SgNricFinRecognizer, SgUenRecognizer
from edge.recognizers.spoken_phone import SpokenPhoneRecognizer
from edge.recognizers.ssn import SsnRecognizer
from edge.recognizers.th import ThTninRecognizer
from edge.recognizers.time_of_day import TimeOfDayRecognizer
from edge.recognizers.uk import (
    UkBankNumberRecognizer,
    UkNhsRecognizer,
    UkNinoRecognizer,
    UkSortCodeRecognizer,
)
from edge.recognizers.url import UrlRecognizer
from edge.recognizers.us import (
    AbaRoutingRecognizer,
    UsBankNumberRecognizer,
    UsDriverLicenseRecognizer,
    UsItinRecognizer,
    UsMbiRecognizer,
    UsPassportRecognizer,
)
from edge.spans import resolve_overlaps
from edge.types import Span

# The model's types first (their order is the old registry's), then the rule-only ones.
RECOGNIZERS: dict[str, type[Recognizer]] = {
    cls.name: cls
    for cls in (
        EmailRecognizer,
        UrlRecognizer,
        IpRecognizer,
        CreditCardRecognizer,
        IbanRecognizer,
        SsnRecognizer,
        PhoneRecognizer,
        SpokenPhoneRecognizer,
        DateRecognizer,
        TimeOfDayRecognizer,
        ChatSpeakerRecognizer,
        BankNameRecognizer,
        # global
        CryptoRecognizer,
        MacAddressRecognizer,
        MedicalLicenseRecognizer,
        SecretRecognizer,
        PasswordRecognizer,
        KeyedSecretRecognizer,
        # national
        UsBankNumberRecognizer,
        AbaRoutingRecognizer,
        UsDriverLicenseRecognizer,
        UsItinRecognizer,
        UsPassportRecognizer,
        UsMbiRecognizer,
        UkNhsRecognizer,
        UkNinoRecognizer,
        UkSortCodeRecognizer,
        UkBankNumberRecognizer,
        EsNifRecognizer,
        EsNieRecognizer,
        ItFiscalCodeRecognizer,
        ItVatCodeRecognizer,
        ItDriverLicenseRecognizer,
        ItPassportRecognizer,
        ItIdentityCardRecognizer,
        PlPeselRecognizer,
        FiPersonalIdentityCodeRecognizer,
        DeTaxIdRecognizer,
        InAadhaarRecognizer,
        InPanRecognizer,
        InVoterRecognizer,
        InPassportRecognizer,
        InVehicleRegistrationRecognizer,
        InGstinRecognizer,
        AuAbnRecognizer,
        AuAcnRecognizer,
        AuTfnRecognizer,
        AuMedicareRecognizer,
        SgNricFinRecognizer,
        SgUenRecognizer,
        KrRrnRecognizer,
        KrFrnRecognizer,
        KrBrnRecognizer,
        KrPassportRecognizer,
        KrDriverLicenseRecognizer,
        ThTninRecognizer,
    )
}
_BY_LABEL: dict[str, list[str]] = {}
for _name, _cls in RECOGNIZERS.items():
    _BY_LABEL.setdefault(_cls.label, []).append(_name)

# Every type a rule can report, in registry order; REGIONS the national ones belong to.
RULE_LABELS: tuple[str, ...] = tuple(_BY_LABEL)
REGIONS: frozenset[str] = frozenset(c.region for c in RECOGNIZERS.values() if c.region)


def labels_in(regions: Iterable[str] | None) -> list[str]:
    """The types the recognizers of ``regions`` report (global ones always; None: all)."""
    wanted = None if regions is None else set(regions)
    return list(
        dict.fromkeys(
            cls.label
            for cls in RECOGNIZERS.values()
            if wanted is None or cls.region is None or cls.region in wanted
        )
    )


def build_recognizers(
    names: Iterable[str] | None = None,
    *,
    phone_region: str = "US",
    options: Mapping[str, Mapping[str, Any]] | None = None,
    regions: Iterable[str] | None = None,
) -> list[Recognizer]:
    """Instantiate recognizers by registry name ("email") or by label ("EMAIL_ADDRESS"; every
    recognizer of that label, e.g. the three of "SECRET").

    ``None`` builds all of them, in registry order, restricted to ``regions`` (ISO codes; global
    recognizers always; ``None``: every region). Named recognizers are built whatever their
    region: naming one is switching it on. Duplicates are built once. ``options`` gives
    constructor keyword arguments per registry name (``{"ssn": {"weak_score": 0.3}}``).
    """
    options = options or {}
    if names is None:
        wanted = None if regions is None else {r.upper() for r in regions}
        names = [
            n
            for n, cls in RECOGNIZERS.items()
            if wanted is None or cls.region is None or cls.region in wanted
        ]
    if isinstance(names, str):
        names = [names]
    built: list[Recognizer] = []
    seen: set[str] = set()
    for raw in names:
        resolved = [raw] if raw in RECOGNIZERS else _BY_LABEL.get(raw, [raw])
        for name in resolved:
            if name not in RECOGNIZERS:
                allowed = ", ".join(RECOGNIZERS)
                raise SpecError(
                    f"unknown recognizer {raw!r}; use one of: {allowed} "
                    f"(or a label: {', '.join(_BY_LABEL)})"
                )
            if name in seen:
                continue
            seen.add(name)
            cls = RECOGNIZERS[name]
            kwargs = dict(options.get(name, {}))
            if cls is PhoneRecognizer:
                kwargs.setdefault("region", phone_region)
            built.append(cls(**kwargs))
    return built


def find_all(text: str, recognizers: Iterable[Recognizer] | None = None) -> list[Span]:
    """Run every recognizer over ``text`` (each judged by its own context words); return
    sorted, non-overlapping spans.

    Where matches overlap, the higher score wins, then the longer span. ``None`` runs all
    recognizers with their defaults.
    """
    if recognizers is None:
        recognizers = build_recognizers()
    return resolve_overlaps(RuleSet(recognizers).find(text))


__all__ = [
    "RECOGNIZERS",
    "REGIONS",
    "RULE_LABELS",
    "ContextEnhancer",
    "CreditCardRecognizer",
    "DateRecognizer",
    "EmailRecognizer",
    "IbanRecognizer",
    "IpRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "RuleSet",
    "SsnRecognizer",
    "TimeOfDayRecognizer",
    "UrlRecognizer",
    "build_recognizers",
    "find_all",
    "labels_in",
    "resolve_overlaps",
]
