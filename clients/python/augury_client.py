"""A small client for the Augury REST API (v1) that signs its requests.

Dependencies: the standard library and `cryptography` (for Ed25519). The signing scheme is
described in docs/api-signing.md; this module is a direct transcription of it.

    from augury_client import AuguryClient
    client = AuguryClient("http://127.0.0.1:8080", key_id="00c0ffee00c0ffee",
                          private_key_hex="<64 hex characters>")
    placed = client.place_order(market=1, side="yes", action="buy", price_micros=450_000, quantity=10)
    client.cancel_order(placed["order"]["order_id"])

Money is integer micro-dollars (1 USD = 1,000,000); prices are micro-dollars per contract in the
order's own side; quantities are whole contracts. Never pass floats.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple, Union

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SIGNATURE_VERSION = "augury-v1"

QueryLike = Union[None, str, Mapping[str, Any], Sequence[Tuple[str, Any]]]


class AuguryError(Exception):
    """An error answer: the HTTP status and the API's error code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None, retry_after: Optional[str] = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retry_after = retry_after


def signing_message(key_id: str, timestamp_ms: int, nonce: str, method: str, path: str, query: str, body: bytes) -> bytes:
    """The exact bytes that are signed (docs/api-signing.md, "The signed message")."""
    body_hash = hashlib.sha256(body).hexdigest()
    fields = [SIGNATURE_VERSION, key_id.lower(), str(timestamp_ms), nonce, method.upper(), path, query, body_hash]
    return "\n".join(fields).encode("utf-8")


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """The Augury-Signature header value: standard base64 (with padding) of the 64-byte signature."""
    return base64.b64encode(private_key.sign(message)).decode("ascii")


def _encode_query(query: QueryLike) -> str:
    if query is None:
        return ""
    if isinstance(query, str):
        return query
    items: Iterable[Tuple[str, Any]] = query.items() if isinstance(query, Mapping) else query
    pairs = [(k, str(v).lower() if isinstance(v, bool) else v) for k, v in items if v is not None]
    return urllib.parse.urlencode(pairs)


class AuguryClient:
    """Signs every request that has a private key; falls back to the bearer token for reads."""

    def __init__(
        self,
        base_url: str,
        key_id: Optional[str] = None,
        private_key_hex: Optional[str] = None,
        token: Optional[str] = None,
        timeout: float = 10.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id.lower() if key_id else None
        self.private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_key_hex)) if private_key_hex else None
        self.token = token
        self.timeout = timeout
        # Nonces: unique per key. A random per-client prefix and a counter stay unique across
        # processes and restarts, and are at most 64 printable characters.
        self._nonce_prefix = f"{os.getpid():x}-{secrets.token_hex(8)}"
        self._counter = itertools.count(1)

    # ------------------------------------------------------------------ transport

    def _nonce(self) -> str:
        return f"{self._nonce_prefix}-{next(self._counter)}"

    def request(self, method: str, path: str, query: QueryLike = None, body: Any = None, auth: str = "auto") -> Any:
        """Sends a request and returns the decoded JSON answer; raises AuguryError on 4xx/5xx.

        auth: "sign" (Ed25519 signature), "bearer" (token, reads only), "none", or "auto" (sign if
        a private key is set, else the bearer token if set, else nothing).
        """
        method = method.upper()
        raw_query = _encode_query(query)
        raw_body = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        url = self.base_url + path + (f"?{raw_query}" if raw_query else "")
        headers = {"Accept": "application/json"}
        if raw_body:
            headers["Content-Type"] = "application/json"
        if auth == "auto":
            auth = "sign" if self.private_key else ("bearer" if self.token else "none")
        if auth == "sign":
            headers.update(self.signature_headers(method, path, raw_query, raw_body))
        elif auth == "bearer":
            if not self.token:
                raise ValueError("no token to send")
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=raw_body if raw_body else None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                payload = json.loads(text)["error"]
                raise AuguryError(
                    error.code,
                    payload.get("code", "unknown"),
                    payload.get("message", ""),
                    payload.get("details"),
                    error.headers.get("Retry-After"),
                ) from None
            except (ValueError, KeyError, TypeError):
                raise AuguryError(error.code, "http_error", text.decode("utf-8", "replace")) from None
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text.decode("utf-8", "replace")

    def signature_headers(self, method: str, path: str, raw_query: str, raw_body: bytes, timestamp_ms: Optional[int] = None, nonce: Optional[str] = None) -> dict:
        """The four Augury-* headers for a request whose exact path, query and body are given."""
        if not (self.key_id and self.private_key):
            raise ValueError("signing needs key_id and private_key_hex")
        timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        nonce = self._nonce() if nonce is None else nonce
        message = signing_message(self.key_id, timestamp_ms, nonce, method, path, raw_query, raw_body)
        return {
            "Augury-Key": self.key_id,
            "Augury-Timestamp": str(timestamp_ms),
            "Augury-Nonce": nonce,
            "Augury-Signature": sign(self.private_key, message),
        }

    # ------------------------------------------------------------------ public data

    def markets(self, **filters) -> dict:
        """One page of markets: {"items": [...], "next_cursor": "..."}. Filters are the query
        parameters of GET /v1/markets (status, category, tag, series, event, close_after_ms,
        close_before_ms, q, sort, cursor, limit)."""
        return self.request("GET", "/v1/markets", filters, auth="none")

    def all_markets(self, **filters) -> list:
        """Every market the filters match, following the cursor page by page."""
        items, cursor = [], None
        while True:
            page = self.markets(**filters, cursor=cursor)
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if cursor is None:
                return items

    def market_by_slug(self, slug: str) -> dict:
        return self.request("GET", f"/v1/markets/by-slug/{slug}", auth="none")

    def events(self, **filters) -> dict:
        """One page of events (GET /v1/events filters: status, category, tag, series, q, sort,
        with_markets, cursor, limit)."""
        return self.request("GET", "/v1/events", filters, auth="none")

    def market(self, market: int) -> dict:
        return self.request("GET", f"/v1/markets/{market}", auth="none")

    def book(self, market: int, outcome: int = 0, depth: Optional[int] = None) -> dict:
        return self.request("GET", f"/v1/markets/{market}/book", {"outcome": outcome, "depth": depth}, auth="none")

    def trades(self, market: int, limit: Optional[int] = None, cursor: Optional[int] = None) -> dict:
        return self.request("GET", f"/v1/markets/{market}/trades", {"limit": limit, "cursor": cursor}, auth="none")

    # ------------------------------------------------------------------ portfolio

    def balance(self) -> dict:
        return self.request("GET", "/v1/portfolio/balance")

    def positions(self, market: Optional[int] = None) -> list:
        return self.request("GET", "/v1/portfolio/positions", {"market": market})

    def place_order(
        self,
        market: int,
        side: str,
        action: str,
        quantity: int,
        price_micros: Optional[int] = None,
        outcome: int = 0,
        order_type: str = "limit",
        time_in_force: str = "gtc",
        client_order_id: Optional[str] = None,
        post_only: bool = False,
        **extra: Any,
    ) -> dict:
        """Places an order; the answer has "order", "fills" and "replay" (true for a retry
        answered from the client_order_id record). extra: expires_at_ms, self_trade,
        cost_cap_micros."""
        body = {
            "market": market,
            "outcome": outcome,
            "side": side,
            "action": action,
            "type": order_type,
            "quantity": int(quantity),
            "time_in_force": time_in_force,
        }
        if price_micros is not None:
            body["price_micros"] = int(price_micros)
        if post_only:
            body["post_only"] = True
        if client_order_id is not None:
            body["client_order_id"] = client_order_id
        body.update({k: v for k, v in extra.items() if v is not None})
        return self.request("POST", "/v1/portfolio/orders", body=body)

    def cancel_order(self, order_id: int) -> dict:
        return self.request("DELETE", f"/v1/portfolio/orders/{order_id}")

    def amend_order(self, order_id: int, price_micros: Optional[int] = None, remaining_quantity: Optional[int] = None) -> dict:
        body = {k: v for k, v in (("price_micros", price_micros), ("remaining_quantity", remaining_quantity)) if v is not None}
        return self.request("PATCH", f"/v1/portfolio/orders/{order_id}", body=body)

    def order(self, order_id: int) -> dict:
        return self.request("GET", f"/v1/portfolio/orders/{order_id}")

    def order_by_client_id(self, client_order_id: str) -> dict:
        return self.request("GET", f"/v1/portfolio/orders/by-client-id/{urllib.parse.quote(client_order_id, safe='')}")

    def orders(self, status: Optional[str] = None, market: Optional[int] = None, limit: Optional[int] = None, cursor: Optional[int] = None) -> dict:
        """One page of the account's orders, newest first: {"items": [...], "next_cursor": ...}."""
        return self.request("GET", "/v1/portfolio/orders", {"status": status, "market": market, "limit": limit, "cursor": cursor})

    def fills(self, limit: Optional[int] = None, cursor: Optional[int] = None) -> dict:
        return self.request("GET", "/v1/portfolio/fills", {"limit": limit, "cursor": cursor})
