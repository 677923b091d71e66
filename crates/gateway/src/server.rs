//! The HTTP server under the gateway: the accept loop (plain TCP, or TLS with tokio-rustls), one
//! hyper connection per socket (HTTP/1.1 with upgrades, and HTTP/2), and the limits that keep slow
//! or numerous clients from holding the server ([`HttpLimits`], defaults in docs/api.md,
//! "Connection and request limits"). It owns:
//!
//! - **Admission**: open connections per client address and in total. One over a cap is accepted
//!   and closed at once, with no answer (for TLS, before the handshake), and counted in
//!   `/metrics`. A connection is released when its socket is dropped, so a WebSocket counts until
//!   it closes.
//! - **The head timeout**: a connection must send a complete request head within `head_timeout`
//!   of being accepted (the TLS handshake included), and again within `head_timeout` of the end of
//!   each answer on a keep-alive connection; otherwise it is closed without an answer. HTTP/1.1's
//!   is hyper's `header_read_timeout`; a watchdog per connection covers the rest: the first head
//!   (before hyper knows the protocol), and an HTTP/2 connection with no request in flight (closed
//!   gracefully with GOAWAY). An upgraded connection (a WebSocket) has left hyper and this
//!   watchdog: its own ping and idle rules live in [`crate::ws`].
//! - **The write timeout**: a write to the client that makes no progress for `write_timeout` (a
//!   client that never reads its answers) fails, and the connection is closed with it; this holds
//!   under TLS and after a WebSocket upgrade too, since it lives in the socket ([`Tracked`]).
//! - **The body limits** ([`read_body`], used by every extractor that reads a body): 413
//!   `body_too_large` at once, before reading, when the announced length is over the limit; 408
//!   `body_timeout` when the whole body has not arrived within `body_timeout` (the connection is
//!   then closed, as hyper closes one whose body was not read to the end).
//! - **Graceful shutdown**: stop accepting, ask every connection to finish (HTTP/1.1 closes after
//!   the answer in progress, HTTP/2 sends GOAWAY), wait up to `shutdown_grace`, then drop the rest.

use crate::error::ApiError;
use crate::extract::BODY_BYTES_MAX;
use crate::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, Version};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower_service::Service as _;

/// Limits on what clients may hold of the HTTP server. The defaults are safe for a public
/// listener and leave `augury bench api` (64 connections from one address) unhurt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// From accepting a connection (TLS handshake included), or from the end of the previous
    /// answer on a keep-alive connection, to a complete request head. Over it, the connection is
    /// closed without an answer: this is also the keep-alive idle timeout.
    pub head_timeout: Duration,
    /// From the end of a request head to the end of its body (on routes that read a body). Over
    /// it: 408 `body_timeout`, and the connection is closed.
    pub body_timeout: Duration,
    /// How long a write to the client may make no progress (a client that does not read its
    /// answers, or a WebSocket subscriber that stopped reading). Over it, the connection is
    /// closed: otherwise such a client would hold its connection, and the answers queued for it,
    /// for ever.
    pub write_timeout: Duration,
    /// Open connections in all, WebSockets included; more are closed as soon as accepted. Counted
    /// per listener (per call of `Gateway::serve` or `serve_tls`; `augury serve` has one).
    pub max_connections: usize,
    /// Open connections from one IP address (IPv4-mapped IPv6 counts as IPv4).
    pub max_connections_per_ip: usize,
    /// At shutdown, how long requests in progress get to finish before their connections are
    /// dropped.
    pub shutdown_grace: Duration,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits {
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            max_connections_per_ip: 128,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl HttpLimits {
    /// What makes these limits unusable, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        if self.head_timeout.is_zero() {
            Some("the head timeout must be above zero")
        } else if self.body_timeout.is_zero() {
            Some("the body timeout must be above zero")
        } else if self.write_timeout.is_zero() {
            Some("the write timeout must be above zero")
        } else if self.max_connections == 0 {
            Some("the connection cap must be at least 1")
        } else if self.max_connections_per_ip == 0 {
            Some("the per-address connection cap must be at least 1")
        } else {
            None
        }
    }
}

// ---------------------------------------------------------------- the accept loop

/// Serves `router` on `listener` (over TLS with `tls`) until `shutdown` resolves; then stops
/// accepting, calls `on_shutdown`, and gives connections `shutdown_grace` to finish.
pub(crate) async fn serve(
    state: Arc<AppState>,
    router: axum::Router,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_shutdown: impl FnOnce(),
) -> io::Result<()> {
    let limits = state.config.http;
    if let Some(problem) = limits.problem() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, problem));
    }
    let admission = Arc::new(Admission { state: Arc::clone(&state), open: Mutex::default() });
    let shared = Arc::new(Shared { state, router, builder: builder(&limits), limits, tls });
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (socket, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        pause_after(error).await;
                        continue;
                    }
                };
                let accepted_at = Instant::now();
                match admission.admit(peer.ip()) {
                    Ok(permit) => {
                        let io = Tracked { io: socket, permit, write_timeout: limits.write_timeout, stalled: None };
                        connections.spawn(connection(Arc::clone(&shared), io, peer, accepted_at, stopping.clone()));
                    }
                    // Closed at once: no answer, no TLS handshake.
                    Err(refused) => {
                        drop(socket);
                        tracing::debug!(%peer, ?refused, "connection refused");
                    }
                }
            }
        }
    }
    drop(listener);
    on_shutdown();
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(left = connections.len(), "connections still busy after the shutdown grace: dropped");
        connections.abort_all();
    }
    Ok(())
}

/// An error from `accept`: the connection's own trouble is skipped; anything else (out of file
/// descriptors, say) pauses accepting for a moment instead of spinning.
async fn pause_after(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::warn!(%error, "accepting a connection failed; pausing 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// What every connection task reads.
struct Shared {
    state: Arc<AppState>,
    router: axum::Router,
    builder: auto::Builder<TokioExecutor>,
    limits: HttpLimits,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

fn builder(limits: &HttpLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.head_timeout);
    // Extended CONNECT: WebSockets over HTTP/2, as axum::serve allowed.
    builder.http2().timer(TokioTimer::new()).enable_connect_protocol();
    builder
}

/// One accepted connection, to its end: the TLS handshake (if any) within the head timeout, then
/// hyper, watched.
async fn connection(
    shared: Arc<Shared>,
    io: Tracked<tokio::net::TcpStream>,
    peer: SocketAddr,
    accepted_at: Instant,
    stopping: tokio::sync::watch::Receiver<bool>,
) {
    let metrics = &shared.state.metrics;
    match &shared.tls {
        None => drive(&shared, io, peer, accepted_at, stopping).await,
        Some(acceptor) => {
            match tokio::time::timeout_at(accepted_at + shared.limits.head_timeout, acceptor.accept(io)).await {
                Ok(Ok(tls)) => drive(&shared, tls, peer, accepted_at, stopping).await,
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => {
                    metrics.connections_timed_out.inc();
                    tracing::debug!(%peer, "no TLS handshake within the head timeout");
                }
            }
        }
    }
}

/// Serves one connection with hyper until it ends, is upgraded, times out or the server stops.
async fn drive<I>(
    shared: &Shared,
    io: I,
    peer: SocketAddr,
    accepted_at: Instant,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new(accepted_at));
    let service = {
        let activity = Arc::clone(&activity);
        let router = shared.router.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let guard = activity.begin(request.version());
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            let answer = router.clone().call(request);
            async move {
                let response = answer.await;
                drop(guard);
                response
            }
        })
    };
    let conn = shared.builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let head_timeout = shared.limits.head_timeout;
    let metrics = &shared.state.metrics;
    let mut closing = false;
    loop {
        let wake = activity.watch_until(head_timeout);
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    let timed_out = error.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout);
                    if timed_out {
                        metrics.connections_timed_out.inc();
                    }
                    tracing::debug!(%peer, %error, timed_out, "connection ended with an error");
                }
                return;
            }
            () = sleep_until(wake), if !closing => match activity.expired(head_timeout) {
                // Not even one request head: nothing is in progress, so close now.
                Expired::BeforeFirstRequest => {
                    metrics.connections_timed_out.inc();
                    tracing::debug!(%peer, "no request head within the head timeout");
                    return;
                }
                // HTTP/2 with nothing in flight: GOAWAY, and let any open stream finish.
                Expired::Idle => {
                    metrics.connections_timed_out.inc();
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
                Expired::No => {}
            },
            _ = stopping.changed(), if !closing => {
                // Nothing was ever asked on it: nothing to finish.
                if activity.protocol.load(Ordering::Relaxed) == NO_REQUEST {
                    return;
                }
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}

async fn sleep_until(wake: Option<Instant>) {
    match wake {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

// ---------------------------------------------------------------- the watchdog's view

const NO_REQUEST: u8 = 0;
const HTTP1: u8 = 1;
const HTTP2: u8 = 2;

/// What the watchdog knows of a connection's requests. HTTP/1.1 connections are left to hyper's
/// own head timeout after their first request, so they only mark the protocol.
struct Activity {
    since: Instant,
    protocol: AtomicU8,
    /// HTTP/2 requests whose answer has not been produced yet.
    in_flight: AtomicUsize,
    /// Microseconds from `since` to the last HTTP/2 request's start or answer.
    last_us: AtomicU64,
}

enum Expired {
    No,
    BeforeFirstRequest,
    Idle,
}

impl Activity {
    fn new(since: Instant) -> Activity {
        Activity {
            since,
            protocol: AtomicU8::new(NO_REQUEST),
            in_flight: AtomicUsize::new(0),
            last_us: AtomicU64::new(0),
        }
    }

    fn begin(self: &Arc<Self>, version: Version) -> Option<InFlight> {
        if version == Version::HTTP_2 {
            self.protocol.store(HTTP2, Ordering::Relaxed);
            self.in_flight.fetch_add(1, Ordering::Relaxed);
            self.touch();
            Some(InFlight(Arc::clone(self)))
        } else {
            if self.protocol.load(Ordering::Relaxed) == NO_REQUEST {
                self.protocol.store(HTTP1, Ordering::Relaxed);
            }
            None
        }
    }

    fn touch(&self) {
        self.last_us.store(self.since.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// When the watchdog should look next (None: never, hyper's own timeout applies).
    fn watch_until(&self, timeout: Duration) -> Option<Instant> {
        match self.protocol.load(Ordering::Relaxed) {
            NO_REQUEST => Some(self.since + timeout),
            HTTP2 if self.in_flight.load(Ordering::Relaxed) == 0 => Some(self.last() + timeout),
            // Busy: look again later (an answer moves the deadline).
            HTTP2 => Some(Instant::now() + timeout),
            _ => None,
        }
    }

    fn last(&self) -> Instant {
        self.since + Duration::from_micros(self.last_us.load(Ordering::Relaxed))
    }

    fn expired(&self, timeout: Duration) -> Expired {
        let now = Instant::now();
        match self.protocol.load(Ordering::Relaxed) {
            NO_REQUEST if now >= self.since + timeout => Expired::BeforeFirstRequest,
            HTTP2 if self.in_flight.load(Ordering::Relaxed) == 0 && now >= self.last() + timeout => Expired::Idle,
            _ => Expired::No,
        }
    }
}

/// An HTTP/2 request in flight, until its answer is produced (or it is dropped).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------- admission

#[derive(Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// The open connections of one listener, by address.
struct Admission {
    state: Arc<AppState>,
    open: Mutex<Open>,
}

#[derive(Debug)]
enum Refused {
    Total,
    PerIp,
}

impl Admission {
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Permit, Refused> {
        let ip = ip.to_canonical();
        let limits = &self.state.config.http;
        let metrics = &self.state.metrics;
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= limits.max_connections {
            metrics.connections_refused_total.inc();
            return Err(Refused::Total);
        }
        let from_ip = open.per_ip.get(&ip).copied().unwrap_or(0);
        if from_ip >= limits.max_connections_per_ip {
            metrics.connections_refused_per_ip.inc();
            return Err(Refused::PerIp);
        }
        open.per_ip.insert(ip, from_ip + 1);
        open.total += 1;
        metrics.connections_accepted.inc();
        metrics.connections_open.inc();
        Ok(Permit { admission: Arc::clone(self), ip })
    }
}

/// One admitted connection; dropping it releases its place.
struct Permit {
    admission: Arc<Admission>,
    ip: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self.admission.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.per_ip.remove(&self.ip);
            }
        }
        self.admission.state.metrics.connections_open.dec();
    }
}

/// A socket holding its [`Permit`]: the place is released when the socket is dropped, wherever it
/// went (hyper, or a WebSocket after an upgrade). It also times out a write that makes no
/// progress: the first `Pending` write starts a timer, any progress stops it.
struct Tracked<S> {
    io: S,
    permit: Permit,
    write_timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Tracked<S> {
    /// Passes a write's result through, timing out one that stays `Pending` too long.
    fn watch<T>(&mut self, cx: &mut Context<'_>, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if result.is_ready() {
            self.stalled = None;
            return result;
        }
        let timeout = self.write_timeout;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if stalled.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.stalled = None;
        self.permit.admission.state.metrics.connections_timed_out.inc();
        let message = format!("the client read nothing for {} ms", timeout.as_millis());
        Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, message)))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write(cx, buf);
        this.watch(cx, result)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.watch(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_flush(cx);
        this.watch(cx, result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.io).poll_shutdown(cx);
        this.watch(cx, result)
    }
}

// ---------------------------------------------------------------- request bodies

fn too_large(announced: Option<u64>) -> ApiError {
    let message = match announced {
        Some(length) => {
            format!("the request body ({length} bytes announced) exceeds the limit of {BODY_BYTES_MAX} bytes")
        }
        None => format!("the request body exceeds the limit of {BODY_BYTES_MAX} bytes"),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", message)
}

/// Reads a request body of at most [`BODY_BYTES_MAX`]: 413 `body_too_large` before reading
/// anything if the announced length (Content-Length) is over it, or as soon as the bytes are; 408
/// `body_timeout` if the whole body has not arrived within the body timeout; 400
/// `unreadable_body` if the client broke it off.
pub async fn read_body(state: &AppState, mut body: Body) -> Result<Bytes, ApiError> {
    let announced = body.size_hint().lower();
    if announced > BODY_BYTES_MAX as u64 {
        return Err(too_large(Some(announced)));
    }
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let timeout = state.config.http.body_timeout;
    match tokio::time::timeout(timeout, collect(&mut body)).await {
        Ok(read) => read,
        Err(_) => {
            state.metrics.body_timeouts.inc();
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!("the request body did not arrive within {} ms", timeout.as_millis()),
            ))
        }
    }
}

async fn collect(body: &mut Body) -> Result<Bytes, ApiError> {
    // One chunk (the usual case) is returned as it came, without a copy.
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut length = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
        let frame = frame.map_err(|error| {
            ApiError::bad_request("unreadable_body", format!("the request body could not be read: {error}"))
        })?;
        let Ok(data) = frame.into_data() else { continue };
        length += data.len();
        if length > BODY_BYTES_MAX {
            return Err(too_large(None));
        }
        match first.take() {
            None if joined.is_empty() => first = Some(data),
            earlier => {
                if let Some(earlier) = earlier {
                    joined.extend_from_slice(&earlier);
                }
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(joined)))
}
