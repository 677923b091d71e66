//! The sequencer thread: one thread owns the `Venue`; callers send commands through a bounded
//! queue and wait for their answer, which comes only after the batch holding their command is
//! durable. Batching is where the throughput comes from: one fsync serves the whole batch.

use crate::{CommittedEntry, Venue, VenueCommand, VenueError, VenueOutcome, VenueReject};
use augury_core::{Command, Event, OrderId, Reject};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;

/// The most commands taken into one batch.
const BATCH_MAX: usize = 4_096;

/// What a command did, or why it was refused.
type Outcome = Result<VenueOutcome, VenueReject>;
/// An outcome, or why the sequencer could not give one.
type Answer = Result<Outcome, String>;

/// Receives every committed batch, in order, on the sequencer thread, before the batch's callers
/// hear their answers. It runs on the engine's thread, so it must be quick.
pub type Publisher = Box<dyn FnMut(&Venue, Vec<CommittedEntry>) + Send>;

struct Job {
    command: VenueCommand,
    answer: oneshot::Sender<Answer>,
}

/// Figures for monitoring, updated by the sequencer thread.
#[derive(Debug, Default)]
pub struct SequencerStats {
    /// Commands waiting in the queue.
    pub queue_depth: AtomicI64,
    pub batches: AtomicU64,
    pub commands: AtomicU64,
    /// Group commits (write + fsync) by duration: bucket i counts commits of at most
    /// `COMMIT_BUCKETS_US[i]` microseconds (the last bucket is everything slower).
    pub commit_buckets: [AtomicU64; COMMIT_BUCKETS_US.len() + 1],
    pub commit_micros_total: AtomicU64,
    /// Why the sequencer stopped taking commands, once a journal write has failed (it takes none
    /// after that: what the failed batch did is unknown until the venue restarts).
    pub failure: std::sync::OnceLock<String>,
}

/// Upper bounds of the commit-time histogram, in microseconds.
pub const COMMIT_BUCKETS_US: [u64; 10] = [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];

impl SequencerStats {
    fn record_commit(&self, micros: u64) {
        let bucket = COMMIT_BUCKETS_US.iter().position(|&b| micros <= b).unwrap_or(COMMIT_BUCKETS_US.len());
        self.commit_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.commit_micros_total.fetch_add(micros, Ordering::Relaxed);
    }
}

/// A read of the venue's state, run on the sequencer thread between batches.
type Query = Box<dyn FnOnce(&Venue) + Send>;

enum Message {
    Job(Job),
    Query(Query),
    Snapshot(SyncSender<Result<(), String>>),
    Stop,
}

/// Why a command got no answer from the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The queue is full: try again shortly (HTTP 503 with Retry-After).
    #[error("the sequencer queue is full")]
    QueueFull,
    /// The sequencer has stopped (shut down, or a journal write failed).
    #[error("the sequencer has stopped: {0}")]
    Stopped(String),
}

/// An engine command's outcome as the engine gives it: its events, or its refusal.
fn engine_result(outcome: Outcome) -> Result<Vec<Event>, Reject> {
    match outcome {
        Ok(VenueOutcome::Applied { events }) => Ok(events),
        Ok(other) => unreachable!("an engine command gives engine events, not {other:?}"),
        Err(VenueReject::Engine(reject)) => Err(reject),
        Err(other) => unreachable!("an engine command is refused only by the engine: {other}"),
    }
}

/// A cloneable handle for submitting commands.
#[derive(Clone)]
pub struct SequencerHandle {
    queue: SyncSender<Message>,
    stats: Arc<SequencerStats>,
}

impl SequencerHandle {
    /// Submits an engine command and waits until it is applied and durable (or refused).
    pub fn submit(&self, command: Command) -> Result<Result<Vec<Event>, Reject>, SubmitError> {
        Ok(engine_result(self.execute(VenueCommand::Engine(command))?))
    }

    /// Queues an engine command now and returns its answer to await later. Commands queued one
    /// after another are journaled in that order and can share a batch (one fsync); a full queue
    /// fails at once with `QueueFull`.
    pub fn submit_queued(
        &self,
        command: Command,
    ) -> Result<impl std::future::Future<Output = Result<Result<Vec<Event>, Reject>, SubmitError>>, SubmitError> {
        let receive = self.enqueue(VenueCommand::Engine(command))?;
        Ok(async move { Ok(engine_result(Self::answer(receive.await)?)) })
    }

    /// Submits a venue command and waits (blocking the thread) until it is durable or refused.
    pub fn execute(&self, command: VenueCommand) -> Result<Outcome, SubmitError> {
        let receive = self.enqueue(command)?;
        Self::answer(receive.blocking_recv())
    }

    /// Submits a venue command and waits (without blocking the thread) until it is durable or
    /// refused. The queue is bounded: when full, this fails at once with `QueueFull`.
    pub async fn execute_async(&self, command: VenueCommand) -> Result<Outcome, SubmitError> {
        let receive = self.enqueue(command)?;
        Self::answer(receive.await)
    }

    /// Runs `read` on the sequencer thread against the current state (everything answered so far
    /// is in it) and returns its result without blocking the calling thread.
    pub async fn query<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Venue) -> T + Send + 'static,
    ) -> Result<T, SubmitError> {
        let (answer, receive) = oneshot::channel();
        let query: Query = Box::new(move |venue| {
            let _ = answer.send(read(venue));
        });
        match self.queue.try_send(Message::Query(query)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(SubmitError::QueueFull),
            Err(TrySendError::Disconnected(_)) => return Err(SubmitError::Stopped("shut down".into())),
        }
        // A failed sequencer drops reads unanswered: its state may hold what the failed commit
        // could still take back.
        receive.await.map_err(|_| SubmitError::Stopped(self.failure().unwrap_or("shut down").to_string()))
    }

    pub fn stats(&self) -> &SequencerStats {
        &self.stats
    }

    /// Why the sequencer stopped taking commands, if a journal write failed.
    pub fn failure(&self) -> Option<&str> {
        self.stats.failure.get().map(String::as_str)
    }

    fn enqueue(&self, command: VenueCommand) -> Result<oneshot::Receiver<Answer>, SubmitError> {
        let (answer, receive) = oneshot::channel();
        match self.queue.try_send(Message::Job(Job { command, answer })) {
            Ok(()) => {
                self.stats.queue_depth.fetch_add(1, Ordering::Relaxed);
                Ok(receive)
            }
            Err(TrySendError::Full(_)) => Err(SubmitError::QueueFull),
            Err(TrySendError::Disconnected(_)) => Err(SubmitError::Stopped("shut down".into())),
        }
    }

    fn answer(received: Result<Answer, oneshot::error::RecvError>) -> Result<Outcome, SubmitError> {
        match received {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(reason)) => Err(SubmitError::Stopped(reason)),
            Err(_) => Err(SubmitError::Stopped("shut down".into())),
        }
    }

    /// Asks for a snapshot of the state after everything submitted so far.
    pub fn snapshot(&self) -> Result<(), SubmitError> {
        let (answer, receive) = mpsc::sync_channel(1);
        self.queue.send(Message::Snapshot(answer)).map_err(|_| SubmitError::Stopped("shut down".into()))?;
        receive.recv().map_err(|_| SubmitError::Stopped("shut down".into()))?.map_err(SubmitError::Stopped)
    }
}

/// The running sequencer; stopping it (or dropping it) finishes the batch in hand and returns.
pub struct Sequencer {
    handle: SequencerHandle,
    thread: Option<JoinHandle<Venue>>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Where the venue's time comes from: the wall clock (the default), or a time someone else sets,
/// such as the demo's replay of price history, which moves the venue through past days faster
/// than they passed. Either way the sequencer journals each step as `AdvanceTime`, so replaying
/// the journal gives the same state; only the checkpoints' timestamps stay on the wall clock.
///
/// Cloning shares the clock. An external time only moves forward.
#[derive(Clone, Debug, Default)]
pub struct VenueClock {
    /// 0: the wall clock; else the venue's time in ms since the epoch.
    external_ms: Arc<AtomicU64>,
}

impl VenueClock {
    pub fn wall() -> VenueClock {
        VenueClock::default()
    }

    /// A clock that stands at `at_ms` until [`VenueClock::set`] moves it.
    pub fn external(at_ms: u64) -> VenueClock {
        VenueClock { external_ms: Arc::new(AtomicU64::new(at_ms.max(1))) }
    }

    /// Moves an external clock forward to `at_ms` (never back), or makes a wall clock external.
    pub fn set(&self, at_ms: u64) {
        self.external_ms.fetch_max(at_ms.max(1), Ordering::SeqCst);
    }

    /// Hands time back to the wall clock.
    pub fn follow_wall(&self) {
        self.external_ms.store(0, Ordering::SeqCst);
    }

    pub fn is_external(&self) -> bool {
        self.external_ms.load(Ordering::SeqCst) != 0
    }

    pub fn now_ms(&self) -> u64 {
        match self.external_ms.load(Ordering::SeqCst) {
            0 => now_ms(),
            at_ms => at_ms,
        }
    }
}

impl Sequencer {
    /// Starts the sequencer thread with a queue of `capacity` commands.
    pub fn start(venue: Venue, capacity: usize) -> Sequencer {
        Sequencer::start_publishing(venue, capacity, None)
    }

    /// Starts the sequencer; `publisher` (if any) receives every committed batch.
    pub fn start_publishing(venue: Venue, capacity: usize, publisher: Option<Publisher>) -> Sequencer {
        Sequencer::start_with_clock(venue, capacity, publisher, VenueClock::wall())
    }

    /// Starts the sequencer with its time from `clock`.
    pub fn start_with_clock(
        mut venue: Venue,
        capacity: usize,
        publisher: Option<Publisher>,
        clock: VenueClock,
    ) -> Sequencer {
        let (queue, receive) = mpsc::sync_channel(capacity);
        let stats = Arc::new(SequencerStats::default());
        let thread_stats = Arc::clone(&stats);
        venue.record_committed(publisher.is_some());
        let thread = std::thread::Builder::new()
            .name("sequencer".into())
            .spawn(move || run(venue, receive, &thread_stats, publisher, &clock))
            .expect("the sequencer thread starts");
        Sequencer { handle: SequencerHandle { queue, stats }, thread: Some(thread) }
    }

    pub fn handle(&self) -> SequencerHandle {
        self.handle.clone()
    }

    /// Stops after the current batch and gives the venue back.
    pub fn stop(mut self) -> Venue {
        let _ = self.handle.queue.send(Message::Stop);
        self.thread.take().expect("running").join().expect("the sequencer thread does not panic")
    }
}

impl Drop for Sequencer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.handle.queue.send(Message::Stop);
            let _ = thread.join();
        }
    }
}

fn run(
    mut venue: Venue,
    receive: Receiver<Message>,
    stats: &SequencerStats,
    mut publisher: Option<Publisher>,
    clock: &VenueClock,
) -> Venue {
    let mut batch: Vec<(oneshot::Sender<Answer>, Outcome)> = Vec::with_capacity(BATCH_MAX);
    let mut failure: Option<String> = None;
    loop {
        // Wait for work, waking now and then to act on deadlines (order expiries, market close
        // times, the end of proposal liveness windows) while idle.
        let first = match receive.recv_timeout(Duration::from_millis(100)) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return venue,
        };
        let mut stop = false;
        let mut snapshot_requests = Vec::new();
        let mut queries: Vec<Query> = Vec::new();
        // Time is journaled like any command, so it moves only when it matters: for a batch of
        // work, or when a deadline falls due.
        let due = venue.engine().next_deadline_ms().is_some_and(|expiry| expiry <= clock.now_ms());
        if failure.is_none() && (first.is_some() || due) {
            if let Err(e) = advance_time(&mut venue, clock.now_ms()) {
                failure = Some(fail(stats, e.to_string()));
            }
        }
        let mut next = first;
        while let Some(message) = next.take() {
            match message {
                Message::Stop => stop = true,
                Message::Snapshot(answer) => snapshot_requests.push(answer),
                // Reads run after this batch's commit: they never see what a failed fsync could
                // still take back, and they see everything answered before them.
                Message::Query(read) => queries.push(read),
                Message::Job(job) => match &failure {
                    Some(reason) => {
                        stats.queue_depth.fetch_sub(1, Ordering::Relaxed);
                        let _ = job.answer.send(Err(reason.clone()));
                    }
                    None => match venue.execute(&stamp_order_id(&venue, job.command)) {
                        Ok(outcome) => {
                            stats.queue_depth.fetch_sub(1, Ordering::Relaxed);
                            batch.push((job.answer, outcome));
                        }
                        Err(e) => {
                            stats.queue_depth.fetch_sub(1, Ordering::Relaxed);
                            failure = Some(fail(stats, e.to_string()));
                            let _ = job.answer.send(Err(e.to_string()));
                        }
                    },
                },
            }
            if batch.len() < BATCH_MAX && !stop {
                next = receive.try_recv().ok();
            }
        }
        // Durable first, then answers: nobody hears "accepted" for what a crash could lose.
        let commit_started = Instant::now();
        let committed = match &failure {
            Some(reason) => Err(reason.clone()),
            None => venue.commit(now_ms()).map_err(|e: VenueError| e.to_string()),
        };
        if committed.is_ok() && !batch.is_empty() {
            stats.record_commit(u64::try_from(commit_started.elapsed().as_micros()).unwrap_or(u64::MAX));
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.commands.fetch_add(batch.len() as u64, Ordering::Relaxed);
        }
        if let Err(reason) = &committed {
            failure = Some(fail(stats, reason.clone()));
        }
        // Published before the answers go out, so a caller that hears "accepted" and then reads
        // the read models finds its own command there.
        if committed.is_ok() {
            // The answer point: everything this batch appended is durable, so nothing answered
            // or published below lies beyond the journal's durable index.
            assert_eq!(venue.journal().len(), venue.journal().committed(), "answers follow a complete commit");
            if let Some(publish) = &mut publisher {
                let entries = venue.take_committed();
                let durable = venue.journal().committed();
                assert!(entries.iter().all(|e| e.index < durable), "only durable entries are published");
                if !entries.is_empty() {
                    publish(&venue, entries);
                }
            }
        }
        for (answer, outcome) in batch.drain(..) {
            let _ = answer.send(committed.clone().map(|()| outcome));
        }
        // After a failed commit the state holds what the journal may not: reads are dropped
        // (their callers hear that the sequencer has stopped) rather than shown it.
        if failure.is_none() {
            for read in queries {
                read(&venue);
            }
        }
        for answer in snapshot_requests {
            let result = match &failure {
                Some(reason) => Err(reason.clone()),
                None => venue.snapshot().map(|_| ()).map_err(|e| e.to_string()),
            };
            let _ = answer.send(result);
        }
        if stop {
            return venue;
        }
    }
}

/// Records why the sequencer stopped (the first reason stays) and gives it back.
fn fail(stats: &SequencerStats, reason: String) -> String {
    if stats.failure.set(reason.clone()).is_ok() {
        tracing::error!(%reason, "the sequencer stopped taking commands: a journal write failed");
    }
    reason
}

/// Order ids are the sequencer's to give, like time: an order submitted with id 0 gets the next
/// one, so callers never race each other for ids.
fn stamp_order_id(venue: &Venue, mut command: VenueCommand) -> VenueCommand {
    let order = match &mut command {
        VenueCommand::Engine(Command::PlaceOrder { order }) => order,
        VenueCommand::PlaceClientOrder { order, .. } => order,
        _ => return command,
    };
    if order.order == OrderId(0) {
        order.order = venue.engine().highest_order_id().next();
    }
    command
}

/// Moves the engine clock to `now`, journaling the step like any other command.
fn advance_time(venue: &mut Venue, now: u64) -> Result<(), VenueError> {
    if now > venue.engine().clock_ms() {
        // Time never goes back here, so this cannot be refused.
        let _ = venue.submit(&Command::AdvanceTime { now_ms: now })?;
    }
    Ok(())
}
