//! The durable store: SQLite in WAL mode, one writer thread with group commit for captured
//! requests (see [`writer`]), and a small pool of reader connections.
//!
//! Invariants:
//! - Every connection gets the same pragmas (WAL, `synchronous`, foreign keys, busy timeout).
//!   The default, `synchronous=FULL`, makes a commit survive power loss, not only a process
//!   crash; group commit keeps that affordable because one fsync covers a whole batch.
//! - Readers never block the writer (WAL); lists use keyset pagination on `id`.
//! - The database and its directory are private to the user (0600 / 0700).

pub mod endpoints;
pub mod events;
pub mod forwards;
mod headers_codec;
mod migrate;
pub mod replays;
pub mod routes;
pub mod search_index;
pub mod settings;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use crate::{Error, Result};

pub use headers_codec::{decode_headers, encode_headers};

/// Tunables for opening a store; the defaults are what users get.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long a statement waits for a lock held by another process before failing.
    pub busy_timeout: Duration,
    pub sync: SyncMode,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            sync: SyncMode::Full,
        }
    }
}

/// When a commit counts as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncMode {
    /// fsync at every commit: an acknowledged request survives power loss and OS crashes.
    #[default]
    Full,
    /// No fsync at commit (WAL `synchronous=NORMAL`): an acknowledged request survives the
    /// process crashing or being killed, but the last commits may be lost if the OS crashes.
    Normal,
}

impl SyncMode {
    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// A cheap-to-clone handle on the database.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    options: StoreOptions,
    idle: Mutex<Vec<Connection>>,
}

/// File name of the database inside the data dir.
pub const DB_FILE: &str = "hookscope.sqlite";

impl Store {
    /// Open (creating if needed) the store in `data_dir`, migrate it, and make sure the default
    /// endpoint exists.
    pub fn open(data_dir: &Path, options: StoreOptions) -> Result<Self> {
        crate::datadir::ensure_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        let store = Self {
            inner: Arc::new(Inner {
                path,
                options,
                idle: Mutex::new(Vec::new()),
            }),
        };
        let mut conn = store.connect()?;
        crate::datadir::make_private_files(&store.inner.path)?;
        migrate::migrate(&mut conn)?;
        endpoints::ensure_default(&conn)?;
        store.give_back(conn);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    pub fn options(&self) -> &StoreOptions {
        &self.inner.options
    }

    /// A new connection with the store's pragmas.
    pub(crate) fn connect(&self) -> Result<Connection> {
        let conn = Connection::open(&self.inner.path).map_err(|e| {
            Error::StoreUnavailable(format!("cannot open {}: {e}", self.inner.path.display()))
        })?;
        conn.busy_timeout(self.inner.options.busy_timeout)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::StoreUnavailable(format!(
                "the database could not switch to WAL mode (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", self.inner.options.sync.pragma())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(conn)
    }

    /// Run `f` with a pooled reader connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take()?;
        let out = f(&conn);
        self.give_back(conn);
        out
    }

    /// Run `f` in a write transaction on a pooled connection (for rare writes such as endpoint
    /// changes; captured requests go through the [`writer`]).
    pub fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = (|| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        self.give_back(conn);
        out
    }

    fn take(&self) -> Result<Connection> {
        let pooled = self.inner.idle.lock().ok().and_then(|mut idle| idle.pop());
        match pooled {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        const MAX_IDLE: usize = 4;
        if let Ok(mut idle) = self.inner.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
    }
}

/// Microseconds since the Unix epoch, now.
pub fn now_us() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A store in a fresh temp dir; keep the dir alive as long as the store.
    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        (dir, store)
    }
}
