"""Property-based API test: schemathesis generates requests for every operation in a running
venue's /openapi.json, signs each one (docs/api-signing.md), and checks that no response is a
5xx and every response matches the document (status code, content type, body schema).

Run by crates/gateway/tests/schemathesis.rs, which starts the venue and passes:
  AUGURY_URL          the venue's base URL, e.g. http://127.0.0.1:40123
  AUGURY_KEY_ID       the signing key's id (16 hex digits)
  AUGURY_SIGNING_KEY  the Ed25519 private key seed (64 hex digits)
  AUGURY_FUZZ_EXAMPLES  examples per operation (default 40)
  AUGURY_FUZZ_REPORT  a file to which the count of responses per status code is written (JSON)

  python3 -m pytest -q -p no:cacheprovider tools/api_fuzz.py
"""

import base64
import collections
import json
import hashlib
import os
import secrets
import time
from urllib.parse import urlsplit

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = os.environ["AUGURY_URL"]
KEY_ID = os.environ["AUGURY_KEY_ID"]
SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["AUGURY_SIGNING_KEY"]))
EXAMPLES = int(os.environ.get("AUGURY_FUZZ_EXAMPLES", "40"))


class AugurySignature(requests.auth.AuthBase):
    """Signs the request exactly as sent: the raw path and query, and the body's bytes."""

    def __call__(self, request):
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        timestamp = str(int(time.time() * 1000))
        nonce = secrets.token_hex(16)
        message = "\n".join(
            [
                "augury-v1",
                KEY_ID,
                timestamp,
                nonce,
                request.method.upper(),
                url.path,
                url.query,
                hashlib.sha256(body).hexdigest(),
            ]
        )
        signature = base64.b64encode(SIGNING_KEY.sign(message.encode())).decode()
        request.headers["Augury-Key"] = KEY_ID
        request.headers["Augury-Timestamp"] = timestamp
        request.headers["Augury-Nonce"] = nonce
        request.headers["Augury-Signature"] = signature
        return request


SESSION = requests.Session()
SESSION.auth = AugurySignature()

schema = schemathesis.openapi.from_url(f"{BASE_URL}/openapi.json")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api(case):
    response = case.call(base_url=BASE_URL, session=SESSION)
    STATUSES[response.status_code] += 1
    if response.status_code >= 400 and os.environ.get("AUGURY_FUZZ_LOG"):
        with open(os.environ["AUGURY_FUZZ_LOG"], "a") as log:
            log.write(f"{case.operation.label} {response.status_code} {response.text[:300]}\n")
    write_report()
    case.validate_response(response, checks=CHECKS)


STATUSES = collections.Counter()


def write_report():
    path = os.environ.get("AUGURY_FUZZ_REPORT")
    if path:
        with open(path, "w") as out:
            json.dump({str(code): count for code, count in sorted(STATUSES.items())}, out)
