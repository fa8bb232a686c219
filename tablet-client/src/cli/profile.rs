//! The tablet's profile: a directory holding the join URL (the hub's address and this
//! delegate's token, so readable by its owner only) and the document cache.

use super::Usage;
use crate::{DocumentCache, Follower, JoinUrl, Session};
use anyhow::Context as _;
use protocol::{HubFrame, Me, MeetingView};
use std::path::{Path, PathBuf};
use std::time::Duration;

const JOIN_FILE: &str = "join-url";
const CACHE_DIR: &str = "documents";

/// Where the profile lives, and how patient to be with the hub.
#[derive(Debug)]
pub struct Profile {
    dir: PathBuf,
    wait: Duration,
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
    pub fn at(dir: Option<PathBuf>, wait_secs: u64) -> anyhow::Result<Profile> {
        let dir = match dir {
            Some(dir) => dir,
            None => dirs::config_dir()
                .map(|d| d.join("tablet"))
                .context("no config directory for this user: name one with --profile DIR")?,
        };
        Ok(Profile {
            dir,
            wait: Duration::from_secs(wait_secs.max(1)),
        })
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join(CACHE_DIR)
    }

    /// `tablet join URL`: checks the URL with the hub, then keeps it.
    pub async fn join(&self, url: &str) -> anyhow::Result<()> {
        let join = JoinUrl::parse(url)?;
        let opened = self.connect(join).await?;
        save_private(&self.dir.join(JOIN_FILE), &format!("{}\n", opened.join))?;
        println!("Đã tham gia / joined: {}", opened.view.meeting.title);
        println!(
            "  {} ({}){}",
            opened.me.name,
            opened.me.role,
            seat(&opened.view, &opened.me)
        );
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
        self.connect(JoinUrl::parse(url.trim())?).await
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
        let mut session = Session::join(join.clone(), Follower::new(), self.wait).await?;
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

/// Written whole or not at all (temp file, then rename), readable by its owner only.
fn save_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let temp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temp)
        .with_context(|| format!("writing {}", temp.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))
}

fn seat(view: &MeetingView, me: &Me) -> String {
    let seat = me
        .participant
        .and_then(|id| view.participants.iter().find(|p| p.id == id))
        .and_then(|p| p.seat.clone());
    seat.map_or_else(String::new, |s| format!(", ghế / seat {s}"))
}
