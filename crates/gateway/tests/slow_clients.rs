//! Slow and numerous clients: a request head that never ends (slow header lines, or nothing at
//! all, or an idle keep-alive connection) is cut at the head timeout; a body dribbled a byte at a
//! time gets 408 at the body timeout; a body announced over the limit gets 413 at once; the
//! connections per address and in total are capped (and released when they close). In every case
//! another client keeps being served meanwhile. The same on the TLS listener. Limits are short
//! here (400 ms); assertions allow a generous margin above them and never time anything tightly.

mod common;

use augury_gateway::history::History;
use augury_gateway::server::HttpLimits;
use augury_gateway::tls::TlsIdentity;
use augury_gateway::{Gateway, GatewayConfig};
use augury_sequencer::Venue;
use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const LIMIT: Duration = Duration::from_millis(400);
/// Added to a limit for "closed within the limit": scheduling on a shared 2-core machine.
const MARGIN: Duration = Duration::from_millis(1_500);

fn config(http: HttpLimits) -> GatewayConfig {
    GatewayConfig { http, per_ip: unlimited(), ..GatewayConfig::default() }
}

fn short_limits() -> HttpLimits {
    HttpLimits { head_timeout: LIMIT, body_timeout: LIMIT, write_timeout: LIMIT, ..HttpLimits::default() }
}

const ALICE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 1);
const BOB: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// A TCP connection to `server` from the loopback address `from` (all of 127/8 is local on Linux).
async fn connect_from(from: Ipv4Addr, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(from), 0)).unwrap();
    socket.connect(server).await.unwrap()
}

/// Reads (and discards) until the peer closes; how long that took, or None if the connection is
/// still open after `wait`.
async fn closed_within<S: AsyncRead + Unpin>(stream: &mut S, started: Instant, wait: Duration) -> Option<Duration> {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::from_std(started + wait);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

fn assert_closed_by_limit(closed: Option<Duration>, limit: Duration, what: &str) {
    let elapsed = closed.unwrap_or_else(|| panic!("{what}: still open {:?} after it started", limit + MARGIN));
    assert!(elapsed <= limit + MARGIN, "{what}: closed after {elapsed:?}, limit {limit:?}");
    assert!(elapsed >= limit * 3 / 4, "{what}: closed after {elapsed:?}, before the limit {limit:?}");
}

/// One HTTP/1.1 response: status, headers (lowercase names) and body (by Content-Length).
async fn read_response<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(u16, Vec<(String, String)>, String)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize =
        headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    Some((status, headers, String::from_utf8_lossy(&body[..length]).to_string()))
}

async fn request<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, path: &str) -> Option<(u16, String)> {
    let head = format!("GET {path} HTTP/1.1\r\nHost: augury\r\n\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    read_response(stream).await.map(|(status, _, body)| (status, body))
}

/// A fresh connection from `from`, one GET, closed.
async fn get(from: Ipv4Addr, server: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = connect_from(from, server).await;
    request(&mut stream, path).await
}

/// Another client, served throughout: a fresh connection and a GET /healthz every 50 ms until
/// `stop`; the latency of each answer (a failure panics the task).
fn keep_served<F, Fut>(stop: Arc<AtomicBool>, call: F) -> tokio::task::JoinHandle<Vec<Duration>>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Option<(u16, String)>> + Send,
{
    tokio::spawn(async move {
        let mut latencies = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            let answer = tokio::time::timeout(Duration::from_secs(2), call()).await;
            assert!(
                matches!(&answer, Ok(Some((200, body))) if body == "ok"),
                "another client was not served: {answer:?}"
            );
            latencies.push(started.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        latencies
    })
}

async fn assert_was_served(stop: Arc<AtomicBool>, other: tokio::task::JoinHandle<Vec<Duration>>) {
    stop.store(true, Ordering::Relaxed);
    let latencies = other.await.expect("the other client was served every time");
    assert!(latencies.len() >= 3, "the other client made only {} requests", latencies.len());
}

fn metric(gateway: &Gateway, line_start: &str) -> u64 {
    let text = gateway.state.metrics.render(gateway.state.sequencer.stats());
    text.lines()
        .find_map(|l| l.strip_prefix(line_start).and_then(|rest| rest.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no metric {line_start} in\n{text}"))
}

/// Waits (up to 3 s) for the open-connections gauge to read `expected`.
async fn open_connections_reach(gateway: &Gateway, expected: u64) {
    let started = Instant::now();
    loop {
        let open = metric(gateway, "augury_connections_open ");
        if open == expected {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(3), "open connections stay at {open}, expected {expected}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ------------------------------------------------------------------ request head

#[tokio::test]
async fn slow_header_lines_are_cut_at_the_head_timeout_while_others_are_served() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let other = keep_served(Arc::clone(&stop), move || get(BOB, address, "/healthz"));

    // 50 clients each sending a header line every 100 ms, for up to 5 s.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let stream = connect_from(ALICE, address).await;
        let started = Instant::now();
        let (mut read, mut write) = stream.into_split();
        let writer = tokio::spawn(async move {
            let _ = write.write_all(b"GET /healthz HTTP/1.1\r\nHost: augury\r\n").await;
            for n in 0..50 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if write.write_all(format!("X-Slow-{n}: a\r\n").as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        slow.push(tokio::spawn(async move {
            let closed = closed_within(&mut read, started, LIMIT + MARGIN).await;
            writer.abort();
            closed
        }));
    }
    for client in slow {
        assert_closed_by_limit(client.await.unwrap(), LIMIT, "a client sending header lines slowly");
    }
    assert_was_served(stop, other).await;
    assert!(metric(&server.gateway, "augury_connections_timed_out_total ") >= 50);
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

#[tokio::test]
async fn silent_and_idle_connections_are_closed_at_the_head_timeout() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let other = keep_served(Arc::clone(&stop), move || get(BOB, address, "/healthz"));

    // Connects and never sends a byte.
    let mut silent = connect_from(ALICE, address).await;
    let started = Instant::now();
    assert_closed_by_limit(closed_within(&mut silent, started, LIMIT + MARGIN).await, LIMIT, "a silent connection");

    // One request, then idle on a keep-alive connection.
    let mut idle = connect_from(ALICE, address).await;
    assert_eq!(request(&mut idle, "/healthz").await, Some((200, "ok".to_string())));
    let answered = Instant::now();
    assert_closed_by_limit(closed_within(&mut idle, answered, LIMIT + MARGIN).await, LIMIT, "an idle connection");

    // Requests on a keep-alive connection more often than the limit keep it open.
    let mut busy = connect_from(ALICE, address).await;
    for _ in 0..6 {
        assert_eq!(request(&mut busy, "/healthz").await, Some((200, "ok".to_string())));
        tokio::time::sleep(LIMIT / 2).await;
    }

    assert_was_served(stop, other).await;
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_never_reads_its_answers_is_closed_at_the_write_timeout() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let other = keep_served(Arc::clone(&stop), move || get(BOB, address, "/healthz"));

    // Pipelines requests for the largest answer (the OpenAPI document) and reads nothing, with a
    // small receive buffer: the server's writes stop making progress.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(SocketAddr::new(IpAddr::V4(ALICE), 0)).unwrap();
    let stream = socket.connect(address).await.unwrap();
    let (_read, mut write) = stream.into_split();
    let requests = b"GET /openapi.json HTTP/1.1\r\nHost: augury\r\n\r\n".repeat(2_000);
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&requests).await;
        write
    });
    open_connections_reach(&server.gateway, 1).await;
    // Once the socket buffers are full, the write stalls; the stall ends the connection.
    let started = Instant::now();
    loop {
        if metric(&server.gateway, "augury_connections_open ") == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "a client that never reads is still connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(metric(&server.gateway, "augury_connections_timed_out_total ") >= 1);
    writer.abort();
    assert_was_served(stop, other).await;
    server.stop().await;
}

#[tokio::test]
async fn a_websocket_is_not_cut_by_the_head_timeout() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/v1/ws", server.address)).await.unwrap();
    tokio::time::sleep(LIMIT * 3).await;
    ws.send(tokio_tungstenite::tungstenite::Message::text(r#"{"op":"ping"}"#)).await.unwrap();
    let pong = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.unwrap().unwrap().unwrap() {
            tokio_tungstenite::tungstenite::Message::Text(text) => break serde_json::from_str::<Value>(&text).unwrap(),
            _ => continue,
        }
    };
    assert_eq!(pong["type"], "pong");
    // The upgraded connection still counts as open.
    assert!(metric(&server.gateway, "augury_connections_open ") >= 1);
    drop(ws);
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

/// An HTTP/2 connection over `io`: one GET /healthz answered, then idle; when the server closed
/// it, counted from the answer.
async fn http2_idle<I>(io: I, authority: &str) -> Option<Duration>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = hyper_util::rt::TokioIo::new(io);
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(hyper_util::rt::TokioExecutor::new(), io).await.unwrap();
    let mut connection = tokio::spawn(connection);
    let request = hyper::Request::get(format!("{authority}/healthz")).body(String::new()).unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), hyper::Version::HTTP_2);
    let answered = Instant::now();
    match tokio::time::timeout(LIMIT + MARGIN, &mut connection).await {
        Ok(_) => Some(answered.elapsed()),
        Err(_) => {
            connection.abort();
            None
        }
    }
}

#[tokio::test]
async fn an_idle_http2_connection_is_closed_at_the_head_timeout() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let other = keep_served(Arc::clone(&stop), move || get(BOB, address, "/healthz"));
    // HTTP/2 with prior knowledge on the plain listener.
    let stream = connect_from(ALICE, address).await;
    let closed = http2_idle(stream, &format!("http://{address}")).await;
    assert_closed_by_limit(closed, LIMIT, "an idle HTTP/2 connection");
    assert_was_served(stop, other).await;
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_silent_slow_or_idle_clients() {
    // The default limits: a 10 s head timeout the shutdown must not wait for.
    let (server, _admin, _alice, _bob) = start(config(HttpLimits::default())).await;
    let address = server.address;
    let mut silent = connect_from(ALICE, address).await;
    let mut slow = connect_from(ALICE, address).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: augury\r\n").await.unwrap();
    let mut idle = admitted(ALICE, address).await;
    open_connections_reach(&server.gateway, 3).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), server.stop()).await.expect("the server stopped within 3 s");
    for (stream, what) in [(&mut silent, "silent"), (&mut slow, "slow"), (&mut idle, "idle")] {
        assert!(closed_within(stream, started, Duration::from_secs(3)).await.is_some(), "{what}: still open");
    }
}

// ------------------------------------------------------------------ request body

/// Sends a POST head announcing `length` bytes and then `body` one byte every 50 ms; the answer
/// and when it came, and when the connection closed.
async fn dribble(
    address: SocketAddr,
    path: &str,
    length: usize,
    body: &[u8],
) -> (Option<(u16, Value)>, Duration, Option<Duration>) {
    let stream = connect_from(ALICE, address).await;
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: augury\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let body = body.to_vec();
    let writer = tokio::spawn(async move {
        for byte in body {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if write.write_all(&[byte]).await.is_err() {
                break;
            }
        }
        write
    });
    let answer = tokio::time::timeout(LIMIT + MARGIN, read_response(&mut read)).await.ok().flatten();
    let answered = started.elapsed();
    let closed = closed_within(&mut read, started, LIMIT + MARGIN * 2).await;
    writer.abort();
    (answer.map(|(status, _, body)| (status, serde_json::from_str(&body).unwrap_or(Value::Null))), answered, closed)
}

#[tokio::test]
async fn a_body_dribbled_byte_by_byte_gets_408_at_the_body_timeout() {
    let (server, _admin, _alice, _bob) = start(config(short_limits())).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let other = keep_served(Arc::clone(&stop), move || get(BOB, address, "/healthz"));

    let body = [b' '; 100];
    for path in ["/v1/portfolio/orders", "/trade-api/v2/portfolio/orders"] {
        let (answer, answered, closed) = dribble(address, path, body.len(), &body).await;
        let (status, error) = answer.unwrap_or_else(|| panic!("{path}: no answer within {:?}", LIMIT + MARGIN));
        assert_eq!(status, 408, "{path}: {error}");
        assert!(answered >= LIMIT * 3 / 4 && answered <= LIMIT + MARGIN, "{path}: answered after {answered:?}");
        if path.starts_with("/trade-api") {
            assert_eq!(error["error"]["details"], "body_timeout", "{error}");
        } else {
            assert_eq!(error["error"]["code"], "body_timeout", "{error}");
        }
        assert!(error["error"]["message"].as_str().unwrap().contains("body"), "{error}");
        assert!(closed.is_some(), "{path}: the connection stays open after the 408");
    }
    assert_was_served(stop, other).await;
    assert!(metric(&server.gateway, "augury_http_body_timeouts_total ") >= 2);
    server.stop().await;
}

#[tokio::test]
async fn a_body_announced_over_the_limit_gets_413_at_once() {
    // A long body timeout: the 413 must not wait for it.
    let limits = HttpLimits { body_timeout: Duration::from_secs(30), ..short_limits() };
    let (server, _admin, _alice, _bob) = start(config(limits)).await;
    let address = server.address;
    for path in ["/v1/portfolio/orders", "/trade-api/v2/portfolio/orders"] {
        let (answer, answered, _) = dribble(address, path, 10_000_000, b"").await;
        let (status, error) = answer.unwrap_or_else(|| panic!("{path}: no answer within {:?}", LIMIT + MARGIN));
        assert_eq!(status, 413, "{path}: {error}");
        assert!(answered < Duration::from_secs(1), "{path}: answered after {answered:?}");
        let code = if path.starts_with("/trade-api") { &error["error"]["details"] } else { &error["error"]["code"] };
        assert_eq!(code, "body_too_large", "{error}");
        assert!(error["error"]["message"].as_str().unwrap().contains("65536"), "{error}");
    }
    // A chunked body (no length announced) is refused as soon as it passes the limit.
    let mut chunked = connect_from(ALICE, address).await;
    let head = "POST /v1/portfolio/orders HTTP/1.1\r\nHost: augury\r\nTransfer-Encoding: chunked\r\n\r\n";
    chunked.write_all(head.as_bytes()).await.unwrap();
    chunked.write_all(format!("{:x}\r\n{}\r\n", 70_000, " ".repeat(70_000)).as_bytes()).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(1), read_response(&mut chunked)).await.unwrap().unwrap();
    assert_eq!(
        (answer.0, serde_json::from_str::<Value>(&answer.2).unwrap()["error"]["code"].clone()),
        (413, "body_too_large".into())
    );

    // A body within the limit still reaches authentication (and is refused there, unsigned).
    let (answer, _, _) = dribble(address, "/v1/portfolio/orders", 2, b"{}").await;
    assert_eq!(answer.map(|(status, _)| status), Some(401));
    server.stop().await;
}

// ------------------------------------------------------------------ connection caps

/// A connection that has been served once (so it is surely admitted and counted).
async fn admitted(from: Ipv4Addr, address: SocketAddr) -> TcpStream {
    let mut stream = connect_from(from, address).await;
    assert_eq!(request(&mut stream, "/healthz").await, Some((200, "ok".to_string())));
    stream
}

/// The server accepts and closes at once, without an answer.
async fn assert_refused(from: Ipv4Addr, address: SocketAddr, what: &str) {
    let mut stream = connect_from(from, address).await;
    let started = Instant::now();
    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: augury\r\n\r\n").await;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "{what}: not closed within 1 s");
    assert!(buf.is_empty(), "{what}: answered {:?}", String::from_utf8_lossy(&buf));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_refused_and_released_when_closed() {
    let limits = HttpLimits { max_connections_per_ip: 3, ..HttpLimits::default() };
    let (server, _admin, _alice, _bob) = start(config(limits)).await;
    let address = server.address;

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(admitted(ALICE, address).await);
    }
    assert_refused(ALICE, address, "a fourth connection from one address").await;
    // Another address is served meanwhile, and so are the three admitted connections.
    assert_eq!(get(BOB, address, "/healthz").await, Some((200, "ok".to_string())));
    for stream in &mut held {
        assert_eq!(request(stream, "/healthz").await, Some((200, "ok".to_string())));
    }
    let (_, metrics) = get(BOB, address, "/metrics").await.unwrap();
    assert!(metrics.contains("augury_connections_refused_total{reason=\"per_ip\"} 1"), "{metrics}");

    // Closing connections releases them.
    held.truncate(1);
    open_connections_reach(&server.gateway, 1).await;
    held.push(admitted(ALICE, address).await);
    held.push(admitted(ALICE, address).await);
    assert_refused(ALICE, address, "a fourth connection again").await;
    drop(held);
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_total_cap_are_refused_and_released_when_closed() {
    let limits = HttpLimits { max_connections: 3, ..HttpLimits::default() };
    let (server, _admin, _alice, _bob) = start(config(limits)).await;
    let address = server.address;

    let mut held = Vec::new();
    for n in 0..3 {
        held.push(admitted(Ipv4Addr::new(127, 0, 0, 10 + n), address).await);
    }
    assert_refused(Ipv4Addr::new(127, 0, 0, 20), address, "a fourth connection in all").await;
    // The admitted connections keep being served.
    for stream in &mut held {
        assert_eq!(request(stream, "/healthz").await, Some((200, "ok".to_string())));
    }
    assert_eq!(metric(&server.gateway, "augury_connections_refused_total{reason=\"total\"} "), 1);
    assert_eq!(metric(&server.gateway, "augury_connections_open "), 3);

    held.pop();
    open_connections_reach(&server.gateway, 2).await;
    let (_, metrics) = get(Ipv4Addr::new(127, 0, 0, 20), address, "/metrics").await.unwrap();
    assert!(metrics.contains("augury_connections_open 3"), "{metrics}");
    drop(held);
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

// ------------------------------------------------------------------ TLS

struct TlsServer {
    address: SocketAddr,
    gateway: Arc<Gateway>,
    connector: tokio_rustls::TlsConnector,
    client: Arc<rustls::ClientConfig>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

async fn start_tls(http: HttpLimits) -> TlsServer {
    let (server, _admin, _alice, _bob) = start(config(http)).await;
    let dir = server.stop().await;
    let mut history = History::default();
    let (venue, _) = Venue::open_observed(options(dir.path()), &mut |_| {}, &mut history).unwrap();
    let gateway = Arc::new(Gateway::start(venue, history, config(http)).unwrap());
    let identity = TlsIdentity::self_signed().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = Arc::clone(&gateway);
    let tls = identity.server_config().unwrap();
    let task = tokio::spawn(async move {
        serving
            .serve_tls(listener, tls, async move {
                let _ = stopped.await;
            })
            .await
    });
    let mut roots = rustls::RootCertStore::empty();
    for certificate in rustls::pki_types::CertificateDer::pem_slice_iter(&identity.certificate_pem) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let client = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = Arc::new(client);
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&client));
    TlsServer { address, gateway, connector, client, stop, task, _dir: dir }
}

use rustls::pki_types::pem::PemObject as _;

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

async fn tls_connect(
    connector: &tokio_rustls::TlsConnector,
    from: Ipv4Addr,
    address: SocketAddr,
) -> std::io::Result<Tls> {
    let tcp = connect_from(from, address).await;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await
}

async fn tls_get(connector: tokio_rustls::TlsConnector, from: Ipv4Addr, address: SocketAddr) -> Option<(u16, String)> {
    let mut stream = tls_connect(&connector, from, address).await.ok()?;
    request(&mut stream, "/healthz").await
}

impl TlsServer {
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().unwrap();
        let gateway = Arc::try_unwrap(self.gateway).ok().expect("no other holders");
        drop(gateway.stop());
    }
}

#[tokio::test]
async fn the_tls_listener_cuts_slow_and_silent_clients_at_the_head_timeout() {
    let server = start_tls(short_limits()).await;
    let address = server.address;
    let stop = Arc::new(AtomicBool::new(false));
    let connector = server.connector.clone();
    let other = keep_served(Arc::clone(&stop), move || tls_get(connector.clone(), BOB, address));

    // No TLS handshake at all.
    let mut silent = connect_from(ALICE, address).await;
    let started = Instant::now();
    assert_closed_by_limit(closed_within(&mut silent, started, LIMIT + MARGIN).await, LIMIT, "no ClientHello");

    // A handshake, then nothing.
    let mut quiet = tls_connect(&server.connector, ALICE, address).await.unwrap();
    let started = Instant::now();
    assert_closed_by_limit(closed_within(&mut quiet, started, LIMIT + MARGIN).await, LIMIT, "TLS and no request");

    // Header lines one at a time.
    let mut slow = tls_connect(&server.connector, ALICE, address).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: augury\r\n").await.unwrap();
    let (mut read, mut write) = tokio::io::split(slow);
    let writer = tokio::spawn(async move {
        for n in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(format!("X-Slow-{n}: a\r\n").as_bytes()).await.is_err() {
                break;
            }
        }
    });
    assert_closed_by_limit(closed_within(&mut read, started, LIMIT + MARGIN).await, LIMIT, "TLS slow header lines");
    writer.abort();

    // The body limits hold on TLS too.
    let mut big = tls_connect(&server.connector, ALICE, address).await.unwrap();
    big.write_all(b"POST /v1/portfolio/orders HTTP/1.1\r\nHost: augury\r\nContent-Length: 10000000\r\n\r\n")
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(1), read_response(&mut big)).await.unwrap();
    assert_eq!(answer.map(|(status, _, _)| status), Some(413));

    // HTTP/2 by ALPN, closed when idle.
    let mut h2 = rustls::ClientConfig::clone(&server.client);
    h2.alpn_protocols = vec![b"h2".to_vec()];
    let h2 = tokio_rustls::TlsConnector::from(Arc::new(h2));
    let stream = tls_connect(&h2, ALICE, address).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let closed = http2_idle(stream, &format!("https://localhost:{}", address.port())).await;
    assert_closed_by_limit(closed, LIMIT, "an idle HTTP/2 connection over TLS");

    // A WebSocket over TLS outlives the head timeout.
    let tls = tls_connect(&server.connector, ALICE, address).await.unwrap();
    let (mut ws, _) =
        tokio_tungstenite::client_async(format!("wss://localhost:{}/v1/ws", address.port()), tls).await.unwrap();
    tokio::time::sleep(LIMIT * 3).await;
    ws.send(tokio_tungstenite::tungstenite::Message::text(r#"{"op":"ping"}"#)).await.unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.unwrap().unwrap().unwrap();
    assert!(reply.to_text().unwrap().contains("pong"), "{reply:?}");
    drop(ws);

    assert_was_served(stop, other).await;
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}

#[tokio::test]
async fn the_tls_listener_caps_connections_per_address() {
    let limits = HttpLimits { max_connections_per_ip: 2, ..HttpLimits::default() };
    let server = start_tls(limits).await;
    let address = server.address;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tls_connect(&server.connector, ALICE, address).await.unwrap();
        assert_eq!(request(&mut stream, "/healthz").await, Some((200, "ok".to_string())));
        held.push(stream);
    }
    // The third from the same address gets no handshake (closed at once).
    let started = Instant::now();
    let third = tokio::time::timeout(Duration::from_secs(1), tls_connect(&server.connector, ALICE, address)).await;
    assert!(matches!(third, Ok(Err(_))), "a third TLS connection was not refused");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Another address is served meanwhile.
    assert_eq!(tls_get(server.connector.clone(), BOB, address).await, Some((200, "ok".to_string())));
    assert_eq!(metric(&server.gateway, "augury_connections_refused_total{reason=\"per_ip\"} "), 1);
    held.pop();
    open_connections_reach(&server.gateway, 1).await;
    let mut again = tls_connect(&server.connector, ALICE, address).await.unwrap();
    assert_eq!(request(&mut again, "/healthz").await, Some((200, "ok".to_string())));
    drop((held, again));
    open_connections_reach(&server.gateway, 0).await;
    server.stop().await;
}
