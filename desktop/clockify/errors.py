"""One error hierarchy whose messages can be shown to the user as they are.

Messages never contain the API key: the client never formats it into text, and every
text that came from a server passes through `server_text` (the key hidden, the length
capped) before it reaches a message.
"""

from __future__ import annotations

import base64
import re
import unicodedata

from desktop.errors import AppError

#: What stands in for the key wherever a trace of it was found.
MASK = "***"
#: The longest server text quoted in a message, in characters.
SERVER_TEXT_LIMIT = 300
#: Only this much of a server text is searched for the key (the rest is cut off anyway).
_SCAN_LIMIT = 20_000
#: A run of this many of the key's letters and digits counts as the key.
_FRAGMENT = 12
#: Below this many letters and digits, a key is only hidden where it appears as it is.
_SHORTEST_SKELETON = 6
#: The longest id quoted in a message.
_ID_LIMIT = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
# Terminal control sequences (CSI, and ESC with one character): their letters and digits
# are not text, and a key split up by "\x1b[0m" must still be found. (The text of an OSC
# sequence is left in: it may well be the key.)
_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[ -/]*[0-~]")


def _skeleton(text: str) -> tuple[str, list[int]]:
    """The letters and digits of `text`, case-folded and in compatibility form.

    Returns them with the index in `text` each one came from, so that a match in the
    skeleton maps back to a span of the text.
    """
    chars: list[str] = []
    where: list[int] = []
    skipped = {i for m in _ESCAPE.finditer(text) for i in range(m.start(), m.end())}
    for index, char in enumerate(text):
        if index in skipped:
            continue
        folded = char if char.isascii() else unicodedata.normalize("NFKC", char)
        for part in folded.casefold():
            if part.isalnum():
                chars.append(part)
                where.append(index)
    return "".join(chars), where


def _secret_forms(secret: str) -> list[str]:
    """The secret as it is, reversed, as hex (percent-encoding too) and as base64."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = [secret, secret[::-1], raw.hex()]
    for shift, skip in ((0, 0), (1, 2), (2, 3)):
        # Base64 at each of the three byte alignments, without the characters that also
        # encode what comes before or after the secret.
        encoded = base64.b64encode(bytes(shift) + raw).decode("ascii")
        forms.append(encoded[skip:-4])
    return forms


def redact(text: str, secret: str) -> str:
    """`text` with every trace of `secret` that can be found replaced by ***.

    Found: the secret in any letter case, split up by spaces, punctuation, control or
    invisible characters or terminal escape sequences, in full-width or other
    compatibility forms, reversed, as hex (so percent-encoded too) or base64, and any run
    of 12 of its letters and digits in one of those forms.
    """
    if not secret or not text:
        return text
    text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    secret_skeleton = _skeleton(secret)[0]
    if len(secret_skeleton) < _SHORTEST_SKELETON:
        return text
    grams: set[str] = set()
    sizes: set[int] = set()
    for form in _secret_forms(secret):
        skeleton = _skeleton(form)[0]
        if len(skeleton) < _SHORTEST_SKELETON:
            continue
        size = min(_FRAGMENT, len(skeleton))
        sizes.add(size)
        grams.update(skeleton[i : i + size] for i in range(len(skeleton) - size + 1))
    skeleton, where = _skeleton(text)
    spans: list[tuple[int, int]] = []
    for size in sorted(sizes):
        for start in range(len(skeleton) - size + 1):
            if skeleton[start : start + size] in grams:
                spans.append((where[start], where[start + size - 1]))
    if not spans:
        return text
    spans.sort()
    merged = [spans[0]]
    for first, last in spans[1:]:
        if first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    pieces: list[str] = []
    done = 0
    for first, last in merged:
        pieces.append(text[done:first])
        pieces.append(MASK)
        done = last + 1
    pieces.append(text[done:])
    return "".join(pieces)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def server_text(text: str, secret: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    """A text from a server, fit to quote in a message: the key hidden, at most `limit` long.

    Lone surrogates become U+FFFD (so the text encodes as UTF-8); control characters are
    left in (the command line escapes them for the terminal).
    """
    shown = redact(text[:_SCAN_LIMIT], secret)
    return _shorten(_SURROGATE.sub("\ufffd", shown), limit)


class ClockifyError(AppError):
    """Base of every error the Clockify layer raises (a message and an exit code, as
    every AppError)."""


class InvalidConnectionError(ClockifyError):
    """The region or base URL given is unusable (for example plain http to a remote host)."""

    exit_code = 2


class KeyRejectedError(ClockifyError):
    """401: the key is wrong, revoked, regenerated, or belongs to another region."""

    exit_code = 3

    def __init__(self, host: str, server_message: str | None = None) -> None:
        detail = f' (server said: "{server_message}")' if server_message else ""
        super().__init__(
            f"Clockify rejected the API key at {host}{detail}. The key may be mistyped, "
            "revoked or regenerated, or it may belong to another region "
            "(EU, USA, UK, Australia): check the region and the key."
        )
        self.host = host


class NoPermissionError(ClockifyError):
    """403 on a list the key's owner may not read (typically users for a non-admin)."""

    exit_code = 4


class WorkspaceNotFoundError(ClockifyError):
    """403/400 with code 501: the workspace does not exist or is not the key's."""

    exit_code = 4

    def __init__(self, workspace_id: str) -> None:
        shown = _shorten(workspace_id, _ID_LIMIT) if workspace_id.strip() else "(an empty id)"
        super().__init__(
            f"Workspace not found: {shown} does not exist or this API key has no access to it."
        )
        self.workspace_id = workspace_id


class UnusableKeyError(ClockifyError):
    """The key cannot be sent at all (for example it is not ASCII); nothing was sent."""

    exit_code = 3


class NetworkError(ClockifyError):
    """No connection, a refused connection, a name that does not resolve, or a timeout."""

    exit_code = 5


class RateLimitedError(ClockifyError):
    """429 that persisted through the retries."""

    exit_code = 5


class RequestBudgetError(ClockifyError):
    """A request was not sent: it would pass this app's share of the hourly budget of a
    rate-limited (Free plan) workspace. Raised by a RequestGate before anything is sent.

    Attributes:
        workspace_id: the workspace whose budget is spent.
        used: requests this app sent for it in the last hour.
        limit: the share the request would have passed (10 automatic, 25 asked for).
        retry_at: `time.time()` from which a request fits in that share again.
        automatic: whether the refused request was an automatic one.
    """

    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        workspace_id: str,
        used: int,
        limit: int,
        retry_at: float,
        automatic: bool,
    ) -> None:
        super().__init__(message)
        self.workspace_id = workspace_id
        self.used = used
        self.limit = limit
        self.retry_at = retry_at
        self.automatic = automatic


class ServerError(ClockifyError):
    """5xx that persisted through the retries, or another unexpected status."""


class UnexpectedResponseError(ClockifyError):
    """The answer is not what Clockify sends: malformed JSON, wrong shape, endless pages."""
