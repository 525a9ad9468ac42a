"""SECRET: each documented token kind found (made-up values of the right shape, from a seeded
generator), passwords and PINs after their keyword, the entropy rule, prose that only looks like
them, and no SECRET at all on ordinary text (CLINC150's requests and the held-out PII templates:
the false-positive target is 0)."""

from __future__ import annotations

import random
import string

import pytest

from edge.recognizers import build_recognizers, find_all
from edge.recognizers.secrets import KINDS, shannon_entropy

SECRETS = build_recognizers("SECRET")
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "_-"


def rand(alphabet: str, n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


# kind -> (text, the secret in it): one made-up value per documented kind
EXAMPLES: dict[str, tuple[str, str]] = {}


def _add(kind: str, value: str, template: str = "here it is: {} thanks", secret: str = "") -> None:
    EXAMPLES[kind] = (template.format(value), secret or value)


_add("aws-access-key-id", "AKIA" + rand(string.ascii_uppercase + string.digits, 16, 1))
_aws_secret = rand(ALNUM + "/+", 40, 2)
_add("aws-secret-access-key", _aws_secret, "aws_secret_access_key = {}", _aws_secret)
_add("gcp-api-key", "AIza" + rand(B64URL, 35, 3))
_add("gcp-oauth-client-secret", "GOCSPX-" + rand(B64URL, 28, 4))
_add("gcp-oauth-access-token", "ya29." + rand(B64URL, 60, 5))
_azure = rand(ALNUM + "+/", 86, 6) + "=="
_add(
    "azure-storage-key",
    _azure,
    "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={};EndpointSuffix=x",
    _azure,
)
_add("azure-client-secret", "aB3" + "8Q~" + rand(ALNUM + "_~.-", 34, 7))
_add("github-token", "ghp_" + rand(ALNUM, 36, 8))
_add("gitlab-token", "glpat-" + rand(ALNUM, 20, 9))
_add("slack-token", "xoxb-" + rand(string.digits, 12, 10) + "-" + rand(ALNUM, 24, 11))
_add(
    "slack-webhook",
    "https://hooks.slack.com/services/T0"
    + rand(string.ascii_uppercase, 8, 12)
    + "/B0"
    + rand(string.ascii_uppercase, 8, 13)
    + "/"
    + rand(ALNUM, 24, 14),
)
_add("stripe-key", "sk_live_" + rand(ALNUM, 24, 15))
_add("twilio-api-key", "SK" + rand(HEX, 32, 16))
_add("sendgrid-key", "SG." + rand(B64URL, 22, 17) + "." + rand(B64URL, 43, 18))
_add("anthropic-key", "sk-ant-api03-" + rand(B64URL, 93, 19))
_add("openai-key", "sk-proj-" + rand(B64URL, 48, 20))
_add("huggingface-token", "hf_" + rand(string.ascii_letters, 34, 21))
_add("npm-token", "npm_" + rand(ALNUM, 36, 22))
_add("pypi-token", "pypi-AgEIcHlwaS5vcmc" + rand(B64URL, 60, 23))
_add(
    "discord-token",
    "M" + rand(B64URL, 23, 24) + "." + rand(B64URL, 6, 25) + "." + rand(B64URL, 27, 26),
)
_add(
    "discord-webhook",
    "https://discord.com/api/webhooks/" + rand(string.digits, 18, 27) + "/" + rand(B64URL, 60, 28),
)
_add("telegram-bot-token", rand(string.digits, 10, 29) + ":AA" + rand(B64URL, 33, 30))
_add("shopify-token", "shpat_" + rand(HEX, 32, 31))
_add("mailgun-key", "key-" + rand(HEX, 32, 32))
_add("square-token", "sq0atp-" + rand(B64URL, 22, 33))
_add("digitalocean-token", "dop_v1_" + rand(HEX, 64, 34))
_add("databricks-token", "dapi" + rand("abcdefgh0123456789", 32, 35))
_add(
    "jwt",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx" + rand(B64URL, 20, 36) + "." + rand(B64URL, 43, 37),
)
_pem_body = "\n".join(rand(ALNUM + "+/", 64, 38 + i) for i in range(3))
_pem = f"-----BEGIN RSA PRIVATE KEY-----\n{_pem_body}\n-----END RSA PRIVATE KEY-----"
_add("private-key", _pem, "key:\n{}\nend")
_add(
    "url-credentials",
    "postgres://admin:" + rand(ALNUM, 12, 50) + "@db.internal:5432/prod",
    "DATABASE_URL={}",
    "",
)
EXAMPLES["url-credentials"] = (EXAMPLES["url-credentials"][0], "")  # the password, set below


def test_at_least_twenty_kinds_each_with_an_example() -> None:
    assert len(KINDS) >= 20
    assert set(EXAMPLES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_documented_kind_is_found(kind: str) -> None:
    text, secret = EXAMPLES[kind]
    spans = [s for s in find_all(text, SECRETS) if s.label == "SECRET"]
    assert spans, text
    if kind == "url-credentials":  # the password only: user and host stay readable
        assert spans[0].text == text.split("admin:")[1].split("@")[0]
    else:
        assert spans[0].text == secret
    assert spans[0].source == f"rule:secret/{kind}"


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("my password is hunter2", "hunter2", "password"),
        ("Password: correct horse", "correct", "password"),
        ("login with pwd=S3cr3t!x please", "S3cr3t!x", "password"),
        ('config {"passwd": "tr0ub4dor&3"}', "tr0ub4dor&3", "password"),
        ("the wifi passphrase is Blue-Fish-42.", "Blue-Fish-42", "password"),
        ("my PIN is 4321", "4321", "pin"),
        ("pin code: 908172", "908172", "pin"),
    ],
)
def test_passwords_and_pins_after_their_keyword(text: str, value: str, kind: str) -> None:
    spans = find_all(text, SECRETS)
    assert [(s.label, s.text, s.source) for s in spans] == [
        ("SECRET", value, f"rule:password/{kind}")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "my password is wrong again",
        "I forgot my password, can you reset it",
        "what is my pin number",
        "my pin is not working at the atm",
        "change the PIN is 4 digits long",
        "Boarding pass: Ruiz, Agathe · gate 8",
        "the password is Expired",
        "a token of appreciation for the team",
        "the key is under the mat",
        "secret: the cake is a lie",
        "read the api key docs at https://example.com/docs",
        "Order #A1B2C3D4E5F6 shipped; see key points in the doc",
        "sudo: ops : TTY=pts/1 ; PWD=/home/ops-kim ; USER=root ; COMMAND=/usr/bin/ls",
    ],
)
def test_prose_about_secrets_is_not_a_secret(text: str) -> None:
    assert find_all(text, SECRETS) == [], text


def test_entropy_rule_for_keys_without_a_prefix() -> None:
    key = rand(ALNUM, 32, 60)
    spans = find_all(f"api_key = '{key}'", SECRETS)
    assert [(s.text, s.source) for s in spans] == [(key, "rule:secret_entropy/high-entropy")]
    assert find_all(f"Authorization: Bearer {key}", SECRETS)[0].text == key
    assert find_all(f"the token is {key}.", SECRETS)[0].text == key  # not the full stop
    # long, but a word or a repeated pattern: not random enough
    assert find_all("token: aaaaaaaabbbbbbbb1111", SECRETS) == []
    assert find_all("secret key: internationalization2", SECRETS) == []
    assert shannon_entropy("abab") == 1.0


def test_no_secret_on_ordinary_text() -> None:
    """CLINC150's requests and the held-out PII templates hold no secret: none may be found."""
    from quantize.datasets import clinc150, pii_synth

    texts = [r["text"] for r in clinc150("test")] + [r["text"] for r in pii_synth("test")]
    every = build_recognizers()
    false_positives = [
        (t, s.text) for t in texts for s in find_all(t, every) if s.label == "SECRET"
    ]
    assert false_positives == []
    assert len(texts) > 8000
