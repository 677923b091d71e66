#!/usr/bin/env python3
"""A bot written for the Kalshi Trade API v2, run against Augury with only the host changed.

It uses the official `kalshi-python` SDK exactly as against Kalshi (a `Configuration` with a
`host`, an API key id and an RSA private key), plus a WebSocket client (the `websockets` package)
that follows an order book by snapshot and deltas. Every value is checked; any failed call or
disagreement exits non-zero. crates/gateway/tests/kalshi_python.rs runs it against a local venue:

  binary market AUG-1 (tick 1 cent, no fees) and categorical event AUG-2 (AUG-2-0..2); two traders
  (alice, bob) with $1,000 each and RSA keys; an admin key (Ed25519, native API) that resolves
  AUG-1 YES midway, as an operator would.

Where kalshi-python 2.x's generated models no longer match the live Kalshi API (the order book,
positions and batch answers), the bot reads those answers as raw JSON through the SDK's own
`*_without_preload_content` calls, as a bot written against the live API must.
"""

import argparse
import base64
import json
import os
import sys
import threading
import time
import uuid

import kalshi_python
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from kalshi_python import (
    ApiException,
    BatchCancelOrdersRequest,
    BatchCreateOrdersRequest,
    Configuration,
    CreateOrderRequest,
    KalshiClient,
)
from websockets.sync.client import connect

CHECKS = 0


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(what)


def equal(actual, expected, what):
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def client(host, key_id, pem):
    config = Configuration(host=host)
    config.api_key_id = key_id
    config.private_key_pem = pem
    return KalshiClient(config)


def raw(response):
    """The JSON body of a *_without_preload_content call, failing on an error status."""
    body = response.data.decode()
    check(200 <= response.status < 300, f"HTTP {response.status}: {body}")
    return json.loads(body)


def sign(pem, timestamp, method, path):
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    signature = key.sign(
        f"{timestamp}{method}{path}".encode(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        hashes.SHA256(),
    )
    return base64.b64encode(signature).decode()


class BookFollower(threading.Thread):
    """Follows one market's order book over the Kalshi WebSocket: snapshot, then deltas, checking
    every sequence number; also collects trade, ticker and fill messages."""

    def __init__(self, url, key_id, pem, ticker):
        super().__init__(daemon=True)
        timestamp = str(int(time.time() * 1000))
        headers = {
            "KALSHI-ACCESS-KEY": key_id,
            "KALSHI-ACCESS-TIMESTAMP": timestamp,
            "KALSHI-ACCESS-SIGNATURE": sign(pem, timestamp, "GET", "/trade-api/ws/v2"),
        }
        self.ws = connect(url, additional_headers=headers, proxy=None)
        self.ticker = ticker
        self.lock = threading.Lock()
        self.yes = {}
        self.no = {}
        self.seq = {}
        self.snapshots = 0
        self.deltas = 0
        self.trades = []
        self.tickers = []
        self.fills = []
        self.subscribed = {}
        self.errors = []
        self.failure = None

    def subscribe(self):
        self.ws.send(json.dumps({"id": 1, "cmd": "subscribe",
                                 "params": {"channels": ["orderbook_delta", "trade", "ticker"], "market_ticker": self.ticker}}))
        self.ws.send(json.dumps({"id": 2, "cmd": "subscribe", "params": {"channels": ["fill"]}}))
        self.ws.send(json.dumps({"id": 3, "cmd": "subscribe", "params": {"channels": ["nonsense"]}}))

    def run(self):
        try:
            for frame in self.ws:
                message = json.loads(frame)
                with self.lock:
                    self.apply(message)
        except Exception as error:  # the socket closing at the end is expected
            if self.failure is None and not isinstance(error, OSError) and "close" not in type(error).__name__.lower():
                self.failure = f"{type(error).__name__}: {error}"

    def apply(self, message):
        kind = message.get("type")
        if kind == "subscribed":
            self.subscribed[message["msg"]["channel"]] = message["msg"]["sid"]
        elif kind == "error":
            self.errors.append(message)
        elif kind in ("orderbook_snapshot", "orderbook_delta"):
            sid, seq = message["sid"], message["seq"]
            expected = self.seq.get(sid, 0) + 1
            if seq != expected:
                self.failure = f"sid {sid}: seq {seq} after {expected - 1}"
            self.seq[sid] = seq
            msg = message["msg"]
            if msg["market_ticker"] != self.ticker:
                self.failure = f"a book message for {msg['market_ticker']}"
            if kind == "orderbook_snapshot":
                self.snapshots += 1
                self.yes = {price: count for price, count in msg.get("yes", [])}
                self.no = {price: count for price, count in msg.get("no", [])}
                # The fixed-point form says the same.
                for side, levels in (("yes", msg["yes_dollars_fp"]), ("no", msg["no_dollars_fp"])):
                    book = self.yes if side == "yes" else self.no
                    for price, count in levels:
                        if book.get(round(float(price) * 100)) != int(float(count)):
                            self.failure = f"snapshot {side} {price} {count} disagrees with the cents form"
            else:
                self.deltas += 1
                book = self.yes if msg["side"] == "yes" else self.no
                price = msg["price"]
                if msg["price_dollars"] != f"{price / 100:.4f}":
                    self.failure = f"delta price {price} vs {msg['price_dollars']}"
                book[price] = book.get(price, 0) + msg["delta"]
                if book[price] < 0:
                    self.failure = f"level {msg['side']} {price} below zero"
                if book[price] == 0:
                    del book[price]
        elif kind == "trade":
            self.trades.append(message["msg"])
        elif kind == "ticker":
            self.tickers.append(message["msg"])
        elif kind == "fill":
            self.fills.append(message["msg"])

    def book(self):
        with self.lock:
            return {"yes": sorted(self.yes.items()), "no": sorted(self.no.items())}

    def close(self):
        self.ws.close()


def signed_get(url, key_id, pem, path_and_query):
    """A GET signed by hand, as Kalshi's own examples do: the query is not signed."""
    import urllib3

    timestamp = str(int(time.time() * 1000))
    path = path_and_query.split("?")[0]
    headers = {"KALSHI-ACCESS-KEY": key_id, "KALSHI-ACCESS-TIMESTAMP": timestamp,
               "KALSHI-ACCESS-SIGNATURE": sign(pem, timestamp, "GET", path)}
    response = urllib3.PoolManager().request("GET", url + path_and_query, headers=headers)
    check(response.status == 200, f"GET {path_and_query}: HTTP {response.status}: {response.data!r}")
    return json.loads(response.data)


def rest_book(api, ticker):
    book = raw(api.get_market_orderbook_without_preload_content(ticker))["orderbook"]
    return {"yes": sorted((p, c) for p, c in book["yes"]), "no": sorted((p, c) for p, c in book["no"])}


def wait_for(what, condition, seconds=10.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def expect_error(call, status, code, what):
    try:
        call()
    except ApiException as error:
        equal(error.status, status, f"{what}: status")
        body = json.loads(error.body)
        equal(body["error"]["code"], code, f"{what}: error code")
        check(body["error"]["message"], f"{what}: an error message")
        return body
    raise AssertionError(f"{what}: the call succeeded but should have failed")


def native_resolve(url, admin_key_id, admin_seed, market, resolution):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
    from augury_client import AuguryClient

    AuguryClient(url, key_id=admin_key_id, private_key_hex=admin_seed).request(
        "POST", f"/v1/markets/{market}/resolve", body={"resolution": resolution})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the venue, e.g. http://127.0.0.1:8080")
    parser.add_argument("--alice-key-id", required=True)
    parser.add_argument("--alice-key-file", required=True)
    parser.add_argument("--bob-key-id", required=True)
    parser.add_argument("--bob-key-file", required=True)
    parser.add_argument("--admin-key-id", required=True)
    parser.add_argument("--admin-seed-hex", required=True)
    args = parser.parse_args()

    host = args.url.rstrip("/") + "/trade-api/v2"  # the only change from a bot run against Kalshi
    ws_url = args.url.replace("http://", "ws://").rstrip("/") + "/trade-api/ws/v2"
    alice_pem = open(args.alice_key_file).read()
    bob_pem = open(args.bob_key_file).read()
    alice = client(host, args.alice_key_id, alice_pem)
    bob = client(host, args.bob_key_id, bob_pem)
    ticker = "AUG-1"

    # -------------------------------------------------------------- exchange, series, markets, events
    status = alice.get_exchange_status()
    equal((status.exchange_active, status.trading_active), (True, True), "exchange status")

    series = alice.get_series_by_ticker("AUG").series
    equal(series.ticker, "AUG", "series ticker")

    markets = alice.get_markets(limit=100)
    tickers = [m.ticker for m in markets.markets]
    equal(tickers, ["AUG-1", "AUG-2-0", "AUG-2-1", "AUG-2-2"], "market tickers")
    equal(markets.cursor, "", "one page holds every market")
    first = alice.get_markets(limit=2)
    rest = alice.get_markets(limit=2, cursor=first.cursor)
    equal([m.ticker for m in first.markets + rest.markets], tickers, "paging through markets")
    market = alice.get_market(ticker).market
    equal((market.ticker, market.event_ticker, market.status, market.result), (ticker, "AUG-1", "active", ""), "market")
    equal((market.yes_bid, market.yes_ask), (0, 100), "an empty book quotes 0 / 100")

    events = alice.get_events(with_nested_markets=True)
    by_ticker = {e.event_ticker: e for e in events.events}
    equal(sorted(by_ticker), ["AUG-1", "AUG-2"], "events")
    equal([m.ticker for m in by_ticker["AUG-2"].markets], ["AUG-2-0", "AUG-2-1", "AUG-2-2"], "a categorical event's markets")
    event = raw(alice.get_event_without_preload_content("AUG-2"))
    equal(event["event"]["mutually_exclusive"], True, "a categorical event is mutually exclusive")
    equal(alice.get_event("AUG-1").event.status, "open", "event status")
    expect_error(lambda: alice.get_market("AUG-9"), 404, "market_not_found", "an unknown ticker")

    # -------------------------------------------------------------- the WebSocket follows AUG-1
    follower = BookFollower(ws_url, args.alice_key_id, alice_pem, ticker)
    follower.start()
    follower.subscribe()
    wait_for("the subscriptions", lambda: len(follower.subscribed) == 4 and follower.snapshots == 1)
    equal(len(follower.errors), 1, "an unknown channel is refused")
    equal(follower.errors[0]["msg"]["code"], 8, "an unknown channel's error code")

    # -------------------------------------------------------------- orders: place, retry, amend, decrease, cancel
    cid = str(uuid.uuid4())
    request = dict(ticker=ticker, client_order_id=cid, side="yes", action="buy", count=10, type="limit", yes_price=40)
    placed = alice.create_order(**request).order
    equal((placed.status, placed.yes_price, placed.no_price, placed.count, placed.remaining_count),
          ("resting", 40, 60, 10, 10), "a resting buy")
    equal(placed.client_order_id, cid, "the client order id")
    retried = alice.create_order(**request).order
    equal(retried.order_id, placed.order_id, "a retry with the same client_order_id is the same order")
    changed = dict(request, count=11)
    expect_error(lambda: alice.create_order(**changed), 409, "order_already_exists", "a reused client_order_id")
    equal(rest_book(alice, ticker), {"yes": [(40, 10)], "no": []}, "the book after placing")

    amended = alice.amend_order(placed.order_id, yes_price=42, count=8).order
    equal((amended.yes_price, amended.remaining_count, amended.status), (42, 8, "resting"), "an amended order")
    decreased = alice.decrease_order(placed.order_id, reduce_by=3).order
    equal(decreased.remaining_count, 5, "a decreased order")
    equal(rest_book(alice, ticker), {"yes": [(42, 5)], "no": []}, "the book after amending")

    other = alice.create_order(ticker=ticker, side="yes", action="buy", count=3, type="limit", yes_price=30).order
    cancelled = alice.cancel_order(other.order_id)
    equal((cancelled.order.status, cancelled.reduced_by), ("canceled", 3), "a cancelled order")
    equal(alice.get_order(other.order_id).order.status, "canceled", "get order")

    batch = raw(alice.batch_create_orders_without_preload_content(BatchCreateOrdersRequest(orders=[
        CreateOrderRequest(ticker=ticker, side="yes", action="buy", count=2, type="limit", yes_price=20),
        CreateOrderRequest(ticker="AUG-2-1", side="no", action="buy", count=1, type="limit", no_price=70),
        CreateOrderRequest(ticker="AUG-404", side="yes", action="buy", count=1, type="limit", yes_price=20),
    ])))
    answers = batch["orders"]
    equal([("order" in a, "error" in a) for a in answers], [(True, False), (True, False), (False, True)], "a batch's answers")
    equal(answers[2]["error"]["code"], "market_not_found", "a batch's failed order")
    ids = [a["order"]["order_id"] for a in answers[:2]]
    cancelled = raw(alice.batch_cancel_orders_without_preload_content(BatchCancelOrdersRequest(order_ids=ids)))
    equal([a["order"]["status"] for a in cancelled["orders"]], ["canceled", "canceled"], "a batch cancel")
    resting = alice.get_orders(ticker=ticker, status="resting").orders
    equal([o.order_id for o in resting], [placed.order_id], "the resting orders")

    expect_error(lambda: alice.create_order(ticker=ticker, side="yes", action="buy", count=10**6, type="limit", yes_price=99),
                 400, "insufficient_balance", "an order beyond the balance")

    # -------------------------------------------------------------- bob trades against alice
    taken = bob.create_order(ticker=ticker, side="no", action="buy", count=5, type="limit", no_price=58).order
    equal((taken.status, taken.count, taken.remaining_count), ("executed", 5, 0), "bob's order filled at once")
    equal(alice.get_order(placed.order_id).order.status, "executed", "alice's order filled")
    # Both leave orders resting, so the book the WebSocket must agree with is not empty.
    bob.create_order(ticker=ticker, side="no", action="buy", count=2, type="limit", no_price=55)
    alice.create_order(ticker=ticker, side="yes", action="buy", count=4, type="limit", yes_price=35)
    book = rest_book(alice, ticker)
    equal(book, {"yes": [(35, 4)], "no": [(55, 2)]}, "the book after the trade")

    fills = alice.get_fills(ticker=ticker).fills
    equal(len(fills), 1, "alice's fills")
    fill = fills[0]
    equal((fill.order_id, fill.side, fill.action, fill.count, fill.price, fill.is_taker),
          (placed.order_id, "yes", "buy", 5, 42, False), "alice's fill")
    bob_fill = bob.get_fills().fills[0]
    equal((bob_fill.side, bob_fill.count, bob_fill.is_taker), ("no", 5, True), "bob's fill")
    bob_raw = raw(bob.get_fills_without_preload_content())["fills"][0]
    equal((bob_raw["no_price_dollars"], bob_raw["yes_price_dollars"]), ("0.5800", "0.4200"), "bob's fill prices")

    positions = raw(alice.get_positions_without_preload_content())["market_positions"]
    equal([(p["ticker"], p["position"], p["total_traded_dollars"]) for p in positions], [(ticker, 5, "2.1000")], "alice's position")
    positions = raw(bob.get_positions_without_preload_content())["market_positions"]
    equal([(p["ticker"], p["position"], p["resting_orders_count"]) for p in positions], [(ticker, -5, 1)], "bob's position")

    alice_balance = alice.get_balance().balance
    equal(alice_balance, 100_000 - 210 - 140, "alice's balance (cents): $1,000 - 5 x 0.42 - 4 x 0.35 held")
    equal(raw(alice.get_balance_without_preload_content())["balance_dollars"], "996.5000", "alice's balance in dollars")
    equal(bob.get_balance().balance, 100_000 - 290 - 110, "bob's balance (cents): $1,000 - 5 x 0.58 - 2 x 0.55 held")

    # -------------------------------------------------------------- the WebSocket agrees with REST
    wait_for("the WebSocket book to match REST", lambda: follower.book() == book)
    wait_for("the trade and fill messages", lambda: follower.trades and follower.fills)
    equal((follower.trades[0]["count"], follower.trades[0]["yes_price"], follower.trades[0]["taker_side"]), (5, 42, "no"), "the trade message")
    equal((follower.fills[0]["order_id"], follower.fills[0]["count"], follower.fills[0]["is_taker"]),
          (placed.order_id, 5, False), "the fill message")
    check(follower.tickers, "ticker messages")
    check(follower.deltas > 0, "deltas arrived")
    check(follower.failure is None, f"the WebSocket follower: {follower.failure}")

    # -------------------------------------------------------------- the market resolves YES
    native_resolve(args.url, args.admin_key_id, args.admin_seed_hex, 1, "yes")
    equal((alice.get_market(ticker).market.status, alice.get_market(ticker).market.result), ("settled", "yes"), "the settled market")
    wait_for("the WebSocket book to empty", lambda: follower.book() == {"yes": [], "no": []})
    equal(rest_book(alice, ticker), {"yes": [], "no": []}, "the book after settlement")

    settlements = alice.get_settlements().settlements
    equal(len(settlements), 1, "alice's settlements")
    equal(settlements[0].ticker, ticker, "alice's settlement ticker")
    settlement_raw = raw(alice.get_settlements_without_preload_content())["settlements"][0]
    equal((settlement_raw["market_result"], settlement_raw["yes_count"], settlement_raw["no_count"], settlement_raw["revenue"]),
          ("yes", 5, 0, 500), "alice's settlement")
    bob_settlement = raw(bob.get_settlements_without_preload_content())["settlements"][0]
    equal((bob_settlement["yes_count"], bob_settlement["no_count"], bob_settlement["revenue"]), (0, 5, 0), "bob's settlement")
    equal(alice.get_balance().balance, 100_000 - 210 + 500, "alice's balance after settlement")
    equal(bob.get_balance().balance, 100_000 - 290, "bob's balance after settlement")
    equal(raw(alice.get_positions_without_preload_content())["market_positions"], [], "no open positions after settlement")
    settled = signed_get(args.url, args.alice_key_id, alice_pem, "/trade-api/v2/portfolio/positions?settlement_status=settled")
    equal([(p["ticker"], p["position"], p["market_result"]) for p in settled["market_positions"]], [(ticker, 0, "yes")], "the settled position")

    # -------------------------------------------------------------- signatures: a replay and a forgery are refused
    import urllib3

    http = urllib3.PoolManager()
    path = "/trade-api/v2/portfolio/balance"
    timestamp = str(int(time.time() * 1000))
    headers = {"KALSHI-ACCESS-KEY": args.alice_key_id, "KALSHI-ACCESS-TIMESTAMP": timestamp,
               "KALSHI-ACCESS-SIGNATURE": sign(alice_pem, timestamp, "GET", path)}
    equal(http.request("GET", args.url + path, headers=headers).status, 200, "a signed request")
    replayed = http.request("GET", args.url + path, headers=headers)
    equal((replayed.status, json.loads(replayed.data)["error"]["details"]), (401, "replayed_signature"), "a replayed request")
    headers["KALSHI-ACCESS-TIMESTAMP"] = str(int(timestamp) + 1)
    forged = http.request("GET", args.url + path, headers=headers)
    equal((forged.status, json.loads(forged.data)["error"]["code"]), (401, "authentication_error"), "a forged request")

    follower.close()
    print(f"kalshi-python {kalshi_python.__version__}: {CHECKS} checks; all checks passed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, ApiException) as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
