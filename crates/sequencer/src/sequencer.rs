//! The sequencer thread: one thread owns the `Venue`; callers send commands through a bounded
//! queue and wait for their answer, which comes only after the batch holding their command is
//! durable. Batching is where the throughput comes from: one fsync serves the whole batch.

use crate::{Venue, VenueError};
use augury_core::{Command, Event, Reject};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most commands taken into one batch.
const BATCH_MAX: usize = 4_096;

/// What a command caused, or why the engine refused it.
type Outcome = Result<Vec<Event>, Reject>;
/// An outcome, or why the sequencer could not give one.
type Answer = Result<Outcome, String>;

struct Job {
    command: Command,
    answer: SyncSender<Answer>,
}

enum Message {
    Job(Job),
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

/// A cloneable handle for submitting commands.
#[derive(Clone)]
pub struct SequencerHandle {
    queue: SyncSender<Message>,
}

impl SequencerHandle {
    /// Submits a command and waits until it is applied and durable (or refused).
    pub fn submit(&self, command: Command) -> Result<Result<Vec<Event>, Reject>, SubmitError> {
        let (answer, receive) = mpsc::sync_channel(1);
        match self.queue.try_send(Message::Job(Job { command, answer })) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(SubmitError::QueueFull),
            Err(TrySendError::Disconnected(_)) => return Err(SubmitError::Stopped("shut down".into())),
        }
        match receive.recv() {
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
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Sequencer {
    /// Starts the sequencer thread with a queue of `capacity` commands.
    pub fn start(venue: Venue, capacity: usize) -> Sequencer {
        let (queue, receive) = mpsc::sync_channel(capacity);
        let thread = std::thread::Builder::new()
            .name("sequencer".into())
            .spawn(move || run(venue, receive))
            .expect("the sequencer thread starts");
        Sequencer { handle: SequencerHandle { queue }, thread: Some(thread) }
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

fn run(mut venue: Venue, receive: Receiver<Message>) -> Venue {
    let mut batch: Vec<(SyncSender<Answer>, Outcome)> = Vec::with_capacity(BATCH_MAX);
    let mut failure: Option<String> = None;
    loop {
        // Wait for work, waking now and then to expire good-till-date orders while idle.
        let first = match receive.recv_timeout(Duration::from_millis(100)) {
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return venue,
        };
        let mut stop = false;
        let mut snapshot_requests = Vec::new();
        // Time is journaled like any command, so it moves only when it matters: for a batch of
        // work, or when a good-till-date order falls due.
        let due = venue.engine().next_expiry_ms().is_some_and(|expiry| expiry <= now_ms());
        if failure.is_none() && (first.is_some() || due) {
            if let Err(e) = advance_time(&mut venue) {
                failure = Some(e.to_string());
            }
        }
        let mut next = first;
        while let Some(message) = next.take() {
            match message {
                Message::Stop => stop = true,
                Message::Snapshot(answer) => snapshot_requests.push(answer),
                Message::Job(job) => match &failure {
                    Some(reason) => {
                        let _ = job.answer.send(Err(reason.clone()));
                    }
                    None => match venue.submit(&stamp_order_id(&venue, job.command)) {
                        Ok(outcome) => batch.push((job.answer, outcome.map(<[Event]>::to_vec))),
                        Err(e) => {
                            failure = Some(e.to_string());
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
        let committed = match &failure {
            Some(reason) => Err(reason.clone()),
            None => venue.commit(now_ms()).map_err(|e: VenueError| e.to_string()),
        };
        if let Err(reason) = &committed {
            failure = Some(reason.clone());
        }
        for (answer, outcome) in batch.drain(..) {
            let _ = answer.send(committed.clone().map(|()| outcome));
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

/// Order ids are the sequencer's to give, like time: an order submitted with id 0 gets the next
/// one, so callers never race each other for ids.
fn stamp_order_id(venue: &Venue, mut command: Command) -> Command {
    if let Command::PlaceOrder { order } = &mut command {
        if order.order == 0 {
            order.order = venue.engine().highest_order_id() + 1;
        }
    }
    command
}

/// Moves the engine clock to now, journaling the step like any other command.
fn advance_time(venue: &mut Venue) -> Result<(), VenueError> {
    let now = now_ms();
    if now > venue.engine().clock_ms() {
        // Time never goes back here, so this cannot be refused.
        let _ = venue.submit(&Command::AdvanceTime { now_ms: now })?;
    }
    Ok(())
}
