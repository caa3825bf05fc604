"""AWS Signature Version 4 (Authorization header, AWS4-HMAC-SHA256) in plain Python: a signer for test clients
and a verifier for test servers (dynamodb_proxy.py), both checked against AWS's SigV4 test suite
(tests/unit/aws/testdata/sigv4/, by test_dynamodb_proxy.py). Presigned URLs (query-string signing) are not
supported.

Canonical request, as AWS builds it for every service but S3:
    METHOD \n canonical URI \n canonical query \n canonical headers \n \n signed headers \n payload hash
- URI: the path as it is on the wire, dot segments removed and runs of '/' merged (`normalize`), then every
  byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) and '/' percent-encoded, so a '%' already in the wire path
  is encoded again ("double encoding").
- query: each name and value percent-decoded then encoded again, "name=value" pairs sorted by name then value,
  joined with '&'.
- headers: the SignedHeaders, lowercased and sorted; the values of a header sent more than once joined with
  ',' in the order sent; each value trimmed, inner runs of whitespace (folded lines too) one space.
- payload hash: the hex SHA-256 of the body as received (a verifier never trusts x-amz-content-sha256).
"""
import datetime
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_AMZ_DATE = re.compile(r"^\d{8}T\d{6}Z$")


class AuthError(Exception):
    """A request the verifier refuses: `code` is the AWS error name (UnrecognizedClientException, ...), `message`
    the text AWS sends with it."""

    def __init__(self, code, message, detail=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail or {}  # canonical request / string to sign the verifier computed, when it got there


def uri_encode(text, keep_slash=False):
    """Percent-encodes every byte of `text` (str, UTF-8; undecodable bytes kept through surrogateescape) except
    the unreserved characters (and '/' when `keep_slash`), with uppercase hex."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    out = []
    for byte in data:
        if byte in _UNRESERVED or (keep_slash and byte == 0x2F):
            out.append(chr(byte))
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def normalize_path(path):
    """RFC 3986 dot-segment removal with empty segments dropped: "//a/./b/../c//" -> "/a/c/"."""
    segments = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and (path.endswith("/") or path.endswith("/.") or path.endswith("/..")):
        normalized += "/"
    return normalized


def canonical_uri(path, normalize=True):
    if not path:
        path = "/"
    return uri_encode(normalize_path(path) if normalize else path, keep_slash=True)


def canonical_query(query):
    """`query`: the raw query string (without '?') as on the wire."""
    pairs = []
    for param in query.split("&") if query else []:
        if not param:
            continue
        name, _, value = param.partition("=")
        pairs.append((uri_encode(urllib.parse.unquote(name, errors="surrogateescape")),
                      uri_encode(urllib.parse.unquote(value, errors="surrogateescape"))))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def _canonical_value(value):
    return " ".join(value.split())


def canonical_headers(headers, signed_names):
    """`headers`: (name, value) pairs as received (repeats allowed); `signed_names`: lowercase names, sorted.
    A signed header that is absent is signed with an empty value (what AWS does; the signature then fails)."""
    values = {name: [] for name in signed_names}
    for name, value in headers:
        lower = name.lower()
        if lower in values:
            values[lower].append(_canonical_value(value))
    return "".join(f"{name}:{','.join(values[name])}\n" for name in signed_names)


def canonical_request(method, path, query, headers, signed_names, payload_hash, normalize=True):
    return "\n".join([method, canonical_uri(path, normalize), canonical_query(query),
                      canonical_headers(headers, signed_names), ";".join(signed_names), payload_hash])


def string_to_sign(amz_date, scope, canonical):
    return "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode("utf-8", "surrogateescape"))
                      .hexdigest()])


def signing_key(secret, date, region, service):
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def signature(secret, date, region, service, sts):
    return hmac.new(signing_key(secret, date, region, service), sts.encode("utf-8"), hashlib.sha256).hexdigest()


def amz_date(when=None):
    """"20150830T123600Z" for a datetime (aware or UTC-naive) or a POSIX timestamp; now when None."""
    if when is None:
        when = datetime.datetime.now(datetime.timezone.utc)
    elif isinstance(when, (int, float)):
        when = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    elif when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc)
    return when.strftime("%Y%m%dT%H%M%SZ")


def parse_amz_date(text):
    """"20150830T123600Z" -> aware UTC datetime, or None."""
    if not _AMZ_DATE.match(text or ""):
        return None
    try:
        return datetime.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None


def split_target(target):
    """Request target "/p?q" -> ("/p", "q")."""
    path, _, query = target.partition("?")
    return path, query


class Signed:
    def __init__(self, canonical_request, string_to_sign, signature, authorization, headers_to_add):
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign
        self.signature = signature
        self.authorization = authorization
        self.headers_to_add = headers_to_add  # [(name, value)], in the test suite's order


def sign(method, target, headers, body, access_key_id, secret_access_key, region, service, when=None,
         session_token=None, sign_session_token=True, add_content_sha256=False, normalize=True):
    """Signs a request the way AWS's SDKs do: every header in `headers` (which must hold Host) is signed, plus
    X-Amz-Date, X-Amz-Security-Token (when there is a token and `sign_session_token`) and x-amz-content-sha256
    (when `add_content_sha256`). `target`: the path and query as they go on the wire; `body`: bytes or str.
    Returns a Signed whose headers_to_add go on the request as sent."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    date = amz_date(when)
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    added = []
    if session_token is not None:
        added.append(("X-Amz-Security-Token", session_token))
    added.append(("X-Amz-Date", date))
    if add_content_sha256:
        added.append(("x-amz-content-sha256", payload_hash))
    signed_pairs = list(headers) + [(n, v) for n, v in added
                                    if sign_session_token or n != "X-Amz-Security-Token"]
    signed_names = sorted({name.lower() for name, _ in signed_pairs})
    path, query = split_target(target)
    canonical = canonical_request(method, path, query, signed_pairs, signed_names, payload_hash, normalize)
    scope = f"{date[:8]}/{region}/{service}/aws4_request"
    sts = string_to_sign(date, scope, canonical)
    sig = signature(secret_access_key, date[:8], region, service, sts)
    authorization = (f"{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={';'.join(signed_names)}, "
                     f"Signature={sig}")
    return Signed(canonical, sts, sig, authorization, added + [("Authorization", authorization)])


def parse_authorization(value):
    """"AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." -> dict with credential,
    signed_headers, signature; raises AuthError(IncompleteSignatureException) naming what is missing."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        # Another scheme ("AWS3", "Basic", ...): the code is AWS's, the wording an approximation.
        raise AuthError("IncompleteSignatureException", f"Unsupported AWS 'algorithm': '{algorithm}'")
    fields = {}
    for part in rest.split(","):
        key, eq, val = part.strip().partition("=")
        if eq:
            fields[key.strip()] = val.strip()
    missing = [f"Authorization header requires '{key}' parameter." for key in ("Credential", "Signature",
                                                                               "SignedHeaders")
               if not fields.get(key)]
    if missing:
        raise AuthError("IncompleteSignatureException", " ".join(missing) + f" Authorization={value}")
    return {"credential": fields["Credential"], "signed_headers": fields["SignedHeaders"],
            "signature": fields["Signature"]}


class Verified:
    def __init__(self, access_key_id, canonical_request, string_to_sign, signature):
        self.access_key_id = access_key_id
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign
        self.signature = signature


def _header(headers, name):
    """The values of header `name` (case-insensitive) joined with ',', or None when absent."""
    values = [v for n, v in headers if n.lower() == name]
    return ",".join(v.strip() for v in values) if values else None


def verify(method, target, headers, body, credentials, service, region=None, now=None, max_skew_seconds=900,
           normalize=True):
    """Checks a request's SigV4 Authorization header the way an AWS front door does; returns a Verified or
    raises AuthError with the code and message AWS would answer with.

    `target`: the request target as on the wire ("/", "/p?q"); `headers`: (name, value) pairs as received;
    `body`: bytes. `credentials`: {access key id: secret} or {access key id: (secret, session token)}; a key
    with a token requires X-Amz-Security-Token equal to it, a key without one refuses any token (both as AWS:
    UnrecognizedClientException). `region`: the one region this endpoint serves, None for any.
    `now`: aware datetime (default: the current time); X-Amz-Date must be within `max_skew_seconds` of it
    (None: no check). X-Amz-Date is required: a request dated by a Date header alone, which AWS accepts, is
    refused (IncompleteSignatureException); no AWS SDK sends one."""
    authorization = _header(headers, "authorization")
    if authorization is None:
        raise AuthError("MissingAuthenticationTokenException", "Request is missing Authentication Token")
    auth = parse_authorization(authorization)

    date_text = _header(headers, "x-amz-date")
    if date_text is None:
        raise AuthError("IncompleteSignatureException",
                        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                        f"Authorization={authorization}")
    request_time = parse_amz_date(date_text)
    if request_time is None:
        raise AuthError("IncompleteSignatureException",
                        f"Date must be in ISO-8601 'basic format'. Got '{date_text}'. See "
                        "http://en.wikipedia.org/wiki/ISO_8601")

    parts = auth["credential"].split("/")
    if len(parts) != 5 or not all(parts):
        raise AuthError("IncompleteSignatureException",
                        f"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/"
                        f"term, got '{auth['credential']}'")
    access_key_id, scope_date, scope_region, scope_service, terminator = parts

    known = credentials.get(access_key_id)
    if known is None:
        raise AuthError("UnrecognizedClientException", "The security token included in the request is invalid.")
    secret, token = (known, None) if isinstance(known, str) else known
    sent_token = _header(headers, "x-amz-security-token")
    if sent_token != token:
        raise AuthError("UnrecognizedClientException", "The security token included in the request is invalid.")

    if terminator != "aws4_request":
        raise AuthError("InvalidSignatureException",
                        f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'.")
    if scope_service != service:
        raise AuthError("InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'. ")
    if region is not None and scope_region != region:
        raise AuthError("InvalidSignatureException", "Credential should be scoped to a valid region. ")
    if scope_date != date_text[:8]:
        raise AuthError("InvalidSignatureException",
                        f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                        f"'{scope_date}' != '{date_text[:8]}', from '{date_text}'.")

    if max_skew_seconds is not None:
        if now is None:
            now = datetime.datetime.now(datetime.timezone.utc)
        skew = datetime.timedelta(seconds=max_skew_seconds)
        minutes = f"{max_skew_seconds // 60} min."
        if request_time < now - skew:
            raise AuthError("InvalidSignatureException",
                            f"Signature expired: {date_text} is now earlier than {amz_date(now - skew)} "
                            f"({amz_date(now)} - {minutes})")
        if request_time > now + skew:
            raise AuthError("InvalidSignatureException",
                            f"Signature not yet current: {date_text} is still later than {amz_date(now + skew)} "
                            f"({amz_date(now)} + {minutes})")

    signed_names = auth["signed_headers"].split(";")
    if "host" not in signed_names and ":authority" not in signed_names:
        raise AuthError("InvalidSignatureException",
                        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    path, query = split_target(target)
    canonical = canonical_request(method, path, query, headers, signed_names,
                                  hashlib.sha256(body or b"").hexdigest(), normalize)
    scope = "/".join(parts[1:])
    sts = string_to_sign(date_text, scope, canonical)
    expected = signature(secret, scope_date, scope_region, scope_service, sts)
    if not hmac.compare_digest(expected, auth["signature"]):
        raise AuthError("InvalidSignatureException",
                        "The request signature we calculated does not match the signature you provided. Check your "
                        "AWS Secret Access Key and signing method. Consult the service documentation for details.",
                        {"canonical_request": canonical, "string_to_sign": sts})
    return Verified(access_key_id, canonical, sts, expected)
