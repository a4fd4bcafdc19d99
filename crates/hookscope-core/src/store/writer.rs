//! The single writer for captured requests, with group commit.
//!
//! Handlers submit a [`NewEvent`] and wait for its acknowledgement, which comes only after the
//! transaction holding it has committed: a handler never answers 2xx for a request that is not
//! on disk. While one batch commits (one fsync), the next requests queue up and go into the next
//! transaction together, so throughput grows with load instead of paying one fsync per request.
//!
//! If a batch fails, its requests are retried one transaction each, so one bad row cannot fail
//! its neighbours; whatever still fails is answered with the error (the server turns it into 503).

use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::events::{self, Inserted, NewEvent};
use super::{Store, search_index, settings};
use crate::hub::{Hub, HubEvent};
use crate::model::EventSummary;
use crate::{Error, Result};

/// Upper bound on requests per transaction: bounds the latency a batch adds.
const MAX_BATCH: usize = 512;
/// How often retention is applied.
const PRUNE_EVERY: Duration = Duration::from_secs(10);
const PRUNE_BATCH: usize = 5000;

struct Job {
    event: NewEvent,
    endpoint: String,
    ack: oneshot::Sender<Result<Inserted, String>>,
}

pub struct Writer {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Start the writer thread on its own connection.
    pub fn start(store: &Store, hub: Hub) -> Result<Self> {
        let conn = store.connect()?;
        // The index is rebuildable from the requests, so its commits skip the fsync; the next
        // request commit (synchronous=FULL) makes them durable too.
        let index_conn = store.connect()?;
        index_conn.pragma_update(None, "synchronous", "NORMAL")?;
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        let thread = std::thread::Builder::new()
            .name("hookscope-writer".into())
            .spawn(move || run(conn, index_conn, rx, hub))?;
        Ok(Self {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    fn sender(&self) -> Result<mpsc::Sender<Job>> {
        self.tx
            .lock()
            .ok()
            .and_then(|tx| tx.clone())
            .ok_or_else(|| Error::StoreUnavailable("the store is shutting down".into()))
    }

    /// Store one request; resolves once it is committed.
    pub async fn submit(&self, endpoint: &str, event: NewEvent) -> Result<Inserted> {
        let (ack, done) = oneshot::channel();
        let job = Job {
            event,
            endpoint: endpoint.to_string(),
            ack,
        };
        self.sender()?
            .send(job)
            .await
            .map_err(|_| Error::StoreUnavailable("the writer has stopped".into()))?;
        done.await
            .map_err(|_| Error::StoreUnavailable("the writer stopped before committing".into()))?
            .map_err(Error::StoreUnavailable)
    }

    /// Stop accepting requests, commit what is queued, and wait for the thread to finish.
    pub fn shutdown(&self) {
        if let Ok(mut tx) = self.tx.lock() {
            tx.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Rows indexed per search-index transaction. Trigram indexing costs ~0.3-0.5 ms per 1 KiB
/// body on this class of machine (measured), so a slice of 8 keeps a request that arrives
/// meanwhile waiting a few milliseconds at most.
const INDEX_BATCH: usize = 8;

/// How long the writer must have been without requests before it spends time on the search
/// index: indexing between two batches of a burst would stall the next batch.
const QUIET_BEFORE_INDEXING: Duration = Duration::from_millis(25);

fn run(conn: Connection, index_conn: Connection, rx: mpsc::Receiver<Job>, hub: Hub) {
    // A runtime of its own only for the receive timeout; everything else here is blocking.
    match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => rt.block_on(write_loop(conn, index_conn, rx, hub)),
        Err(e) => tracing::error!(error = %e, "the writer could not start; requests will get 503"),
    }
}

async fn write_loop(
    mut conn: Connection,
    mut index_conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    hub: Hub,
) {
    let mut last_prune = Instant::now();
    let mut index_behind = true;
    let mut quiet = false;
    loop {
        // Requests first; the search index only once no request has come for a while.
        let first = if !index_behind {
            match rx.recv().await {
                Some(job) => job,
                None => break,
            }
        } else if quiet {
            match rx.try_recv() {
                Ok(job) => job,
                Err(mpsc::error::TryRecvError::Empty) => {
                    index_behind = index_some(&mut index_conn);
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            }
        } else {
            match tokio::time::timeout(QUIET_BEFORE_INDEXING, rx.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => break,
                Err(_) => {
                    quiet = true;
                    continue;
                }
            }
        };
        quiet = false;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = match commit_batch(&mut conn, &batch) {
            Ok(inserted) => inserted.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::warn!(error = %e, size = batch.len(), "batch commit failed; retrying one by one");
                batch
                    .iter()
                    .map(|job| commit_one(&mut conn, job))
                    .collect::<Vec<_>>()
            }
        };
        for (job, result) in batch.into_iter().zip(results) {
            match result {
                Ok(inserted) => {
                    index_behind = true;
                    hub.publish(HubEvent::Captured(Box::new(summary(&job, &inserted))));
                    let _ = job.ack.send(Ok(inserted));
                }
                Err(e) => {
                    tracing::error!(error = %e, path = %job.event.raw.path, "request not stored");
                    let _ = job.ack.send(Err(e.to_string()));
                }
            }
        }
        if last_prune.elapsed() >= PRUNE_EVERY {
            last_prune = Instant::now();
            match prune(&conn) {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(deleted = n, "retention pruned old events");
                    hub.publish(HubEvent::EventsRemoved);
                }
                Err(e) => tracing::warn!(error = %e, "retention failed"),
            }
        }
    }
}

/// Index one small batch; returns whether more may be waiting.
fn index_some(index_conn: &mut Connection) -> bool {
    let indexed = (|| -> Result<usize> {
        let tx = index_conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = search_index::index_pending(&tx, INDEX_BATCH)?;
        tx.commit()?;
        Ok(n)
    })();
    match indexed {
        Ok(n) => n == INDEX_BATCH,
        Err(e) => {
            tracing::warn!(error = %e, "search indexing failed; will retry after the next request");
            false
        }
    }
}

fn commit_batch(conn: &mut Connection, batch: &[Job]) -> Result<Vec<Inserted>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let inserted = batch
        .iter()
        .map(|job| events::insert(&tx, &job.event))
        .collect::<Result<Vec<_>>>()?;
    tx.commit()?;
    Ok(inserted)
}

fn commit_one(conn: &mut Connection, job: &Job) -> Result<Inserted> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let inserted = events::insert(&tx, &job.event)?;
    tx.commit()?;
    Ok(inserted)
}

fn prune(conn: &Connection) -> Result<u64> {
    let retention = settings::retention(conn)?;
    if retention == settings::Retention::default() {
        return Ok(0);
    }
    events::prune(conn, retention, super::now_us(), PRUNE_BATCH)
}

fn summary(job: &Job, inserted: &Inserted) -> EventSummary {
    let ev = &job.event;
    EventSummary {
        id: inserted.id,
        endpoint: job.endpoint.clone(),
        received_at_us: ev.raw.received_at_us,
        method: ev.raw.method.clone(),
        path: ev.raw.path.clone(),
        query: ev.raw.query.clone(),
        body_size: ev.raw.recorded_size(),
        content_type: ev.raw.content_type(),
        provider: ev.provider.clone(),
        event_type: ev.event_type.clone(),
        event_id: ev.event_id.clone(),
        signature_status: ev.signature_status.clone(),
        duplicate_of: inserted.duplicate_of,
        response_status: inserted.response_status,
        rejected: ev.raw.rejection.as_ref().map(|r| r.reason.clone()),
        imported: ev.imported,
    }
}
