"""SECRET: API keys, tokens, private keys, credentials in connection strings, passwords and PINs.

One entity type for the whole family, the kind in the span's source (``rule:secret/github-token``,
``rule:password/pin``): every kind is handled the same way (never sent, replaced whole, never
masked to a tail), a policy allows or denies them together, and Presidio, whose names edge
keeps, has no such types to match. Three recognizers:

- ``secret``: tokens with a documented prefix or shape (``KINDS``, each with the provider's
  documentation as its source). One cheap anchor regex (every kind's prefix, so the regex
  engine skips positions by their first character) runs first; the kinds' own patterns run
  only on a text where an anchor occurs.
- ``password``: a value after "password", "pwd", "passcode", "PIN" and the like, joined by
  ":", "=" or "is". A PIN must be 4-8 digits; after "is" a password must not be a plain
  lower-case word ("my password is wrong" is a complaint, "my password is hunter2" a secret).
- ``secret_entropy``: a long, random-looking value (letters and digits, Shannon entropy over
  ``MIN_ENTROPY`` bits per character) after "key", "token", "secret", "bearer" and the like:
  the generic API key no prefix announces.

Why hand-written and not detect-secrets' plugins: detect-secrets (Apache-2.0) scans files line
by line through 27 plugins, each running its own regexes on every line; it returns no
character offsets, pulls requests and PyYAML into the runtime, and lacks kinds people paste
into prompts (Anthropic, Hugging Face, Google OAuth, connection-string passwords, "my password
is ..."). Measured on CLINC150 + the held-out templates (``python -m benchmarks.rules_cost
--detect-secrets``): its plugins cost 0.13-0.16 ms per text, about five times these three
recognizers, and flag 149 values in those ordinary texts (IPv4 addresses, as "secrets"). The
prefixes below are the same public facts it encodes (each provider's documentation), written
as one anchored set.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import ClassVar

from edge.recognizers.base import CHECKSUM_SCORE, Context, Recognizer
from edge.types import Span

# kind -> pattern. The value is group "value" where one exists, else the whole match.
KINDS: dict[str, str] = {
    # docs.aws.amazon.com IAM "Unique identifiers": AKIA (long-term), ASIA (temporary) key ids
    "aws-access-key-id": r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}",
    # AWS secret access key next to its well-known variable name
    "aws-secret-access-key": (
        r"(?i:aws_?secret_?access_?key|aws_?secret)['\"]?\s*[:=]\s*['\"]?"
        r"(?P<value>[A-Za-z0-9/+]{40})"
    ),
    # cloud.google.com API keys: "AIza" + 35; OAuth client secrets "GOCSPX-"; access tokens ya29.
    "gcp-api-key": r"AIza[0-9A-Za-z_-]{35}",
    "gcp-oauth-client-secret": r"GOCSPX-[0-9A-Za-z_-]{28}",
    "gcp-oauth-access-token": r"ya29\.[0-9A-Za-z_-]{20,}",
    # learn.microsoft.com storage connection strings; Entra ID client secrets contain "Q~"
    "azure-storage-key": r"AccountKey=(?P<value>[A-Za-z0-9+/]{86}==)",
    "azure-client-secret": r"[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}",
    # docs.github.com "About authentication": ghp_ gho_ ghu_ ghs_ ghr_, fine-grained github_pat_
    "github-token": r"gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82}",
    # docs.gitlab.com "Token prefixes"
    "gitlab-token": r"gl(?:pat|ptt|dt|rt|cbt|oas|imt|ft|agent)-[0-9A-Za-z_-]{20,}",
    # api.slack.com tokens (xoxb bot, xoxp user, xoxa/xoxr/xoxs) and incoming webhooks
    "slack-token": r"xox[abeprs]-[0-9A-Za-z-]{10,}",
    "slack-webhook": r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}",
    # stripe.com/docs/keys: secret and restricted keys (publishable pk_ keys are public)
    "stripe-key": r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,99}",
    # twilio.com/docs/iam/api-keys: API key SIDs "SK" + 32 hex
    "twilio-api-key": r"SK[0-9a-fA-F]{32}",
    # docs.sendgrid.com API keys: SG.<22>.<43>
    "sendgrid-key": r"SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}",
    # docs.anthropic.com: sk-ant-api03-...; platform.openai.com: sk-, sk-proj-, sk-svcacct-
    "anthropic-key": r"sk-ant-(?:api|admin)\d\d-[0-9A-Za-z_-]{80,}",
    "openai-key": r"sk-(?!ant-)(?:proj-|svcacct-|admin-)?[0-9A-Za-z_-]{32,}",
    # huggingface.co/docs/hub/security-tokens: hf_ + 34 letters
    "huggingface-token": r"hf_[A-Za-z0-9]{30,40}",
    # docs.npmjs.com access tokens: npm_ + 36
    "npm-token": r"npm_[A-Za-z0-9]{36}",
    # pypi.org/help/#apitoken: macaroons starting "pypi-AgEIcHlwaS5vcmc"
    "pypi-token": r"pypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}",
    # discord.com/developers: bot token (base64 user id . timestamp . hmac); webhooks
    "discord-token": r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}",
    "discord-webhook": r"https://discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,}",
    # core.telegram.org/bots/api: <bot id>:<35 characters starting AA>
    "telegram-bot-token": r"\d{8,10}:AA[0-9A-Za-z_-]{33}",
    # shopify.dev access tokens: shpat_ shpca_ shppa_ shpss_ + 32 hex
    "shopify-token": r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
    # documentation.mailgun.com: private API keys "key-" + 32 hex
    "mailgun-key": r"key-[0-9a-f]{32}",
    # developer.squareup.com: access tokens and OAuth secrets
    "square-token": r"sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}",
    # docs.digitalocean.com personal access tokens
    "digitalocean-token": r"do[por]_v1_[a-f0-9]{64}",
    # docs.databricks.com personal access tokens
    "databricks-token": r"dapi[a-h0-9]{32}",
    # RFC 7519 JWT: base64url header {"...  . payload {"... . signature
    "jwt": r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}",
    # RFC 7468 PEM blocks of private keys (PKCS#1/#8, EC, OpenSSH, PGP)
    "private-key": (
        r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]{16,}?-----END (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"
    ),
    # RFC 3986 userinfo: scheme://user:password@host (databases, brokers, basic-auth URLs);
    # the password is the secret
    "url-credentials": (
        r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@]{1,64}:(?P<value>[^\s@/]{1,128})@[\w.-]+"
    ),
}

# Every kind's fixed start: a text holding none of them holds no prefixed secret.
_ANCHOR_RE = re.compile(
    r"AKIA|ASIA|ABIA|ACCA|(?i:aws_?secret)|AIza|GOCSPX-|ya29\.|AccountKey=|\dQ~|gh[pousr]_"
    r"|github_pat_|gl(?:pat|ptt|dt|rt|cbt|oas|imt|ft|agent)-|xox[abeprs]-|hooks\.slack|[sr]k_"
    r"|SK[0-9a-fA-F]{32}|SG\.|sk-|hf_|npm_|pypi-|[MNO][A-Za-z0-9_-]{23,25}\.|discord|:AA"
    r"|shp(?:at|ca|pa|ss)_|key-|sq0|do[por]_v1_|dapi|eyJ|-----BEGIN|://[^\s:/@]+:"
)
# A token stands alone (not inside a longer word); the kinds that end in punctuation or sit
# inside a longer string by nature (a PEM block, a URL's userinfo, "AccountKey=" in a
# connection string) carry their own delimiters.
_KIND_RES = {kind: re.compile(rf"(?<![\w-])(?:{p})(?![\w-])") for kind, p in KINDS.items()}
_KIND_RES["private-key"] = re.compile(KINDS["private-key"])
_KIND_RES["url-credentials"] = re.compile(KINDS["url-credentials"])
_KIND_RES["azure-storage-key"] = re.compile(KINDS["azure-storage-key"])


class _SecretBase(Recognizer):
    label = "SECRET"

    def secret(self, text: str, start: int, end: int, score: float, kind: str) -> Span:
        return Span(self.label, start, end, score, text[start:end], f"rule:{self.name}/{kind}")


class SecretRecognizer(_SecretBase):
    """Tokens by their documented prefix or shape (``KINDS``)."""

    name = "secret"
    score = CHECKSUM_SCORE  # a documented prefix and length are as good as a check digit
    min_token = 9  # the shortest kind, a URL's "a://b:c@d"; the others are 15+ characters

    def matches(self, text: str) -> list[Span]:
        if _ANCHOR_RE.search(text) is None:
            return []
        spans = []
        for kind, pattern in _KIND_RES.items():
            for m in pattern.finditer(text):
                start, end = m.span("value") if "value" in pattern.groupindex else m.span()
                spans.append(self.secret(text, start, end, self.score, kind))
        return spans


_PASSWORD_WORDS = r"passwords?|passwd|passphrase|passcode|pwd|pw|login\s+code"
_PIN_WORDS = r"pin(?:\s+(?:code|number))?|security\s+code|unlock\s+code"
_JOIN = r"\s*(?:[:=]|:=|=>|->)\s*|\s+(?:is|was|will\s+be|=)\s*[:]?\s*"
_PASSWORD_RE = re.compile(
    rf"(?<![\w])(?P<word>{_PASSWORD_WORDS}|{_PIN_WORDS})['\"]?(?P<join>{_JOIN})"
    r"(?P<q>['\"`]?)(?P<value>[^\s'\"`]{3,64})",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>"


class PasswordRecognizer(_SecretBase):
    """A password or PIN after its keyword ("password: x", "pwd=x", "my PIN is 1234")."""

    name = "password"
    score = 0.9
    needs = ("pass", "pwd", "pw", "pin", "code")

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _PASSWORD_RE.finditer(text):
            start, end = m.span("value")
            if not m["q"]:
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
            value = text[start:end]
            word = m["word"].lower()
            is_pin = word.startswith(("pin", "security", "unlock"))
            if is_pin:
                if not (value.isdigit() and 4 <= len(value) <= 8):
                    continue
            elif not self._password_like(value, explicit=not m["join"].strip().isalpha()):
                continue
            spans.append(self.secret(text, start, end, self.score, "pin" if is_pin else "password"))
        return spans

    @staticmethod
    def _password_like(value: str, *, explicit: bool) -> bool:
        """After ":" or "=" any 3+ characters are the password (quoted or not); after "is" a plain
        word, lower-case or capitalised, is more likely prose ("is wrong", "is Expired") than a
        password: a digit, a symbol or mixed case is what makes it one."""
        if len(value) < 3 or value.startswith(("/", "~/", "./", "../")):
            return False  # "PWD=/home/kim" in a sudo log is the working directory
        if explicit:
            return True
        return not (value.isalpha() and (value.islower() or value.istitle()))


MIN_ENTROPY = 3.5  # bits per character; English words stay under 3.3 at these lengths
MIN_LENGTH = 16  # the shortest generic keys; shorter values are ids, not credentials
_KEY_WORDS = (
    r"api[_ -]?key|apikey|access[_ -]?key|secret(?:[_ -]?key)?|client[_ -]?secret|token"
    r"|access[_ -]?token|auth[_ -]?token|bearer|private[_ -]?key|credential|credentials|key"
)
_KEYED_RE = re.compile(
    rf"(?<![\w])(?:{_KEY_WORDS})['\"]?(?:\s*[:=]\s*|\s+(?:is\s+)?|\s*:\s*bearer\s+)"
    rf"['\"]?(?P<value>[A-Za-z0-9+/_.=~-]{{{MIN_LENGTH},256}})",
    re.IGNORECASE,
)


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


class KeyedSecretRecognizer(_SecretBase):
    """A random-looking value after "key", "token", "secret", "bearer": the generic API key."""

    name = "secret_entropy"
    score = 0.8
    min_digits = 1
    min_token = 16
    needs = ("key", "token", "secret", "bearer", "credential")
    context: ClassVar[Context] = Context()

    def matches(self, text: str) -> list[Span]:
        spans = []
        for m in _KEYED_RE.finditer(text):
            start, end = m.span("value")
            while end > start and text[end - 1] == ".":  # a sentence's full stop, an ellipsis
                end -= 1
            value = text[start:end].rstrip("=")  # base64 padding is no randomness
            has_letter = any(c.isalpha() for c in value)
            has_digit = any(c.isdigit() for c in value)
            if len(value) < MIN_LENGTH or not (has_letter and has_digit):
                continue
            if shannon_entropy(value) < MIN_ENTROPY:
                continue
            spans.append(self.secret(text, start, end, self.score, "high-entropy"))
        return spans
