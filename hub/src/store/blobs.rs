//! Document bytes, stored once by their SHA-256: `DATA/blobs/<first 2 hex>/<sha256>`.
//!
//! A blob is streamed into `DATA/tmp/<random>` while it is hashed and counted, so it is
//! never held whole in memory and an upload over the limit is refused as soon as it passes
//! it. Only a complete file is fsynced and renamed into place (then the directory is
//! fsynced), so a blob path either holds the full, verified bytes or does not exist. A
//! temporary file is removed on every error, and any left by a crash is swept at start.
//!
//! On PostgreSQL every blob is also copied into the database before it is reported stored,
//! and a blob missing here is fetched from there (see `pg_blobs`).

use futures_util::{Stream, StreamExt};
use ring::digest;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Where blobs live, under the data directory.
#[derive(Clone)]
pub struct Blobs {
    blobs: PathBuf,
    tmp: PathBuf,
    /// The database every blob is copied to, on PostgreSQL.
    mirror: Option<super::postgres::Pg>,
}

impl fmt::Debug for Blobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blobs")
            .field("blobs", &self.blobs)
            .field("mirrored", &self.mirror.is_some())
            .finish()
    }
}

/// A blob that is now durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Lower-case hex.
    pub sha256: String,
    pub size: u64,
}

/// Why a blob was not stored. Nothing of it is left on disk.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The bytes went past the limit; the transfer was cut there.
    #[error("the file is larger than the hub accepts ({limit} bytes)")]
    TooLarge { limit: u64 },
    /// The upload itself failed (the client went away, a malformed body).
    #[error("the upload was interrupted: {0}")]
    Body(String),
    /// The disk failed.
    #[error("cannot write the file: {0}")]
    Io(#[from] io::Error),
}

/// Removes the temporary file unless it was moved into place.
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Blobs {
    /// Opens (creating) `DATA/blobs` and `DATA/tmp`, sweeping temporary files a crash left.
    pub fn open(data: &Path) -> io::Result<Blobs> {
        Self::open_mirrored(data, None)
    }

    /// [`Blobs::open`], copying every blob to PostgreSQL too.
    pub(super) fn open_mirrored(
        data: &Path,
        mirror: Option<super::postgres::Pg>,
    ) -> io::Result<Blobs> {
        let blobs = data.join("blobs");
        let tmp = data.join("tmp");
        std::fs::create_dir_all(&blobs)?;
        std::fs::create_dir_all(&tmp)?;
        for entry in std::fs::read_dir(&tmp)? {
            let _ = std::fs::remove_file(entry?.path());
        }
        Ok(Blobs { blobs, tmp, mirror })
    }

    /// The path of a stored blob; `None` if `sha256` is not 64 lower-case hex digits (so a
    /// name from outside can never point anywhere else) or the blob is not there. On
    /// PostgreSQL a blob not yet here is fetched from the database first (blocking).
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        let hex = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex {
            return None;
        }
        let path = self.blobs.join(&sha256[..2]).join(sha256);
        if path.is_file() {
            return Some(path);
        }
        let mirror = self.mirror.as_ref()?;
        let tmp = self.tmp.join(uuid::Uuid::new_v4().to_string());
        let fetched = super::pg_blobs::fetch(&mirror.blobs(), sha256, tmp.clone());
        let placed = match fetched {
            Ok(Some(tmp)) => std::fs::create_dir_all(path.parent()?)
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(super::StoreError::from),
            Ok(None) => return None,
            Err(e) => Err(e),
        };
        if let Err(e) = placed {
            tracing::warn!(error = %e, %sha256, "cannot fetch a document from PostgreSQL");
            let _ = std::fs::remove_file(tmp);
            return None;
        }
        Some(path)
    }

    /// Stores a stream of chunks, at most `limit` bytes, and returns its hash and size.
    pub async fn store<S, B, E>(&self, mut body: S, limit: u64) -> Result<Stored, BlobError>
    where
        S: Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
        E: fmt::Display,
    {
        let tmp_path = self.tmp.join(uuid::Uuid::new_v4().to_string());
        let mut guard = TempFile(Some(tmp_path.clone()));
        let mut file = tokio::fs::File::create(&tmp_path).await?;
        let mut hash = digest::Context::new(&digest::SHA256);
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| BlobError::Body(e.to_string()))?;
            let chunk = chunk.as_ref();
            size += chunk.len() as u64;
            if size > limit {
                return Err(BlobError::TooLarge { limit });
            }
            hash.update(chunk);
            file.write_all(chunk).await?;
        }
        file.sync_all().await?;
        drop(file);
        let sha256 = hex::encode(hash.finish().as_ref());
        let dir = self.blobs.join(&sha256[..2]);
        tokio::fs::create_dir_all(&dir).await?;
        // Renaming over an existing blob is harmless: same name, same bytes.
        tokio::fs::rename(&tmp_path, dir.join(&sha256)).await?;
        guard.0 = None;
        sync_dir(dir.clone()).await?;
        if let Some(mirror) = self.mirror.clone() {
            let (sha, path) = (sha256.clone(), dir.join(&sha256));
            tokio::task::spawn_blocking(move || super::pg_blobs::put(&mirror.blobs(), &sha, &path))
                .await
                .map_err(io::Error::other)?
                .map_err(io::Error::other)?;
        }
        Ok(Stored { sha256, size })
    }
}

/// Makes a rename in `dir` durable.
async fn sync_dir(dir: PathBuf) -> io::Result<()> {
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn chunks(
        parts: Vec<&'static [u8]>,
    ) -> impl Stream<Item = Result<&'static [u8], String>> + Unpin {
        stream::iter(parts.into_iter().map(Ok))
    }

    #[tokio::test]
    async fn a_blob_is_stored_once_under_its_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let stored = blobs.store(chunks(vec![b"ab", b"c"]), 10).await.unwrap();
        // SHA-256("abc"), the FIPS 180-2 test vector.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(
            stored,
            Stored {
                sha256: abc.into(),
                size: 3
            }
        );
        let path = blobs.path(abc).unwrap();
        assert_eq!(path, dir.path().join("blobs/ba").join(abc));
        assert_eq!(std::fs::read(path).unwrap(), b"abc");
        assert_eq!(
            blobs.store(chunks(vec![b"abc"]), 10).await.unwrap(),
            stored,
            "again: same blob"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn an_upload_over_the_limit_is_cut_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let err = blobs
            .store(chunks(vec![b"1234", b"5678", b"9"]), 8)
            .await
            .unwrap_err();
        assert!(matches!(err, BlobError::TooLarge { limit: 8 }), "{err}");
        let failing = stream::iter(vec![Ok(&b"12"[..]), Err("reset by peer".to_owned())]);
        let err = blobs.store(failing, 8).await.unwrap_err();
        assert!(matches!(err, BlobError::Body(_)), "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
            0
        );
    }

    #[test]
    fn only_hex_names_reach_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        assert!(blobs.path("../../etc/passwd").is_none());
        assert!(blobs.path(&"A".repeat(64)).is_none());
        assert!(
            blobs.path(&"a".repeat(64)).is_none(),
            "well formed but absent"
        );
    }
}
