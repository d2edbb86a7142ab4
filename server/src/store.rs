//! The SQLite store: the edit log (every accepted edit in the engine's edit
//! format, with its author, time and sequence number), the index of the
//! nodes each edit touched (for the audit log), and the first document
//! (the seed, snapshot 0). Later snapshots live in a file of their own
//! ([`Snapshots`], `<db>-snapshots`), written by the replica on its own
//! connection, so that writing one never holds up the log: SQLite lets one
//! writer at a time into a database file.
//!
//! Durability: the database runs in WAL mode with `synchronous=FULL`, so a
//! commit returns only after the write-ahead log is on disk. With `NORMAL`
//! a commit in WAL mode is not synced until the next checkpoint, so a
//! power cut could lose edits the server had already acknowledged; `FULL`
//! costs one fsync per transaction, which group commit (see
//! [`writer`](crate::writer)) shares among every edit of a batch.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

/// One request's edits as the log holds them: applied together (a list is
/// one transaction), by one author, at one time.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// The sequence number of the request's first edit.
    pub first_seq: u64,
    /// Whether the request was a list (applied with `apply_all`), even a
    /// list of one.
    pub is_list: bool,
    /// The edits' envelopes as JSON text, in order.
    pub envelopes: Vec<String>,
}

/// A request to append: its envelopes (as JSON), author, time and the ids
/// of the nodes each edit touches.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Whether it was a list.
    pub is_list: bool,
    /// Who made it.
    pub author: String,
    /// When the server accepted it (RFC 3339).
    pub at: String,
    /// Each edit: its op, its envelope as JSON, and the nodes it touches.
    pub edits: Vec<NewEdit>,
}

/// One edit to append.
#[derive(Debug, Clone)]
pub struct NewEdit {
    /// The edit's op (`record-check-in`, …).
    pub op: &'static str,
    /// The envelope in the edit format.
    pub envelope: String,
    /// The ids of the nodes it names.
    pub nodes: Vec<String>,
}

/// One row of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// The edit's sequence number.
    pub seq: u64,
    /// The sequence number of the first edit of its request.
    pub request: u64,
    /// Who made it.
    pub author: String,
    /// When the server accepted it.
    pub at: String,
    /// The edit, in the edit format (`by` and `at` beside its fields).
    pub edit: serde_json::Value,
}

/// What the audit log is filtered by.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only edits that name this node.
    pub node: Option<String>,
    /// Only edits by this author.
    pub author: Option<String>,
    /// Only edits after this sequence number.
    pub after: Option<u64>,
    /// At most this many.
    pub limit: u32,
}

/// The database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path` and its tables.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS edits (
                seq INTEGER PRIMARY KEY,
                request INTEGER NOT NULL,
                is_list INTEGER NOT NULL,
                request_size INTEGER NOT NULL,
                author TEXT NOT NULL,
                at TEXT NOT NULL,
                op TEXT NOT NULL,
                envelope TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS edits_by_author ON edits (author, seq);
            CREATE TABLE IF NOT EXISTS edit_nodes (
                node TEXT NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (node, seq)
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS snapshots (
                seq INTEGER PRIMARY KEY,
                document TEXT NOT NULL
            );",
        )?;
        Ok(Self { conn })
    }

    /// The last sequence number in the log, 0 when empty.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn last_seq(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM edits", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(to_u64)
    }

    /// The seed (the snapshot the log starts from): its sequence number
    /// (0) and the document as JSON.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn latest_snapshot(&self) -> rusqlite::Result<Option<(u64, String)>> {
        self.conn
            .query_row(
                "SELECT seq, document FROM snapshots ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((to_u64(row.get::<_, i64>(0)?), row.get::<_, String>(1)?)),
            )
            .optional()
    }

    /// The requests logged after `seq`, in order, each with its edits.
    ///
    /// # Errors
    /// Any SQLite error, or a request whose edits are not all there (which
    /// a transaction never leaves; reported as a constraint violation).
    pub fn requests_after(&self, seq: u64) -> rusqlite::Result<Vec<LoggedRequest>> {
        let mut statement = self.conn.prepare(
            "SELECT seq, request, is_list, request_size, envelope FROM edits WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = statement.query(params![to_i64(seq)])?;
        let mut requests: Vec<(LoggedRequest, u64)> = Vec::new();
        while let Some(row) = rows.next()? {
            let edit_seq = to_u64(row.get::<_, i64>(0)?);
            let request = to_u64(row.get::<_, i64>(1)?);
            let is_list = row.get::<_, i64>(2)? != 0;
            let size = to_u64(row.get::<_, i64>(3)?);
            let envelope: String = row.get(4)?;
            match requests.last_mut() {
                Some((last, _)) if last.first_seq == request => last.envelopes.push(envelope),
                _ => {
                    if edit_seq != request {
                        return Err(partial(request));
                    }
                    requests.push((
                        LoggedRequest {
                            first_seq: request,
                            is_list,
                            envelopes: vec![envelope],
                        },
                        size,
                    ));
                }
            }
        }
        let mut out = Vec::with_capacity(requests.len());
        for (request, size) in requests {
            if request.envelopes.len() as u64 != size {
                return Err(partial(request.first_seq));
            }
            out.push(request);
        }
        Ok(out)
    }

    /// Appends requests in one transaction, and returns each request's
    /// first sequence number. Nothing is written unless everything is.
    ///
    /// # Errors
    /// Any SQLite error; the transaction is then rolled back.
    pub fn append(&mut self, requests: &[&NewRequest]) -> rusqlite::Result<Vec<u64>> {
        let transaction = self.conn.transaction()?;
        let mut next = to_u64(transaction.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM edits",
            [],
            |row| row.get::<_, i64>(0),
        )?) + 1;
        let mut firsts = Vec::with_capacity(requests.len());
        {
            let mut insert_edit = transaction.prepare_cached(
                "INSERT INTO edits (seq, request, is_list, request_size, author, at, op, envelope)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut insert_node = transaction
                .prepare_cached("INSERT OR IGNORE INTO edit_nodes (node, seq) VALUES (?1, ?2)")?;
            for request in requests {
                let first = next;
                firsts.push(first);
                for edit in &request.edits {
                    insert_edit.execute(params![
                        to_i64(next),
                        to_i64(first),
                        i64::from(request.is_list),
                        request.edits.len() as i64,
                        request.author,
                        request.at,
                        edit.op,
                        edit.envelope,
                    ])?;
                    for node in &edit.nodes {
                        insert_node.execute(params![node, to_i64(next)])?;
                    }
                    next += 1;
                }
            }
        }
        transaction.commit()?;
        Ok(firsts)
    }

    /// Stores the seed: the document the log starts from (snapshot 0).
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn put_seed(&mut self, document: &str) -> rusqlite::Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO snapshots (seq, document) VALUES (0, ?1)",
                params![document],
            )
            .map(|_| ())
    }

    /// The audit log, newest last, filtered.
    ///
    /// # Errors
    /// Any SQLite error, or an envelope that is not JSON.
    pub fn audit(&self, filter: &AuditFilter) -> rusqlite::Result<Vec<AuditEntry>> {
        let after = to_i64(filter.after.unwrap_or(0));
        let limit = i64::from(filter.limit);
        let columns = "e.seq, e.request, e.author, e.at, e.envelope";
        let (sql, values): (String, Vec<rusqlite::types::Value>) =
            match (&filter.node, &filter.author) {
                (Some(node), author) => (
                    format!(
                        "SELECT {columns} FROM edit_nodes n JOIN edits e ON e.seq = n.seq
                     WHERE n.node = ?1 AND n.seq > ?2 AND (?3 IS NULL OR e.author = ?3)
                     ORDER BY n.seq LIMIT ?4"
                    ),
                    vec![
                        node.clone().into(),
                        after.into(),
                        author
                            .clone()
                            .map_or(rusqlite::types::Value::Null, Into::into),
                        limit.into(),
                    ],
                ),
                (None, Some(author)) => (
                    format!(
                        "SELECT {columns} FROM edits e WHERE e.author = ?1 AND e.seq > ?2
                     ORDER BY e.seq LIMIT ?3"
                    ),
                    vec![author.clone().into(), after.into(), limit.into()],
                ),
                (None, None) => (
                    format!(
                        "SELECT {columns} FROM edits e WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2"
                    ),
                    vec![after.into(), limit.into()],
                ),
            };
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
            let envelope: String = row.get(4)?;
            let edit = serde_json::from_str(&envelope).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
            })?;
            Ok(AuditEntry {
                seq: to_u64(row.get::<_, i64>(0)?),
                request: to_u64(row.get::<_, i64>(1)?),
                author: row.get(2)?,
                at: row.get(3)?,
                edit,
            })
        })?;
        rows.collect()
    }

    /// How many edits the log holds.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn count_edits(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM edits", [], |row| row.get::<_, i64>(0))
            .map(to_u64)
    }
}

/// Snapshots of the document after the seed, in a database file of their
/// own. Losing it loses nothing but start-up time: the log and the seed
/// rebuild everything. So it syncs with `synchronous=NORMAL` (a power cut
/// may lose the latest snapshot, never corrupt one).
pub struct Snapshots {
    conn: Connection,
}

impl Snapshots {
    /// The snapshot file beside the database at `db`.
    #[must_use]
    pub fn path_for(db: &Path) -> std::path::PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push("-snapshots");
        name.into()
    }

    /// Opens (or creates) the snapshot file.
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, document TEXT NOT NULL);",
        )?;
        Ok(Self { conn })
    }

    /// The newest snapshot at or before `seq` (one past the log's end
    /// would mean the log was replaced: it is not used).
    ///
    /// # Errors
    /// Any SQLite error.
    pub fn latest(&self, seq: u64) -> rusqlite::Result<Option<(u64, String)>> {
        self.conn
            .query_row(
                "SELECT seq, document FROM snapshots WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1",
                params![to_i64(seq)],
                |row| Ok((to_u64(row.get::<_, i64>(0)?), row.get::<_, String>(1)?)),
            )
            .optional()
    }

    /// Stores a snapshot and keeps the two newest.
    ///
    /// # Errors
    /// Any SQLite error; nothing is then changed.
    pub fn put(&mut self, seq: u64, document: &str) -> rusqlite::Result<()> {
        let transaction = self.conn.transaction()?;
        transaction.execute(
            "INSERT OR REPLACE INTO snapshots (seq, document) VALUES (?1, ?2)",
            params![to_i64(seq), document],
        )?;
        transaction.execute(
            "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)",
            [],
        )?;
        transaction.commit()
    }
}

fn partial(request: u64) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
        Some(format!("request {request} is only partly in the log")),
    )
}

/// Sequence numbers are positive and far below `i64::MAX`; SQLite stores
/// them as `i64`.
fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(author: &str, envelopes: &[&str]) -> NewRequest {
        NewRequest {
            is_list: envelopes.len() > 1,
            author: author.into(),
            at: "2026-12-01T00:00:00Z".into(),
            edits: envelopes
                .iter()
                .map(|e| NewEdit {
                    op: "set-title",
                    envelope: (*e).into(),
                    nodes: vec!["o".into()],
                })
                .collect(),
        }
    }

    #[test]
    fn appends_requests_with_consecutive_numbers_and_reads_them_back() {
        let dir = std::env::temp_dir().join(format!("okrs-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.db");
        let _ = std::fs::remove_file(&path);
        let mut store = Store::open(&path).unwrap();
        store.put_seed("{}").unwrap();
        let (a, b) = (request("ana", &["{\"a\":1}"]), request("bo", &["{}", "{}"]));
        assert_eq!(store.append(&[&a, &b]).unwrap(), vec![1, 2]);
        let requests = store.requests_after(0).unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].envelopes.len(), 2);
        assert!(requests[1].is_list);
        assert_eq!(store.requests_after(1).unwrap().len(), 1);
        let filter = AuditFilter {
            author: Some("bo".into()),
            limit: 10,
            ..AuditFilter::default()
        };
        assert_eq!(store.audit(&filter).unwrap().len(), 2);
        assert_eq!(store.latest_snapshot().unwrap().unwrap().0, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
