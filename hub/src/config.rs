//! The hub's settings: a typed [`Config`] read from a TOML file.
//!
//! Precedence is file, then `HUB_*` environment variables, then command-line flags; the
//! last two are handled by clap in `main.rs`, which overrides fields of the `Config` read
//! here and then calls [`Config::validate`]. Every field has a default, so an empty file (or
//! none) is a working hub; an unknown key is refused by name, because a misspelt setting
//! that is silently ignored is worse than one that stops the hub from starting.
//! `deploy/hub.toml` is the documented example and a test keeps it in step with this file.

mod hall;
mod store;

pub use hall::{NameSettings, TlsMode, TlsSettings};
pub use store::{StoreEngine, StoreSettings};

use protocol::Fraction;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the hub can be told in its config file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port the hub listens on (HTTP and WebSocket).
    pub listen: SocketAddr,
    /// Data directory: the redb database, document blobs and the hub's secrets.
    pub data: PathBuf,
    /// Base of the join URLs printed in QR codes, e.g. `http://192.168.1.10:8080`, without
    /// a trailing slash. When absent the hub derives it, see [`Config::public_base`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Default quorum for new meetings (share of the summoned members who must be present).
    pub quorum: Fraction,
    /// Log filter in `tracing` syntax, e.g. `info` or `info,hub=debug`.
    pub log: String,
    /// Resource limits: what one client or the whole hub may use.
    pub limits: Limits,
    /// Documents: the trust anchors signed PDFs are checked against.
    pub documents: DocumentSettings,
    /// HTTPS: the hub's own certificate (the default), the office's, or plain HTTP.
    pub tls: TlsSettings,
    /// The name the hub announces on the LAN (mDNS), e.g. `phonghop.local`.
    pub name: NameSettings,
    /// The office between meetings: when invitations' reminders reach people's tablets.
    pub office: OfficeSettings,
    /// Where the hub keeps its data: embedded (the default) or PostgreSQL.
    pub store: StoreSettings,
}

/// The office's directory, devices and invitations (issue 18).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeSettings {
    /// Hours before a meeting's start from which its reminder shows on the tablet of each
    /// person it summoned (the nearest that has come), e.g. a day and an hour before.
    pub reminder_hours: Vec<u32>,
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            reminder_hours: vec![24, 1],
        }
    }
}

/// How uploaded documents are checked and served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentSettings {
    /// Certificates (PEM or DER files, or directories of `.pem`, `.crt`, `.cer`, `.der`
    /// files) that a signed PDF's certificate chain must reach to be trusted: the national
    /// root CA and the CAs that issue officials' certificates. None is built in. Read at
    /// start; a file that cannot be read stops the hub.
    pub trust_anchors: Vec<PathBuf>,
    /// Memory for the documents in demand, in MiB: each held once and shared by every
    /// download (a file larger than a quarter of it streams from disk). 0 holds none.
    pub memory_mib: u64,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        DocumentSettings {
            trust_anchors: Vec::new(),
            memory_mib: 256,
        }
    }
}

impl DocumentSettings {
    /// [`DocumentSettings::memory_mib`] in bytes.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_mib.saturating_mul(1024 * 1024)
    }
}

/// Resource limits. The defaults suit one hall of a few thousand tablets on one machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket message (and frame) the hub accepts, in bytes.
    pub max_frame_bytes: usize,
    /// Frames (or one batch's frames, sent together) queued for one slow client before it
    /// is dropped and must resume.
    pub client_queue: usize,
    /// Commands one connection may send per second, on average…
    pub commands_per_second: u32,
    /// …and in one burst.
    pub command_burst: u32,
    /// Simultaneous WebSocket connections; more are refused.
    pub max_connections: usize,
    /// Largest REST request body (JSON, CSV import), in bytes.
    pub max_request_bytes: usize,
    /// Largest document upload, in bytes; refused while it streams.
    pub max_upload_bytes: u64,
    /// How long a batch of commands waits for more before one flush to disk, in ms.
    pub group_commit_window_ms: u64,
    /// Time a new connection has to send its `hello`, in seconds.
    pub hello_timeout_secs: u64,
    /// A connection that sends no frame (pings included) for this long is closed, in seconds.
    pub idle_timeout_secs: u64,
    /// Commands one sender (a participant's token, or the office token) may send per
    /// second on average, over all its connections and REST calls together…
    pub sender_commands_per_second: u32,
    /// …and in one burst.
    pub sender_command_burst: u32,
    /// Uploads (documents, new versions, files) one sender may make in an hour.
    pub uploads_per_hour: u32,
    /// Private notes one participant may keep in a meeting.
    pub notes_per_participant: u32,
    /// Bytes of private notes one participant may keep in a meeting.
    pub note_bytes_per_participant: u64,
    /// Bytes of private notes a whole meeting may keep.
    pub note_bytes_per_meeting: u64,
    /// Comments on documents one participant may send in a meeting.
    pub comments_per_participant: u32,
    /// Bytes of comments one participant may send in a meeting.
    pub comment_bytes_per_participant: u64,
    /// Bytes of comments a meeting may hold (each console's snapshot carries them all).
    pub comment_bytes_per_meeting: u64,
    /// Connections that are not (yet) a WebSocket session that said hello (HTTP requests,
    /// idle keep-alive connections, WebSockets before hello), from everyone together.
    pub max_pending_connections: usize,
    /// The same, from one IP address.
    pub max_pending_per_address: usize,
    /// Time to receive a request's headers, in seconds; also how long an idle keep-alive
    /// connection stays open.
    pub header_timeout_secs: u64,
    /// A request body that stops for this long between two pieces is cut, in seconds.
    pub body_timeout_secs: u64,
    /// Time for a whole request other than an upload (reading, deciding, answering), in
    /// seconds. Downloads are bounded by the body and write timeouts instead.
    pub request_timeout_secs: u64,
    /// A closed meeting that nobody has used for this long is let go of (its task stopped,
    /// its state dropped) and loaded again when next asked for, in seconds.
    pub closed_meeting_idle_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            data: PathBuf::from("./hub-data"),
            public_url: None,
            quorum: Fraction::TWO_THIRDS,
            log: "info".to_owned(),
            limits: Limits::default(),
            documents: DocumentSettings::default(),
            tls: TlsSettings::default(),
            name: NameSettings::default(),
            office: OfficeSettings::default(),
            store: StoreSettings::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame_bytes: 64 * 1024,
            client_queue: 1024,
            commands_per_second: 20,
            command_burst: 40,
            max_connections: 6000,
            max_request_bytes: 1024 * 1024,
            max_upload_bytes: 200 * 1024 * 1024,
            group_commit_window_ms: 2,
            hello_timeout_secs: 10,
            idle_timeout_secs: 90,
            sender_commands_per_second: 50,
            sender_command_burst: 200,
            uploads_per_hour: 300,
            notes_per_participant: 1000,
            note_bytes_per_participant: 2 * 1024 * 1024,
            note_bytes_per_meeting: 256 * 1024 * 1024,
            comments_per_participant: 500,
            comment_bytes_per_participant: 512 * 1024,
            comment_bytes_per_meeting: 16 * 1024 * 1024,
            max_pending_connections: 4096,
            max_pending_per_address: 512,
            header_timeout_secs: 10,
            body_timeout_secs: 20,
            request_timeout_secs: 60,
            closed_meeting_idle_secs: 600,
        }
    }
}

impl Limits {
    /// [`Limits::group_commit_window_ms`] as a duration.
    pub fn group_commit_window(&self) -> Duration {
        Duration::from_millis(self.group_commit_window_ms)
    }

    /// [`Limits::hello_timeout_secs`] as a duration.
    pub fn hello_timeout(&self) -> Duration {
        Duration::from_secs(self.hello_timeout_secs)
    }

    /// [`Limits::idle_timeout_secs`] as a duration.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    /// [`Limits::header_timeout_secs`] as a duration.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    /// [`Limits::body_timeout_secs`] as a duration.
    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs)
    }

    /// [`Limits::request_timeout_secs`] as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// [`Limits::closed_meeting_idle_secs`] as a duration.
    pub fn closed_meeting_idle(&self) -> Duration {
        Duration::from_secs(self.closed_meeting_idle_secs)
    }

    /// The engine's quotas on notes and comments.
    pub fn quotas(&self) -> crate::engine::Quotas {
        crate::engine::Quotas {
            notes_per_participant: self.notes_per_participant,
            note_bytes_per_participant: self.note_bytes_per_participant,
            note_bytes_per_meeting: self.note_bytes_per_meeting,
            comments_per_participant: self.comments_per_participant,
            comment_bytes_per_participant: self.comment_bytes_per_participant,
            comment_bytes_per_meeting: self.comment_bytes_per_meeting,
        }
    }
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read at all.
    #[error("cannot read config file {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not valid TOML or has a key or value the hub does not know. The message
    /// is the TOML parser's: it gives the line, the column and the offending key.
    #[error("config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A setting is out of range (from the file, the environment or a flag).
    #[error("invalid setting `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
    /// A setting in the file is out of range.
    #[error("config file {}: invalid setting `{key}`: {message}", path.display())]
    InvalidInFile {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

impl Config {
    /// Reads, normalises and validates a config file. Keys left out keep their defaults.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            error,
        })?;
        let mut config = Config::from_toml(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.normalise();
        config.validate().map_err(|e| match e {
            ConfigError::Invalid { key, message } => ConfigError::InvalidInFile {
                path: path.to_owned(),
                key,
                message,
            },
            other => other,
        })?;
        Ok(config)
    }

    /// Parses TOML text without validating it (for tests and tools that build a config in
    /// steps). Notepad's UTF-8 byte order mark is skipped.
    pub fn from_toml(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Tidies values that have one obvious meaning: a `public_url` written with a trailing
    /// slash (join URLs are built as `{base}/join/…`), or an empty one meaning "derive it".
    pub fn normalise(&mut self) {
        if let Some(url) = &self.public_url {
            let trimmed = url.trim().trim_end_matches('/');
            self.public_url = (!trimmed.is_empty()).then(|| trimmed.to_owned());
        }
    }

    /// Checks that every setting is in a range the hub can work with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: String| Err(ConfigError::Invalid { key, message });
        let l = &self.limits;
        if self.data.as_os_str().is_empty() {
            return invalid("data", "must name a directory".into());
        }
        if let Some(url) = &self.public_url {
            check_public_url(url).or_else(|m| invalid("public_url", m))?;
        }
        hall::check_host(&self.name.host).or_else(|m| invalid("name.host", m))?;
        self.store.check().or_else(|m| invalid("store.url", m))?;
        if self.tls.mode == TlsMode::Files && (self.tls.cert.is_none() || self.tls.key.is_none()) {
            return invalid(
                "tls.mode",
                "\"files\" needs tls.cert and tls.key (PEM files)".into(),
            );
        }
        if self.tls.redirect_listen.is_some() && !self.tls.enabled() {
            return invalid(
                "tls.redirect_listen",
                "redirects to HTTPS, which tls.mode = \"off\" does not serve".into(),
            );
        }
        if self.log.trim().is_empty() {
            return invalid("log", "must be a filter such as \"info\"".into());
        }
        let hours = &self.office.reminder_hours;
        if hours.len() > 8 || hours.iter().any(|h| !(1..=720).contains(h)) {
            return invalid(
                "office.reminder_hours",
                "lists at most 8 numbers of hours, each from 1 to 720 (30 days)".into(),
            );
        }
        if !(KIB..=16 * MIB).contains(&l.max_frame_bytes) {
            let m = format!(
                "{} is not between 1024 (1 KiB) and 16777216 (16 MiB)",
                l.max_frame_bytes
            );
            return invalid("limits.max_frame_bytes", m);
        }
        if self.documents.memory_mib > 64 * 1024 {
            let m = format!(
                "{} MiB is above 65536 (64 GiB); 0 holds none in memory",
                self.documents.memory_mib
            );
            return invalid("documents.memory_mib", m);
        }
        // Every acknowledgement waits for the window: more than a second would feel broken.
        if l.group_commit_window_ms > 1000 {
            let m = format!("{} ms is above 1000 ms", l.group_commit_window_ms);
            return invalid("limits.group_commit_window_ms", m);
        }
        // A client queue must hold at least a burst of events (a vote closing, say).
        let minimums: [(&'static str, u64, u64); 23] = [
            ("limits.max_upload_bytes", l.max_upload_bytes, KIB as u64),
            ("limits.client_queue", l.client_queue as u64, 16),
            (
                "limits.commands_per_second",
                l.commands_per_second.into(),
                1,
            ),
            ("limits.command_burst", l.command_burst.into(), 1),
            ("limits.max_connections", l.max_connections as u64, 1),
            (
                "limits.max_request_bytes",
                l.max_request_bytes as u64,
                KIB as u64,
            ),
            ("limits.hello_timeout_secs", l.hello_timeout_secs, 1),
            ("limits.idle_timeout_secs", l.idle_timeout_secs, 1),
            (
                "limits.sender_commands_per_second",
                l.sender_commands_per_second.into(),
                1,
            ),
            (
                "limits.sender_command_burst",
                l.sender_command_burst.into(),
                1,
            ),
            ("limits.uploads_per_hour", l.uploads_per_hour.into(), 1),
            (
                "limits.notes_per_participant",
                l.notes_per_participant.into(),
                1,
            ),
            (
                "limits.note_bytes_per_participant",
                l.note_bytes_per_participant,
                KIB as u64,
            ),
            (
                "limits.note_bytes_per_meeting",
                l.note_bytes_per_meeting,
                KIB as u64,
            ),
            (
                "limits.comments_per_participant",
                l.comments_per_participant.into(),
                1,
            ),
            (
                "limits.comment_bytes_per_participant",
                l.comment_bytes_per_participant,
                KIB as u64,
            ),
            (
                "limits.comment_bytes_per_meeting",
                l.comment_bytes_per_meeting,
                KIB as u64,
            ),
            (
                "limits.max_pending_connections",
                l.max_pending_connections as u64,
                1,
            ),
            (
                "limits.max_pending_per_address",
                l.max_pending_per_address as u64,
                1,
            ),
            ("limits.header_timeout_secs", l.header_timeout_secs, 1),
            ("limits.body_timeout_secs", l.body_timeout_secs, 1),
            ("limits.request_timeout_secs", l.request_timeout_secs, 1),
            (
                "limits.closed_meeting_idle_secs",
                l.closed_meeting_idle_secs,
                1,
            ),
        ];
        for (key, value, min) in minimums {
            if value < min {
                return invalid(key, format!("{value} is below the minimum of {min}"));
            }
        }
        Ok(())
    }

    /// The base of the URLs the hub prints in QR codes and links, without a trailing slash.
    ///
    /// `public_url` if set. Otherwise `https://` (or `http://` with `tls.mode = "off"`)
    /// and `HOST.local` when `name.in_links` says so, else the address the hub is bound
    /// to; when that is the unspecified address (`0.0.0.0` or `::`) tablets cannot use it,
    /// so the machine's first non-loopback, non-link-local IPv4 address stands in for it
    /// (the LAN address on an ordinary hub machine), or 127.0.0.1 if there is none. The
    /// port is always the bound one, which matters when `listen` asked for port 0, and is
    /// left out when it is the scheme's own.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.trim().trim_end_matches('/').to_owned();
        }
        let (scheme, default_port) = if self.tls.enabled() {
            ("https", 443)
        } else {
            ("http", 80)
        };
        // SocketAddr's Display puts an IPv6 address in brackets, as a URL needs.
        let host = if self.name.in_links {
            self.name.local_name()
        } else {
            let ip = if bound.ip().is_unspecified() {
                lan_ipv4().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
            } else {
                bound.ip()
            };
            let with_port = SocketAddr::new(ip, bound.port()).to_string();
            with_port[..with_port.rfind(':').unwrap_or(with_port.len())].to_owned()
        };
        if bound.port() == default_port {
            format!("{scheme}://{host}")
        } else {
            format!("{scheme}://{host}:{}", bound.port())
        }
    }
}

/// The machine's first IPv4 address that another machine on the LAN could reach.
pub fn lan_ipv4() -> Option<IpAddr> {
    lan_addresses().into_iter().find(IpAddr::is_ipv4)
}

/// Every address of the machine that another machine on the LAN could reach.
pub fn lan_addresses() -> Vec<IpAddr> {
    let Ok(interfaces) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    interfaces
        .iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local())
        .map(|i| i.ip())
        .collect()
}

/// A public URL must be an absolute http(s) URL with a host, and nothing after the path.
fn check_public_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("'{url}' must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(format!(
            "'{url}' has no host, e.g. http://192.168.1.10:8080"
        ));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '?' | '#'))
    {
        return Err(format!(
            "'{url}' must be a plain base URL without {c:?}, e.g. http://192.168.1.10:8080"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
