//! Document bytes in PostgreSQL, so a standby can serve every document the primary took.
//!
//! A blob is stored in parts of 1 MiB (`hub_blobs`) and then listed in `hub_blob_files`
//! with its size, in one transaction: a listed blob is whole. The data directory keeps its
//! files as before and is the cache the hub serves from; a hub that took the hall over
//! fetches a blob it lacks on first use, checks its SHA-256 and keeps the file.

use super::postgres::Connection;
use super::StoreError;
use ring::digest;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

/// Bytes per row of `hub_blobs`.
const PART: usize = 1024 * 1024;

/// Copies the file at `path` (whose SHA-256 is `sha256`) into the database, unless it is
/// there already. Blocks.
pub(super) fn put(conn: &Connection, sha256: &str, path: &Path) -> Result<(), StoreError> {
    let (sha256, path) = (sha256.to_owned(), path.to_owned());
    conn.call(move |s| {
        let listed = s.query("SELECT 1 FROM hub_blob_files WHERE sha256 = $1", &[&sha256])?;
        if !listed.is_empty() {
            return Ok(());
        }
        let mut file = std::fs::File::open(&path)?;
        let mut txn = s.client.transaction()?;
        txn.execute("DELETE FROM hub_blobs WHERE sha256 = $1", &[&sha256])?;
        let mut buf = vec![0u8; PART];
        let (mut parts, mut size) = (0i32, 0i64);
        loop {
            let n = read_full(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            txn.execute(
                "INSERT INTO hub_blobs (sha256, part, bytes) VALUES ($1, $2, $3)",
                &[&sha256, &parts, &&buf[..n]],
            )?;
            parts += 1;
            size += n as i64;
        }
        txn.execute(
            "INSERT INTO hub_blob_files (sha256, size, parts) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[&sha256, &size, &parts],
        )?;
        txn.commit()?;
        Ok(())
    })
}

/// Writes the blob `sha256` from the database to `tmp` and checks its hash; `None` if the
/// database does not have it whole, or what it has does not hash to its name. Blocks.
pub(super) fn fetch(
    conn: &Connection,
    sha256: &str,
    tmp: PathBuf,
) -> Result<Option<PathBuf>, StoreError> {
    let sha256 = sha256.to_owned();
    conn.call(move |s| {
        let listed = s.query(
            "SELECT parts FROM hub_blob_files WHERE sha256 = $1",
            &[&sha256],
        )?;
        let Some(parts) = listed.first().map(|r| r.get::<_, i32>(0)) else {
            return Ok(None);
        };
        let mut file = std::fs::File::create(&tmp)?;
        let mut hash = digest::Context::new(&digest::SHA256);
        for part in 0..parts {
            let rows = s.query(
                "SELECT bytes FROM hub_blobs WHERE sha256 = $1 AND part = $2",
                &[&sha256, &part],
            )?;
            let Some(bytes) = rows.first().map(|r| r.get::<_, Vec<u8>>(0)) else {
                return Ok(None);
            };
            hash.update(&bytes);
            file.write_all(&bytes)?;
        }
        file.sync_all()?;
        if hex::encode(hash.finish().as_ref()) != sha256 {
            tracing::error!(%sha256, "a blob in PostgreSQL does not match its hash");
            let _ = std::fs::remove_file(&tmp);
            return Ok(None);
        }
        Ok(Some(tmp))
    })
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
