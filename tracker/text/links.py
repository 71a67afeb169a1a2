"""Links as a reader meets them: which document a target names, and which links are references.

A link target is noise to a reader in almost every spelling it takes: ``http``
or ``https``, ``www.`` or not, a trailing slash, a default port, a fragment, a
tracking or locale parameter.  :func:`document` reduces a target to the
document it points at, so that only a link that now leads somewhere else
differs.

A *reference* is a link whose words name another document (``《腾讯云服务协议》``,
"Privacy Policy"): an agreement that links the agreements it incorporates binds
its reader to whatever those links point at, so a reference that now points at
a different document is a change of the agreement even when no word changed.

Cloudflare's e-mail obfuscation rewrites every address on every page load
(``/cdn-cgi/l/email-protection#<hex>``, ``data-cfemail``); :func:`cloudflare_email`
decodes it to the address a browser shows.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

CLOUDFLARE_EMAIL_PATH = "/cdn-cgi/l/email-protection"

# Query parameters that say who sent the reader, or in which language to show the page,
# never which document it is.
_NOISE_PARAMS = re.compile(
    r"^(?:utm_\w*|gclid|gclsrc|dclid|fbclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_ga|_gl"
    r"|icid|ocid|cmpid|campaign|ref|ref_src|referrer|source|src|from|share\w*|spm|scm"
    r"|hl|gl|lang|language|locale|ln)$",
    re.I,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_FILE = re.compile(r"/(?:index|default)\.(?:s?html?|php|aspx?)$", re.I)

# Words a link uses when it names a document rather than a place on the site.
_DOCUMENT_WORDS = re.compile(
    r"《[^》]+》|协议|规则|政策|条款|声明|须知|准则|规范|指引|公约|约定"
    r"|\b(?:agreements?|terms|polic(?:y|ies)|notices?|conditions|statements?|rules"
    r"|guidelines|addendum|charter|eula|dpa)\b",
    re.I,
)


def document(url: str) -> str:
    """The document ``url`` points at, as one comparable string.

    ``http://www.Example.com:80/terms/?utm_source=x#s2`` and
    ``https://example.com/terms`` are the same document; ``/terms`` and ``/privacy``
    are not, nor are ``?id=1`` and ``?id=2``.  Targets that are not web pages
    (``mailto:``, ``tel:``) compare by what follows the scheme.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return "mailto:" + unquote(parts.path).strip().lower()
    if scheme not in ("http", "https", ""):
        return f"{scheme}:{parts.netloc}{parts.path}"
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS.get(scheme or "https"):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", unquote(parts.path))
    path = _INDEX_FILE.sub("/", path).rstrip("/")
    params = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in params if not _NOISE_PARAMS.match(k))
    return f"//{host}{path}" + (f"?{urlencode(query)}" if query else "")


def names_a_document(words: str) -> bool:
    """Whether a link's words name another document (``《…》``, 协议, Terms, Policy, …)."""
    return bool(_DOCUMENT_WORDS.search(words))


def cloudflare_email(encoded: str) -> str | None:
    """The address behind Cloudflare's obfuscation: hex bytes, each XOR the first one."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def cloudflare_href(href: str) -> str | None:
    """``mailto:`` for an obfuscated ``/cdn-cgi/l/email-protection#<hex>`` link, else None."""
    path, _, fragment = href.partition("#")
    if not path.endswith(CLOUDFLARE_EMAIL_PATH):
        return None
    address = cloudflare_email(fragment) if fragment else None
    return f"mailto:{address}" if address else ""


# Query parameters whose value is a credential: shown as *** wherever a URL is shown or kept.
_SECRET_PARAMS = re.compile(
    r"(?:^|[_-])(?:token|key|apikey|secret|password|passwd|pwd|pass|sig|signature|auth"
    r"|authorization|credentials?|session|sessionid|ticket|access)(?:$|[_-])",
    re.I,
)


def masked(url: str) -> str:
    """``url`` with its credentials shown as ``***``: the password (or a lone user name, often
    a token) before the host, and the values of parameters named like secrets."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, colon, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if colon else f"***@{host}"
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            name, eq, _value = piece.partition("=")
            secret = eq and _SECRET_PARAMS.search(unquote(name))
            pieces.append(f"{name}=***" if secret else piece)
        query = "&".join(pieces)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return parts._replace(netloc=netloc, query=query).geturl()


def secrets_of(url: str) -> tuple[str, ...]:
    """The credentials in ``url``, as written and decoded: what must be scrubbed from any text."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    found: list[str] = []
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        user, colon, password = userinfo.partition(":")
        found.append(password if colon else user)
    for piece in parts.query.split("&"):
        name, eq, value = piece.partition("=")
        if eq and value and _SECRET_PARAMS.search(unquote(name)):
            found.append(value)
    found += [unquote(s) for s in found]
    return tuple(s for s in dict.fromkeys(found) if len(s) >= 3)
