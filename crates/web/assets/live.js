// The venue's WebSocket (`/v1/ws`): public book, trade and ticker streams for one market. Each
// stream numbers its messages; a gap means something was missed, so the stream is subscribed
// again and starts over from a fresh snapshot, as docs/api.md describes.

export class MarketFeed {
  /** `handlers`: { book(snapshotOrDelta), trade(trade), ticker(message), status(text) }. The
   * feed is public; the signed-in session is watched by auth.js's `watchSession`. */
  constructor(market, handlers) {
    this.market = market;
    this.handlers = handlers;
    this.seq = {};
    this.closed = false;
    this.connect();
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}/v1/ws`);
    this.socket.addEventListener("open", () => {
      this.handlers.status?.("live");
      for (const channel of ["book", "trades", "ticker"]) this.subscribe(channel);
    });
    this.socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    this.socket.addEventListener("close", () => {
      if (this.closed) return;
      this.handlers.status?.("reconnecting");
      setTimeout(() => this.connect(), 2_000);
    });
  }

  subscribe(channel) {
    delete this.seq[channel];
    this.socket.send(JSON.stringify({ op: "subscribe", channel, market: this.market }));
  }

  receive(message) {
    const channel = message.channel;
    if (!channel || message.market !== this.market) return;
    const expected = this.seq[channel];
    const fresh = message.type === "snapshot" || message.type === "subscribed";
    if (fresh) {
      this.seq[channel] = message.seq;
    } else if (expected === undefined || message.seq <= expected) {
      return; // before this subscription's snapshot, or already seen
    } else if (message.seq !== expected + 1) {
      this.subscribe(channel); // a gap: start the stream over
      return;
    } else {
      this.seq[channel] = message.seq;
    }
    if (channel === "book" && message.type !== "subscribed") this.handlers.book?.(message);
    if (channel === "trades" && message.type === "trade") this.handlers.trade?.(message.trade);
    if (channel === "ticker") this.handlers.ticker?.(message);
  }

  close() {
    this.closed = true;
    this.socket?.close();
  }
}
