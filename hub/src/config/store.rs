//! Where the hub keeps its data: the embedded store (one machine) or PostgreSQL (a hub and
//! its standby on two machines, see `store::lease`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which store engine the hub runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreEngine {
    /// `DATA/hub.redb`, on this machine only.
    #[default]
    Embedded,
    /// A PostgreSQL database (`url`) that a second hub can take over from.
    Postgres,
}

/// `[store]`: the engine, and for PostgreSQL its URL.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// `embedded` or `postgres`.
    pub engine: StoreEngine,
    /// With `postgres`: the database, e.g. `postgres://hub:PASSWORD@10.0.0.5/phonghop`
    /// (or `HUB_STORE_URL`, `--store-url`). Never logged: it may hold a password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreSettings")
            .field("engine", &self.engine)
            .field("url", &self.url.as_ref().map(|_| "(set, not shown)"))
            .finish()
    }
}

impl StoreSettings {
    /// Checks that PostgreSQL has a URL it can parse, and the embedded engine none.
    pub(super) fn check(&self) -> Result<(), String> {
        match (self.engine, &self.url) {
            (StoreEngine::Embedded, None) => Ok(()),
            (StoreEngine::Embedded, Some(_)) => {
                Err("a url is for engine = \"postgres\"; the embedded store needs none".into())
            }
            (StoreEngine::Postgres, None) => Err(
                "engine = \"postgres\" needs url = \"postgres://user:password@host/database\""
                    .into(),
            ),
            (StoreEngine::Postgres, Some(url)) => url
                .parse::<postgres::Config>()
                .map(drop)
                .map_err(|_| "is not a PostgreSQL connection URL".into()),
        }
    }
}
