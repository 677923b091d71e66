//! Prometheus metrics, kept in atomics and rendered in the text exposition format at /metrics:
//! requests and their latency, orders, rate limiting, connections (open, refused over a cap,
//! timed out) and body timeouts, the sequencer's queue depth and the journal's group-commit
//! (fsync) time.

use augury_sequencer::sequencer_stats::{SequencerStats, COMMIT_BUCKETS_US};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down.
#[derive(Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Upper bounds of the request latency histogram, in microseconds.
const LATENCY_BUCKETS_US: [u64; 12] =
    [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 500_000, 1_000_000];

#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS_US.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    pub fn observe_us(&self, micros: u64) {
        let bucket = LATENCY_BUCKETS_US.iter().position(|&b| micros <= b).unwrap_or(LATENCY_BUCKETS_US.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(micros, Ordering::Relaxed);
    }
}

#[derive(Default)]
pub struct Metrics {
    pub requests: Counter,
    pub responses_4xx: Counter,
    pub responses_5xx: Counter,
    pub orders_placed: Counter,
    pub orders_refused: Counter,
    pub orders_replayed: Counter,
    pub rate_limited: Counter,
    /// Connections admitted, open now, and refused over the total or the per-address cap.
    pub connections_accepted: Counter,
    pub connections_open: Gauge,
    pub connections_refused_total: Counter,
    pub connections_refused_per_ip: Counter,
    /// Connections closed for not sending a request head (or a TLS handshake) in time.
    pub connections_timed_out: Counter,
    /// Requests answered 408 for a body that did not arrive in time.
    pub body_timeouts: Counter,
    pub request_latency: Histogram,
    pub order_latency: Histogram,
}

fn write_histogram(out: &mut String, name: &str, help: &str, bounds_us: &[u64], counts: &[u64], sum_us: u64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    let mut cumulative = 0;
    for (bound, count) in bounds_us.iter().zip(counts) {
        cumulative += count;
        let _ = writeln!(out, "{name}_bucket{{le=\"{}\"}} {cumulative}", *bound as f64 / 1e6);
    }
    cumulative += counts.last().copied().unwrap_or(0);
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
    let _ = writeln!(out, "{name}_sum {}", sum_us as f64 / 1e6);
    let _ = writeln!(out, "{name}_count {cumulative}");
}

impl Metrics {
    pub fn render(&self, sequencer: &SequencerStats) -> String {
        let mut out = String::new();
        let counters = [
            ("augury_http_requests_total", "HTTP requests received", &self.requests),
            ("augury_http_responses_4xx_total", "responses with a 4xx status", &self.responses_4xx),
            ("augury_http_responses_5xx_total", "responses with a 5xx status", &self.responses_5xx),
            ("augury_orders_placed_total", "orders accepted by the engine", &self.orders_placed),
            ("augury_orders_refused_total", "orders refused", &self.orders_refused),
            (
                "augury_orders_replayed_total",
                "order retries answered from the idempotency record",
                &self.orders_replayed,
            ),
            ("augury_rate_limited_total", "requests refused by a rate limit", &self.rate_limited),
            ("augury_connections_accepted_total", "connections admitted", &self.connections_accepted),
            (
                "augury_connections_timed_out_total",
                "connections closed for sending no complete request head (or TLS handshake) within the head timeout",
                &self.connections_timed_out,
            ),
            (
                "augury_http_body_timeouts_total",
                "requests answered 408 for a body not received within the body timeout",
                &self.body_timeouts,
            ),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", counter.get());
        }
        let _ = writeln!(
            out,
            "# HELP augury_connections_open connections open now (WebSockets included)\n# TYPE augury_connections_open gauge\naugury_connections_open {}",
            self.connections_open.get().max(0)
        );
        let _ = writeln!(
            out,
            "# HELP augury_connections_refused_total connections closed at once over a cap\n# TYPE augury_connections_refused_total counter\naugury_connections_refused_total{{reason=\"total\"}} {}\naugury_connections_refused_total{{reason=\"per_ip\"}} {}",
            self.connections_refused_total.get(),
            self.connections_refused_per_ip.get()
        );
        for (name, help, histogram) in [
            ("augury_http_request_seconds", "HTTP request latency", &self.request_latency),
            ("augury_order_seconds", "order placement latency, durable", &self.order_latency),
        ] {
            let counts: Vec<u64> = histogram.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect();
            write_histogram(
                &mut out,
                name,
                help,
                &LATENCY_BUCKETS_US,
                &counts,
                histogram.sum_us.load(Ordering::Relaxed),
            );
        }
        let _ = writeln!(
            out,
            "# HELP augury_sequencer_queue_depth commands waiting for the sequencer\n# TYPE augury_sequencer_queue_depth gauge\naugury_sequencer_queue_depth {}",
            sequencer.queue_depth.load(Ordering::Relaxed).max(0)
        );
        let _ = writeln!(
            out,
            "# HELP augury_sequencer_commands_total commands applied\n# TYPE augury_sequencer_commands_total counter\naugury_sequencer_commands_total {}",
            sequencer.commands.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP augury_sequencer_failed 1 once a journal write has failed and the venue takes no more commands (restart it)\n# TYPE augury_sequencer_failed gauge\naugury_sequencer_failed {}",
            u8::from(sequencer.failure.get().is_some())
        );
        let counts: Vec<u64> = sequencer.commit_buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect();
        write_histogram(
            &mut out,
            "augury_journal_commit_seconds",
            "journal group commit (write and fsync) time",
            &COMMIT_BUCKETS_US,
            &counts,
            sequencer.commit_micros_total.load(Ordering::Relaxed),
        );
        out
    }
}
