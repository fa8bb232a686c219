//! The tablet's profile: a directory holding the join URL (the hub's address, this
//! delegate's token and the fingerprint of the hall's CA, so readable by its owner only),
//! the CA file given with `--ca` when joining, the document cache, the receipts of
//! this delegate's secret ballots, and a committee member's key (its setup while it is
//! made, then the member's share), all readable by their owner only.

use super::Usage;
use crate::{DocumentCache, Follower, JoinUrl, Session, Trust};
use anyhow::Context as _;
use protocol::{HubFrame, Me, MeetingView};
use std::path::{Path, PathBuf};
use std::time::Duration;

const JOIN_FILE: &str = "join-url";
/// The `--ca` file's certificates, kept by `join` for the commands after it.
const CA_FILE: &str = "hub-ca.pem";
const CACHE_DIR: &str = "documents";

/// Where the profile lives, and how patient to be with the hub.
#[derive(Debug)]
pub struct Profile {
    dir: PathBuf,
    wait: Duration,
    /// `--ca FILE`, for this run.
    ca: Option<PathBuf>,
    /// The hall's other hubs (`--hub`), tried after the badge's when a connection fails.
    alternates: Vec<String>,
}

/// A session opened from the profile, with the meeting as the hub sent it.
pub struct Opened {
    pub session: Session,
    pub join: JoinUrl,
    pub me: Me,
    pub view: MeetingView,
}

impl Profile {
    /// The profile in `dir`, or in the user's config directory.
    pub fn at(
        dir: Option<PathBuf>,
        wait_secs: u64,
        ca: Option<PathBuf>,
    ) -> anyhow::Result<Profile> {
        let dir = match dir {
            Some(dir) => dir,
            None => dirs::config_dir()
                .map(|d| d.join("tablet"))
                .context("no config directory for this user: name one with --profile DIR")?,
        };
        Ok(Profile {
            dir,
            wait: Duration::from_secs(wait_secs.max(1)),
            ca,
            alternates: Vec::new(),
        })
    }

    /// The hall's other hubs, to fail over to.
    pub fn with_hubs(mut self, alternates: Vec<String>) -> Profile {
        self.alternates = alternates;
        self
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join(CACHE_DIR)
    }

    /// A file of the profile.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads a JSON file of the profile; `None` if it is not there.
    pub fn read_json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> anyhow::Result<Option<T>> {
        let path = self.file(name);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .with_context(|| format!("{} is damaged", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Writes a JSON file of the profile whole (temp file, rename), readable by its owner only.
    pub fn write_json<T: serde::Serialize>(&self, name: &str, value: &T) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        save_private(&self.file(name), &text)
    }

    /// Removes a file of the profile, if it is there.
    pub fn remove(&self, name: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.file(name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// `tablet join URL`: checks the URL with the hub, then keeps it.
    pub async fn join(&self, url: &str) -> anyhow::Result<()> {
        let join = self.trusting(JoinUrl::parse(url)?, false)?;
        let opened = self.connect(join).await?;
        save_private(&self.dir.join(JOIN_FILE), &format!("{}\n", opened.join))
            .with_context(|| format!("writing {}", self.dir.display()))?;
        // The CA the tablet joined with is the one it keeps: a new badge without --ca
        // leaves an older file behind no more.
        match &self.ca {
            Some(path) => {
                let pem = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                save_private(&self.file(CA_FILE), &pem)
            }
            None => self.remove(CA_FILE),
        }
        .with_context(|| format!("writing {}", self.dir.display()))?;
        println!("Đã tham gia / joined: {}", opened.view.meeting.title);
        println!(
            "  {} ({}){}",
            opened.me.name,
            opened.me.role,
            seat(&opened.view, &opened.me)
        );
        if let Trust::HallCa(pin) = opened.join.trust() {
            println!("  HTTPS, CA SHA-256 {}", pin.colons());
        }
        println!("  profile: {}", self.dir.display());
        println!("Tải tài liệu / download the documents: tablet sync");
        Ok(())
    }

    /// Opens a session with the kept join URL and waits for the meeting's snapshot.
    pub async fn open(&self) -> anyhow::Result<Opened> {
        let path = self.dir.join(JOIN_FILE);
        let url = std::fs::read_to_string(&path).map_err(|_| {
            Usage(format!(
                "no profile in {}: run `tablet join URL` with the URL from your badge first",
                self.dir.display()
            ))
        })?;
        let join = self.trusting(JoinUrl::parse(url.trim())?, true)?;
        self.connect(join).await
    }

    /// `join` trusting the `--ca` file of this run, else (`kept`) the one kept at `join`,
    /// else what its link says.
    fn trusting(&self, join: JoinUrl, kept: bool) -> anyhow::Result<JoinUrl> {
        if let Some(path) = &self.ca {
            return Ok(join.trusting(Trust::from_pem_file(path)?));
        }
        let path = self.file(CA_FILE);
        if kept && path.exists() {
            return Ok(join.trusting(Trust::from_pem_file(&path)?));
        }
        Ok(join)
    }

    /// The document cache of the meeting `opened` belongs to.
    pub fn cache(&self, opened: &Opened) -> anyhow::Result<DocumentCache> {
        Ok(DocumentCache::open(
            &self.cache_dir(),
            &opened.join,
            opened.me.meeting,
        )?)
    }

    async fn connect(&self, join: JoinUrl) -> anyhow::Result<Opened> {
        let mut hubs = vec![join.clone()];
        for hub in &self.alternates {
            hubs.push(join.at_hub(hub)?);
        }
        let mut session = Session::join_hubs(hubs, Follower::new(), self.wait).await?;
        let HubFrame::Snapshot { me, view, .. } = session.next().await? else {
            anyhow::bail!("the hub did not send the meeting");
        };
        Ok(Opened {
            session,
            join,
            me,
            view,
        })
    }
}

/// Written whole or not at all (temp file, then rename, then the directory synced),
/// readable by its owner only, in a directory only its owner may list.
fn save_private(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn seat(view: &MeetingView, me: &Me) -> String {
    let seat = me
        .participant
        .and_then(|id| view.participants.iter().find(|p| p.id == id))
        .and_then(|p| p.seat.clone());
    seat.map_or_else(String::new, |s| format!(", ghế / seat {s}"))
}
