//! The hub-wide secretariat token (the "office" token): created on first start, kept in
//! the data directory readable by the hub's user only, stored in the database as a hash.

use crate::store::{Principal, Store};
use crate::tokens::Token;
use anyhow::Context as _;
use std::io::Write as _;
use std::path::Path;

/// The file in the data directory that holds the office token.
pub const OFFICE_TOKEN_FILE: &str = "secretariat.token";

/// Makes sure the office token exists and is granted. Never logs the token itself.
pub(super) async fn ensure_token(data: &Path, store: &Store) -> anyhow::Result<()> {
    let path = data.join(OFFICE_TOKEN_FILE);
    let token = match std::fs::read_to_string(&path) {
        Ok(text) => Token::parse(text.trim()).with_context(|| {
            format!(
                "{} does not hold a valid token; delete it to get a new one",
                path.display()
            )
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let token = Token::generate();
            write_private(&path, token.as_str())?;
            tracing::info!(file = %path.display(), "created the hub-wide secretariat token");
            token
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if store.grant(&token.hash())? != Some(Principal::Office) {
        store.replace_office_grant(token.hash())?;
        store.flush().await?;
    }
    Ok(())
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    writeln!(file, "{text}")?;
    file.sync_all()?;
    Ok(())
}
