"""The rule recognizers' types and regions as a data table, for validating a spec without
importing the recognizers (about 70 ms: their regexes and stdnum) while a model loads; the
recognizers load with the first text. tests/test_recognizers_national.py checks that this
table is the registry's (edge.recognizers.RULE_LABELS and REGIONS): a new recognizer's type or
region goes here too.
"""

# Every type a rule can report, in the registry's order.
RULE_LABELS: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "URL",
    "IP_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "PHONE_NUMBER",
    "DATE_TIME",
    "PERSON",
    "ORGANIZATION",
    "CRYPTO",
    "MAC_ADDRESS",
    "MEDICAL_LICENSE",
    "SECRET",
    "US_BANK_NUMBER",
    "ABA_ROUTING_NUMBER",
    "US_DRIVER_LICENSE",
    "US_ITIN",
    "US_PASSPORT",
    "US_MBI",
    "UK_NHS",
    "UK_NINO",
    "UK_SORT_CODE",
    "UK_BANK_NUMBER",
    "ES_NIF",
    "ES_NIE",
    "IT_FISCAL_CODE",
    "IT_VAT_CODE",
    "IT_DRIVER_LICENSE",
    "IT_PASSPORT",
    "IT_IDENTITY_CARD",
    "PL_PESEL",
    "FI_PERSONAL_IDENTITY_CODE",
    "DE_TAX_ID",
    "IN_AADHAAR",
    "IN_PAN",
    "IN_VOTER",
    "IN_PASSPORT",
    "IN_VEHICLE_REGISTRATION",
    "IN_GSTIN",
    "AU_ABN",
    "AU_ACN",
    "AU_TFN",
    "AU_MEDICARE",
    "SG_NRIC_FIN",
    "SG_UEN",
    "KR_RRN",
    "KR_FRN",
    "KR_BRN",
    "KR_PASSPORT",
    "KR_DRIVER_LICENSE",
    "TH_TNIN",
)

# The regions national recognizers belong to (ISO 3166 codes; GB for the United Kingdom).
REGIONS: frozenset[str] = frozenset(
    {"AU", "DE", "ES", "FI", "GB", "IN", "IT", "KR", "PL", "SG", "TH", "US"}
)
