//! Rows of bytes by table and key: what the store's modules read and write, whichever
//! engine holds them.
//!
//! Every table of the store maps bytes to bytes and is read by key, by key range or by the
//! last key under a prefix (a log's tail), so that is all an engine has to offer. The
//! embedded engine is a redb transaction (below); the standby engine is a PostgreSQL
//! transaction on one `hub_rows` table (see `postgres`). Both order keys the same way,
//! bytewise (redb's `&[u8]` order, PostgreSQL's `bytea` order), so a range means the same
//! rows on both.

use super::StoreError;
use redb::{ReadableTable, TableDefinition};

/// A key and its value.
pub(super) type Row = (Vec<u8>, Vec<u8>);

/// Reading rows, inside one transaction of either engine.
pub(super) trait Rows {
    /// The value under `key`.
    fn get(&mut self, table: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// The rows with `from <= key < to` (`to` of `None`: to the end), in key order.
    fn range(
        &mut self,
        table: &'static str,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<Vec<Row>, StoreError>;
    /// The row with the greatest key that starts with `prefix`.
    fn last(&mut self, table: &'static str, prefix: &[u8]) -> Result<Option<Row>, StoreError>;

    /// The rows whose key starts with `prefix`, in key order.
    fn prefixed(&mut self, table: &'static str, prefix: &[u8]) -> Result<Vec<Row>, StoreError> {
        let end = super::keys::after_prefix(prefix);
        self.range(table, prefix, end.as_deref())
    }
}

/// Writing rows, inside one write transaction: all of it is kept, or none.
pub(super) trait WriteRows: Rows {
    /// Puts `value` under `key` and returns the value it replaced.
    fn insert(
        &mut self,
        table: &'static str,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Deletes `key` and returns the value it had.
    fn remove(&mut self, table: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
}

fn table(name: &'static str) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(name)
}

/// Collects a redb range into owned rows.
fn collect<'a>(
    range: impl Iterator<
        Item = Result<
            (
                redb::AccessGuard<'a, &'static [u8]>,
                redb::AccessGuard<'a, &'static [u8]>,
            ),
            redb::StorageError,
        >,
    >,
) -> Result<Vec<Row>, StoreError> {
    let mut out = Vec::new();
    for row in range {
        let (k, v) = row?;
        out.push((k.value().to_vec(), v.value().to_vec()));
    }
    Ok(out)
}

fn bounds<'k>(
    from: &'k [u8],
    to: Option<&'k [u8]>,
) -> (std::ops::Bound<&'k [u8]>, std::ops::Bound<&'k [u8]>) {
    use std::ops::Bound;
    (
        Bound::Included(from),
        to.map_or(Bound::Unbounded, Bound::Excluded),
    )
}

fn get_in<T>(t: &T, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>
where
    T: ReadableTable<&'static [u8], &'static [u8]>,
{
    Ok(t.get(key)?.map(|v| v.value().to_vec()))
}

fn last_in<T>(t: &T, prefix: &[u8]) -> Result<Option<Row>, StoreError>
where
    T: ReadableTable<&'static [u8], &'static [u8]>,
{
    let end = super::keys::after_prefix(prefix);
    let Some(row) = t
        .range::<&[u8]>(bounds(prefix, end.as_deref()))?
        .next_back()
    else {
        return Ok(None);
    };
    let (k, v) = row?;
    Ok(Some((k.value().to_vec(), v.value().to_vec())))
}

/// A redb read transaction: a consistent view as of the last commit.
pub(super) struct EmbeddedRead(pub(super) redb::ReadTransaction);

impl Rows for EmbeddedRead {
    fn get(&mut self, name: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        get_in(&self.0.open_table(table(name))?, key)
    }

    fn range(
        &mut self,
        name: &'static str,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<Vec<Row>, StoreError> {
        let t = self.0.open_table(table(name))?;
        let range = t.range::<&[u8]>(bounds(from, to))?;
        collect(range)
    }

    fn last(&mut self, name: &'static str, prefix: &[u8]) -> Result<Option<Row>, StoreError> {
        last_in(&self.0.open_table(table(name))?, prefix)
    }
}

/// A redb write transaction; redb has one writer at a time, so what it reads stays true
/// until it commits.
pub(super) struct EmbeddedWrite(pub(super) redb::WriteTransaction);

impl Rows for EmbeddedWrite {
    fn get(&mut self, name: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        get_in(&self.0.open_table(table(name))?, key)
    }

    fn range(
        &mut self,
        name: &'static str,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<Vec<Row>, StoreError> {
        let t = self.0.open_table(table(name))?;
        let range = t.range::<&[u8]>(bounds(from, to))?;
        collect(range)
    }

    fn last(&mut self, name: &'static str, prefix: &[u8]) -> Result<Option<Row>, StoreError> {
        last_in(&self.0.open_table(table(name))?, prefix)
    }
}

impl WriteRows for EmbeddedWrite {
    fn insert(
        &mut self,
        name: &'static str,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut t = self.0.open_table(table(name))?;
        let old = t.insert(key, value)?.map(|v| v.value().to_vec());
        Ok(old)
    }

    fn remove(&mut self, name: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let mut t = self.0.open_table(table(name))?;
        let old = t.remove(key)?.map(|v| v.value().to_vec());
        Ok(old)
    }
}
