//! The alert history: every alert of every event, in one SQLite file.
//!
//! Analysts ask "what fired in the last day, and what was held back?" (`commwatch alerts --since
//! 24h`), and the repeat check needs to know when a fingerprint was last sent by *any* run or
//! instance. Both read one table, `alerts`, written by [`SqliteSink`] (pipeline type `sqlite`) and
//! read through [`AlertStore`].
//!
//! The file is opened in WAL mode with a busy timeout, so several processes (two pipelines, a
//! pipeline and `commwatch alerts`) can use it at once: readers never block the writer, and
//! writers wait for each other instead of failing. The schema is versioned with
//! `PRAGMA user_version`; opening a file applies the migrations it lacks, in one transaction each,
//! and refuses a file written by a newer commwatch.
//!
//! Timestamps are stored as UTC text of fixed width (`2024-05-06T07:08:09.000000Z`), so that text
//! order is time order and the indexes serve range queries.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use commwatch_core::{
    Ack, Alert, Checkpoints, Communique, Origin, PendingAcks, Position, Sink, SinkError,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;

use crate::record::{AlertRecord, AlertStatus};

/// How long a connection waits for another one's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The records [`SqliteSink`] buffers before committing them in one transaction (each commit
/// rewrites the index pages it touched: larger batches write each fewer times).
pub const SINK_BATCH: usize = 1000;

/// Schema migrations: entry `i` takes a file from `user_version` `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the alert history.
    "CREATE TABLE alerts (
        id            INTEGER PRIMARY KEY,
        fingerprint   TEXT NOT NULL,
        rule          TEXT NOT NULL,
        severity      TEXT NOT NULL,
        labels        TEXT NOT NULL,  -- JSON object
        summary       TEXT NOT NULL,
        evidence      TEXT NOT NULL,  -- JSON array of spans
        communique_id TEXT NOT NULL,
        title         TEXT,
        origin        TEXT NOT NULL,  -- source name
        uri           TEXT,
        published     TEXT,
        received_at   TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('sent', 'suppressed', 'duplicate')),
        reason        TEXT,           -- the alert's `suppressed` reason
        duplicate_of  TEXT,
        routes        TEXT NOT NULL,  -- JSON array of sink ids
        raised_at     TEXT NOT NULL
    );
    CREATE INDEX alerts_raised_at ON alerts (raised_at);
    CREATE INDEX alerts_rule_raised_at ON alerts (rule, raised_at);
    CREATE INDEX alerts_fingerprint ON alerts (fingerprint, raised_at);",
    // 2: the last send of a fingerprint, read for every alert the `alerts` stage decides about,
    // is one index seek instead of a walk over every row of the fingerprint (held-back repeats
    // included), which would grow with the history.
    "CREATE INDEX alerts_fingerprint_sent ON alerts (fingerprint, raised_at)
        WHERE status = 'sent';",
    // 3: sources' committed read positions (docs/delivery.md): a restart goes on from there.
    "CREATE TABLE checkpoints (
        source       TEXT NOT NULL,
        key          TEXT NOT NULL,
        value        TEXT NOT NULL,
        committed_at TEXT NOT NULL,
        PRIMARY KEY (source, key)
    ) WITHOUT ROWID;",
    // 4: exactly once per sink (docs/delivery.md). A replayed communiqué finds its alerts'
    // earlier decisions by (communiqué, fingerprint); one record per decision (a replay records
    // its decision again, and nothing is added; a re-run without a state store that holds an
    // alert back as a repeat adds that decision). Rows that repeat one before this version are
    // merged into the first. Each sink records what it delivered, and what it needs to resume
    // (a JSONL file's committed length).
    "DELETE FROM alerts WHERE id NOT IN
        (SELECT min(id) FROM alerts GROUP BY communique_id, fingerprint, status);
    CREATE UNIQUE INDEX alerts_identity ON alerts (communique_id, fingerprint, status);
    CREATE TABLE deliveries (
        sink         TEXT NOT NULL,
        identity     TEXT NOT NULL,
        delivered_at TEXT NOT NULL,
        PRIMARY KEY (sink, identity)
    ) WITHOUT ROWID;
    CREATE TABLE sink_state (
        sink  TEXT NOT NULL,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (sink, key)
    ) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Why the alert store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (cannot open, locked past the busy timeout, disk full, …).
    #[error("alert store {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The file was written by a newer commwatch.
    #[error(
        "alert store {path}: schema version {found} is newer than this commwatch understands \
         ({supported}); use a newer commwatch or another file"
    )]
    TooNew {
        /// The database file.
        path: String,
        /// Its `user_version`.
        found: u32,
        /// [`SCHEMA_VERSION`].
        supported: u32,
    },
    /// A stored row could not be read back (edited by hand, or a bug).
    #[error("alert store {path}: {message}")]
    BadRow {
        /// The database file.
        path: String,
        /// Which row, and what is wrong with it.
        message: String,
    },
}

/// What [`AlertStore::query`] returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertQuery {
    /// Only alerts raised at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only alerts of this rule.
    pub rule: Option<String>,
    /// At most this many alerts, the most recent. Default 100.
    pub limit: usize,
}

impl Default for AlertQuery {
    fn default() -> AlertQuery {
        AlertQuery {
            since: None,
            rule: None,
            limit: 100,
        }
    }
}

/// An alert as stored in the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredAlert {
    /// The row id: increasing in insertion order.
    pub id: i64,
    /// What became of the alert.
    pub status: AlertStatus,
    /// The alert and its context.
    #[serde(flatten)]
    pub record: AlertRecord,
}

/// A connection to the alert history file.
#[derive(Debug)]
pub struct AlertStore {
    conn: Connection,
    /// The file, for error messages.
    path: String,
}

impl AlertStore {
    /// Opens (creating if needed) the history at `path`: WAL mode, a busy timeout of
    /// [`BUSY_TIMEOUT`], and the schema migrated to [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<AlertStore, StoreError> {
        let name = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Let SQLite report a failure here: its message names the file.
            let _ = std::fs::create_dir_all(parent);
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: name.clone(),
            source,
        })?;
        AlertStore::setup(conn, name)
    }

    /// A private, in-memory history (for tests and dry runs).
    pub fn open_in_memory() -> Result<AlertStore, StoreError> {
        let name = ":memory:".to_owned();
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            path: name.clone(),
            source,
        })?;
        AlertStore::setup(conn, name)
    }

    fn setup(conn: Connection, path: String) -> Result<AlertStore, StoreError> {
        let mut store = AlertStore { conn, path };
        store.try_setup().map_err(|e| store.err(e))?;
        let found = store.user_version().map_err(|e| store.err(e))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: store.path,
                found,
                supported: SCHEMA_VERSION,
            });
        }
        store.migrate().map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn try_setup(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Returns the mode now in force: `wal`, or `memory` for an in-memory database.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(())
    }

    fn user_version(&self) -> rusqlite::Result<u32> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))
    }

    /// Applies the missing migrations, each in an immediate transaction that re-reads the version
    /// first, so two processes opening a new file at once migrate it once.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let target = i as u32 + 1;
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if current < target {
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", target)?;
                tracing::info!(store = %self.path, version = target, "migrated alert store");
            }
            tx.commit()?;
        }
        Ok(())
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The first decision recorded for the alert `fingerprint` of `communique`: `Some(None)`
    /// sent, `Some(Some(reason))` held back, `None` never decided.
    pub fn decision(
        &self,
        communique: &str,
        fingerprint: &str,
    ) -> Result<Option<Option<String>>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT status, reason FROM alerts WHERE communique_id = ?1 AND fingerprint = ?2
                 ORDER BY id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([communique, fingerprint], |r| {
                    let status: String = r.get(0)?;
                    let reason: Option<String> = r.get(1)?;
                    Ok(match status.as_str() {
                        "sent" => None,
                        _ => Some(reason.unwrap_or(status)),
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// True when `sink` recorded that it delivered the alert (or event) `identity`.
    pub fn delivered(&self, sink: &str, identity: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM deliveries WHERE sink = ?1 AND identity = ?2")
            .and_then(|mut s| s.exists([sink, identity]))
            .map_err(|e| self.err(e))
    }

    /// A value `sink` recorded under `key` with [`record_delivered`](Self::record_delivered).
    pub fn sink_state(&self, sink: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT value FROM sink_state WHERE sink = ?1 AND key = ?2")
            .and_then(|mut s| s.query_row([sink, key], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// Records in one transaction that `sink` delivered `identities`, and its state `(key,
    /// value)` pairs at that point (a JSONL file's length).
    pub fn record_delivered(
        &mut self,
        sink: &str,
        identities: &[String],
        state: &[(&str, String)],
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        self.in_transaction(|tx| {
            let mut delivered = tx.prepare_cached(
                "INSERT OR IGNORE INTO deliveries (sink, identity, delivered_at)
                 VALUES (?1, ?2, ?3)",
            )?;
            for identity in identities {
                delivered.execute(params![sink, identity, now])?;
            }
            let mut set = tx.prepare_cached(
                "INSERT INTO sink_state (sink, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sink, key) DO UPDATE SET value = excluded.value",
            )?;
            for (key, value) in state {
                set.execute(params![sink, key, value])?;
            }
            Ok(())
        })
    }

    /// True when some source committed a checkpoint here.
    pub fn has_checkpoints(&self) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM checkpoints LIMIT 1")
            .and_then(|mut s| s.exists([]))
            .map_err(|e| self.err(e))
    }

    /// The read positions `source` committed, in key order.
    pub fn checkpoint(&self, source: &str) -> Result<Vec<Position>, StoreError> {
        let read = || -> rusqlite::Result<Vec<Position>> {
            let mut select = self.conn.prepare_cached(
                "SELECT key, value FROM checkpoints WHERE source = ?1 ORDER BY key",
            )?;
            select
                .query_map([source], |r| {
                    Ok(Position {
                        key: r.get(0)?,
                        value: r.get(1)?,
                    })
                })?
                .collect()
        };
        read().map_err(|e| self.err(e))
    }

    /// Records `positions` of `source` in one transaction, replacing earlier values per key.
    pub fn commit_checkpoint(
        &mut self,
        source: &str,
        positions: &[Position],
    ) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        self.in_transaction(|tx| {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO checkpoints (source, key, value, committed_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source, key)
                 DO UPDATE SET value = excluded.value, committed_at = excluded.committed_at",
            )?;
            for p in positions {
                upsert.execute(params![source, p.key, p.value, now])?;
            }
            Ok(())
        })
    }

    /// Runs `work` in one immediate transaction: all of it, or (on an error) none.
    fn in_transaction(
        &mut self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            work(&tx)?;
            tx.commit()
        })();
        result.map_err(|e| self.err(e))
    }

    /// Appends `records` to the history in one transaction: all or none.
    pub fn record(&mut self, records: &[AlertRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        self.in_transaction(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO alerts (fingerprint, rule, severity, labels, summary, evidence,
                    communique_id, title, origin, uri, published, received_at, status, reason,
                    duplicate_of, routes, raised_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17)",
            )?;
            for r in records {
                let a = &r.alert;
                insert.execute(params![
                    a.fingerprint,
                    a.rule,
                    a.severity.as_str(),
                    to_json(&a.labels),
                    a.summary,
                    to_json(&a.evidence),
                    a.communique,
                    r.title,
                    r.origin.name,
                    r.origin.uri,
                    r.published,
                    timestamp(r.received_at),
                    r.status().as_str(),
                    a.suppressed,
                    r.duplicate_of,
                    to_json(&a.routes),
                    timestamp(r.raised_at),
                ])?;
            }
            Ok(())
        })
    }

    /// When an alert with `fingerprint` was last sent (status `sent`), by any run or instance
    /// writing to this file.
    pub fn last_sent(&self, fingerprint: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT max(raised_at) FROM alerts WHERE fingerprint = ?1 AND status = 'sent'",
            )
            .and_then(|mut s| s.query_row([fingerprint], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?
            .flatten();
        text.map(|t| {
            parse_timestamp(&t).ok_or_else(|| StoreError::BadRow {
                path: self.path.clone(),
                message: format!("raised_at {t:?} of fingerprint {fingerprint} is not a timestamp"),
            })
        })
        .transpose()
    }

    /// The alerts matching `q`, most recent first.
    pub fn query(&self, q: &AlertQuery) -> Result<Vec<StoredAlert>, StoreError> {
        let mut sql = String::from(
            "SELECT id, fingerprint, rule, severity, labels, summary, evidence, communique_id,
                title, origin, uri, published, received_at, reason, duplicate_of, routes,
                raised_at, status
             FROM alerts WHERE 1 = 1",
        );
        let since = q.since.map(timestamp);
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        if let Some(since) = &since {
            args.push(since);
            sql.push_str(&format!(" AND raised_at >= ?{}", args.len()));
        }
        if let Some(rule) = &q.rule {
            args.push(rule);
            sql.push_str(&format!(" AND rule = ?{}", args.len()));
        }
        let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
        args.push(&limit);
        sql.push_str(&format!(
            " ORDER BY raised_at DESC, id DESC LIMIT ?{}",
            args.len()
        ));

        let rows: Vec<RawRow> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(args.as_slice(), RawRow::read)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|row| {
                let id = row.id;
                row.into_stored().map_err(|message| StoreError::BadRow {
                    path: self.path.clone(),
                    message: format!("row {id}: {message}"),
                })
            })
            .collect()
    }
}

/// The columns of one row, before decoding.
struct RawRow {
    id: i64,
    fingerprint: String,
    rule: String,
    severity: String,
    labels: String,
    summary: String,
    evidence: String,
    communique_id: String,
    title: Option<String>,
    origin: String,
    uri: Option<String>,
    published: Option<String>,
    received_at: String,
    reason: Option<String>,
    duplicate_of: Option<String>,
    routes: String,
    raised_at: String,
    status: String,
}

impl RawRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            id: r.get(0)?,
            fingerprint: r.get(1)?,
            rule: r.get(2)?,
            severity: r.get(3)?,
            labels: r.get(4)?,
            summary: r.get(5)?,
            evidence: r.get(6)?,
            communique_id: r.get(7)?,
            title: r.get(8)?,
            origin: r.get(9)?,
            uri: r.get(10)?,
            published: r.get(11)?,
            received_at: r.get(12)?,
            reason: r.get(13)?,
            duplicate_of: r.get(14)?,
            routes: r.get(15)?,
            raised_at: r.get(16)?,
            status: r.get(17)?,
        })
    }

    fn into_stored(self) -> Result<StoredAlert, String> {
        let json = |column: &str, text: &str| format!("{column} is not valid JSON: {text:?}");
        let time = |column: &str, text: &str| {
            parse_timestamp(text).ok_or_else(|| format!("{column} {text:?} is not a timestamp"))
        };
        let alert = Alert {
            rule: self.rule,
            severity: self.severity.parse()?,
            fingerprint: self.fingerprint,
            labels: serde_json::from_str(&self.labels).map_err(|_| json("labels", &self.labels))?,
            summary: self.summary,
            evidence: serde_json::from_str(&self.evidence)
                .map_err(|_| json("evidence", &self.evidence))?,
            communique: self.communique_id,
            suppressed: self.reason,
            routes: serde_json::from_str(&self.routes).map_err(|_| json("routes", &self.routes))?,
        };
        Ok(StoredAlert {
            id: self.id,
            status: self.status.parse()?,
            record: AlertRecord {
                alert,
                title: self.title,
                origin: Origin {
                    name: self.origin,
                    uri: self.uri,
                },
                published: self.published,
                received_at: time("received_at", &self.received_at)?,
                duplicate_of: self.duplicate_of,
                raised_at: time("raised_at", &self.raised_at)?,
            },
        })
    }
}

/// JSON text of a value that always serializes (maps of strings, spans, string lists).
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Fixed-width UTC text: text order is time order.
fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The state store commits the sources' checkpoints.
impl Checkpoints for AlertStore {
    fn commit(&mut self, source: &str, positions: &[Position]) -> Result<(), String> {
        self.commit_checkpoint(source, positions)
            .map_err(|e| e.to_string())
    }
}

/// The `sqlite` sink: records every alert of every event (sent, suppressed or duplicate) in the
/// alert history.
///
/// Records are buffered and committed in one transaction when [`SINK_BATCH`] have accumulated,
/// and on every [`flush`](Sink::flush) and [`poll`](Sink::poll), so a quiet pipeline's alerts reach
/// the file within about 100 ms. If a commit fails, the buffered records are kept and retried at
/// the next write, flush or poll; while the buffer is full and the store still fails, `write`
/// refuses new events (they go to the dead-letter output with the reason), so memory stays
/// bounded. An event is acknowledged when the transaction holding its records commits.
#[derive(Debug)]
pub struct SqliteSink {
    store: AlertStore,
    pending: Vec<AlertRecord>,
    /// Acks of the events whose records are in `pending`, settled when they commit.
    acks: PendingAcks,
}

impl SqliteSink {
    /// A sink writing to the history at `path` (see [`AlertStore::open`]).
    pub fn open(path: &Path) -> Result<SqliteSink, StoreError> {
        AlertStore::open(path).map(SqliteSink::new)
    }

    /// A sink writing to `store`.
    pub fn new(store: AlertStore) -> SqliteSink {
        SqliteSink {
            store,
            pending: Vec::with_capacity(SINK_BATCH),
            acks: PendingAcks::default(),
        }
    }

    /// The store written to.
    pub fn store(&self) -> &AlertStore {
        &self.store
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.store
            .record(&self.pending)
            .map_err(|e| SinkError::Other(e.to_string()))?;
        self.pending.clear();
        self.acks.done();
        Ok(())
    }
}

impl Sink for SqliteSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        if event.alerts.is_empty() {
            ack.done();
            return Ok(());
        }
        if self.pending.len() >= SINK_BATCH {
            // An earlier commit failed: try again, and refuse this event if the store still fails.
            self.commit()?;
        }
        self.pending
            .extend(AlertRecord::from_event(event, Utc::now()));
        self.acks.push(ack);
        if self.pending.len() >= SINK_BATCH
            && let Err(err) = self.commit()
        {
            tracing::warn!(%err, "cannot commit alerts; will retry");
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.commit()
    }

    fn poll(&mut self) -> Result<(), SinkError> {
        self.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{SUPPRESSED_DUPLICATE, SUPPRESSED_REPEAT};
    use crate::testing::{alert, record, ts};

    fn count(store: &AlertStore) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM alerts", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_file_of_the_first_schema_gains_the_sent_index_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let mut store = AlertStore::open(&path).unwrap();
        store
            .record(&[record(alert("r", &[], None), "2024-01-01T00:00:00Z")])
            .unwrap();
        let version: u32 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let fingerprint = alert("r", &[], None).fingerprint;
        assert_eq!(
            store.last_sent(&fingerprint).unwrap(),
            Some(ts("2024-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn checkpoints_keep_the_latest_value_per_key_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let at = |k: &str, v: &str| Position {
            key: k.into(),
            value: v.into(),
        };
        {
            let mut store = AlertStore::open(&path).unwrap();
            assert!(store.checkpoint("src").unwrap().is_empty());
            store
                .commit_checkpoint("src", &[at("offset", "1:2@10:1"), at("b", "x")])
                .unwrap();
            store.commit("src", &[at("offset", "1:2@90:7")]).unwrap();
            store.commit("other", &[at("offset", "9")]).unwrap();
        }
        let store = AlertStore::open(&path).unwrap();
        assert_eq!(
            store.checkpoint("src").unwrap(),
            [at("b", "x"), at("offset", "1:2@90:7")]
        );
    }

    #[test]
    fn the_last_send_is_an_index_seek() {
        let store = AlertStore::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN \
                 SELECT max(raised_at) FROM alerts WHERE fingerprint = ?1 AND status = 'sent'",
            )
            .unwrap()
            .query_map(["f"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("alerts_fingerprint_sent")),
            "{plan:?}"
        );
    }

    #[test]
    fn an_empty_file_is_migrated_and_reopening_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/alerts.db");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"").unwrap();
        let mut store = AlertStore::open(&path).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let indexes: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            indexes,
            [
                "alerts_fingerprint",
                "alerts_fingerprint_sent",
                "alerts_identity",
                "alerts_raised_at",
                "alerts_rule_raised_at"
            ]
        );
        store
            .record(&[record(alert("r", &[], None), "2024-01-01T00:00:00Z")])
            .unwrap();
        drop(store);
        let store = AlertStore::open(&path).unwrap();
        assert_eq!(count(&store), 1, "reopening does not migrate again");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = AlertStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.db");
        std::fs::write(
            &path,
            "this is not a database, but it is long enough to have a header",
        )
        .unwrap();
        let err = AlertStore::open(&path).unwrap_err();
        assert!(err.to_string().contains("alerts.db"), "{err}");
    }

    #[test]
    fn records_round_trip_and_queries_filter() {
        let mut store = AlertStore::open_in_memory().unwrap();
        let mut dup = record(
            alert("b", &[("country", "FI")], Some(SUPPRESSED_DUPLICATE)),
            "2024-01-01T02:00:00Z",
        );
        dup.duplicate_of = Some("first".into());
        dup.alert.routes = vec!["pager".into()];
        let recs = vec![
            record(alert("a", &[], None), "2024-01-01T00:00:00Z"),
            record(
                alert("a", &[], Some(SUPPRESSED_REPEAT)),
                "2024-01-01T01:00:00Z",
            ),
            dup.clone(),
            record(alert("a", &[], None), "2024-01-02T00:00:00Z"),
        ];
        store.record(&recs).unwrap();

        let all = store.query(&AlertQuery::default()).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[0].record, recs[3], "most recent first");
        assert_eq!(all[1].record, dup);
        assert_eq!(all[1].status, AlertStatus::Duplicate);
        assert_eq!(all[2].status, AlertStatus::Suppressed);

        let since = store
            .query(&AlertQuery {
                since: Some(ts("2024-01-01T01:00:00Z")),
                ..AlertQuery::default()
            })
            .unwrap();
        assert_eq!(since.len(), 3);
        let rule_a = store
            .query(&AlertQuery {
                since: Some(ts("2024-01-01T00:30:00Z")),
                rule: Some("a".into()),
                limit: 100,
            })
            .unwrap();
        assert_eq!(
            rule_a
                .iter()
                .map(|s| s.record.raised_at)
                .collect::<Vec<_>>(),
            [ts("2024-01-02T00:00:00Z"), ts("2024-01-01T01:00:00Z")]
        );
        let limited = store
            .query(&AlertQuery {
                limit: 1,
                ..AlertQuery::default()
            })
            .unwrap();
        assert_eq!(limited.len(), 1);

        let json = serde_json::to_value(&all[1]).unwrap();
        assert_eq!(json["status"], "duplicate");
        assert_eq!(json["alert"]["rule"], "b");
        assert_eq!(json["duplicate_of"], "first");
    }

    #[test]
    fn last_sent_counts_only_sends() {
        let mut store = AlertStore::open_in_memory().unwrap();
        let a = alert("a", &[], None);
        assert_eq!(store.last_sent(&a.fingerprint).unwrap(), None);
        let mut held = a.clone();
        held.suppressed = Some(SUPPRESSED_REPEAT.into());
        store
            .record(&[
                record(a.clone(), "2024-01-01T00:00:00Z"),
                record(a.clone(), "2024-01-01T05:00:00Z"),
                record(held, "2024-01-01T09:00:00Z"),
            ])
            .unwrap();
        assert_eq!(
            store.last_sent(&a.fingerprint).unwrap(),
            Some(ts("2024-01-01T05:00:00Z"))
        );
    }

    #[test]
    fn two_connections_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.db");
        let mut one = AlertStore::open(&path).unwrap();
        let two = AlertStore::open(&path).unwrap();
        let a = alert("a", &[], None);
        one.record(&[record(a.clone(), "2024-01-01T00:00:00Z")])
            .unwrap();
        assert_eq!(
            two.last_sent(&a.fingerprint).unwrap(),
            Some(ts("2024-01-01T00:00:00Z")),
            "a committed write is visible to the other connection"
        );

        // Concurrent writers wait for each other instead of failing.
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = AlertStore::open(&path).unwrap();
                    for i in 0..25 {
                        let rec = record(
                            alert(&format!("w{w}-{i}"), &[], None),
                            "2024-01-02T00:00:00Z",
                        );
                        store.record(&[rec]).unwrap();
                    }
                })
            })
            .collect();
        // A reader meanwhile is never blocked.
        for _ in 0..10 {
            two.query(&AlertQuery::default()).unwrap();
        }
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(count(&two), 51);
    }

    #[test]
    fn the_sink_buffers_and_commits_on_flush_poll_or_a_full_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let reader = AlertStore::open(&path).unwrap();
        let mut ev = Communique::new(Some("doc".into()), Origin::default(), "text".into());
        ev.alerts = vec![
            alert("a", &[], None),
            alert("b", &[], Some(SUPPRESSED_REPEAT)),
        ];
        ev.metadata.insert(
            crate::record::META_ALERTED_AT.into(),
            "2024-03-01T00:00:00Z".into(),
        );
        let log = commwatch_core::AckLog::new();
        sink.write(&ev, log.ack(1)).unwrap();
        sink.write(
            &Communique::new(None, Origin::default(), "no alerts".into()),
            log.ack(2),
        )
        .unwrap();
        assert_eq!(count(&reader), 0, "buffered");
        assert_eq!(
            log.done(),
            [2],
            "acknowledged when committed, or at once with no alerts"
        );
        sink.poll().unwrap();
        assert_eq!(count(&reader), 2);
        assert_eq!(log.done(), [2, 1]);
        let stored = reader.query(&AlertQuery::default()).unwrap();
        assert!(
            stored
                .iter()
                .all(|s| s.record.raised_at == ts("2024-03-01T00:00:00Z"))
        );

        // Other communiqués raising the same alerts: a record each. (The same communiqué again,
        // a replay, adds nothing: the history holds one record per alert identity.)
        for i in 0..SINK_BATCH / 2 {
            let mut other = ev.clone();
            other.id = format!("doc-{i}");
            other
                .alerts
                .iter_mut()
                .for_each(|a| a.communique = other.id.clone());
            sink.write(&other, Ack::detached()).unwrap();
        }
        assert_eq!(
            count(&reader),
            2 + SINK_BATCH as i64,
            "a full batch commits"
        );
        sink.write(&ev, Ack::detached()).unwrap();
        sink.flush().unwrap();
        assert_eq!(
            count(&reader),
            2 + SINK_BATCH as i64,
            "a replay adds nothing"
        );
        assert!(sink.pending.is_empty());
        assert_eq!(
            sink.store().last_sent(&ev.alerts[0].fingerprint).unwrap(),
            Some(ts("2024-03-01T00:00:00Z"))
        );
    }
}
