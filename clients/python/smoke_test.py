"""End-to-end check of augury_client against a running venue: place an order, find it in the
book and in the open orders, cancel it, and see a badly signed request refused.

    python3 smoke_test.py --url http://127.0.0.1:8080 --key-id KEY --private-key-hex SEED [--market 1]

The account needs collateral (augury keys create --deposit 100). Exits non-zero on any failure.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

from augury_client import AuguryClient, AuguryError


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key-id", required=True)
    parser.add_argument("--private-key-hex", required=True)
    parser.add_argument("--market", type=int, default=1)
    args = parser.parse_args()
    client = AuguryClient(args.url, key_id=args.key_id, private_key_hex=args.private_key_hex)

    markets = client.all_markets(limit=1)
    check(any(m["market"] == args.market for m in markets), f"market {args.market} is listed")
    slug = client.market(args.market)["slug"]
    check(client.market_by_slug(slug)["market"] == args.market, "the market is found by its slug")
    tick = client.market(args.market)["tick_micros"]
    before = client.balance()
    check(before["available_micros"] > 0, "the account has collateral")

    # A bid far below any ask rests: 2 ticks above zero.
    price = 2 * tick
    client_order_id = f"py-smoke-{int(time.time() * 1000)}"
    placed = client.place_order(market=args.market, side="yes", action="buy", price_micros=price, quantity=3, client_order_id=client_order_id)
    order = placed["order"]
    check(order["status"] == "open" and not placed["replay"], "the order rests")
    check(placed["fills"] == [], "nothing filled")

    book = client.book(args.market)
    check(any(level["yes_price_micros"] == price and level["quantity"] >= 3 for level in book["bids"]), "the order is in the book")
    check(any(o["order_id"] == order["order_id"] for o in client.orders(status="open")["items"]), "the order is listed as open")
    check(client.order_by_client_id(client_order_id)["order_id"] == order["order_id"], "found by client_order_id")
    check(client.balance()["reserved_micros"] >= before["reserved_micros"] + 3 * price, "its collateral is reserved")

    retry = client.place_order(market=args.market, side="yes", action="buy", price_micros=price, quantity=3, client_order_id=client_order_id)
    check(retry["replay"] and retry["order"]["order_id"] == order["order_id"], "a retry is answered from the record")

    cancelled = client.cancel_order(order["order_id"])
    check(cancelled["status"] == "cancelled", "the order is cancelled")
    book = client.book(args.market)
    check(not any(level["yes_price_micros"] == price for level in book["bids"]), "the book no longer has it")

    # A request signed over a different body than the one sent is refused.
    body = json.dumps({"market": args.market, "side": "yes", "action": "buy", "price_micros": price, "quantity": 1}).encode()
    headers = client.signature_headers("POST", "/v1/portfolio/orders", "", body.replace(b'"quantity": 1', b'"quantity": 1000'))
    request = urllib.request.Request(args.url + "/v1/portfolio/orders", data=body, method="POST", headers={**headers, "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10)
        check(False, "a bad signature is refused")
    except urllib.error.HTTPError as error:
        check(error.code == 401 and b"bad_signature" in error.read(), "a bad signature is refused (401 bad_signature)")

    # A replayed nonce is refused.
    headers = client.signature_headers("GET", "/v1/portfolio/balance", "", b"")
    for attempt in range(2):
        request = urllib.request.Request(args.url + "/v1/portfolio/balance", headers=headers)
        try:
            urllib.request.urlopen(request, timeout=10).read()
            check(attempt == 0, "the first use of a nonce is accepted")
        except urllib.error.HTTPError as error:
            check(attempt == 1 and error.code == 401 and b"replayed_nonce" in error.read(), "a reused nonce is refused")

    try:
        client.place_order(market=args.market, side="yes", action="buy", price_micros=price + 1, quantity=1)
        check(False, "an off-grid price is refused")
    except AuguryError as error:
        check(error.status in (400, 422), f"an off-grid price is refused ({error.status} {error.code})")
    print("python client smoke test: all checks passed")


if __name__ == "__main__":
    main()
