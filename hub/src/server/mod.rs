//! The hub as a library: `Server::open` a data directory, then `serve` on a listener the
//! caller bound (port 0 in tests), until a shutdown future resolves.

pub mod name;
mod office;
mod plain;
mod serve;
pub mod standby;

pub use office::OFFICE_TOKEN_FILE;

use crate::config::Config;
use crate::config::StoreEngine;
use crate::engine::{Actor, MeetingState};
use crate::import::MeetingPackage;
use crate::live::{Clock, LiveSettings, Meetings, Request};
use crate::setup;
use crate::store::{Contender, Lease, Store};
use crate::tokens::Token;
use crate::transport::{self, AppState};
use anyhow::Context as _;
use protocol::{MeetingId, Participant};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use uuid::Uuid;

/// A running hub's state, before and while it serves.
#[derive(Debug)]
pub struct Server {
    state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    /// HTTPS, unless `tls.mode = "off"`.
    tls: Option<crate::tls::HallTls>,
    /// On PostgreSQL, the lease this hub serves the hall under.
    lease: Option<Lease>,
}

/// A participant created by an import, with the token shown this once.
#[derive(Debug)]
pub struct Issued {
    pub participant: Participant,
    pub token: Token,
    pub join_url: String,
}

/// What an import created.
#[derive(Debug)]
pub struct Imported {
    pub meeting: MeetingId,
    pub participants: Vec<Issued>,
}

impl Server {
    /// Opens the data directory, replays every meeting's log and makes sure the hub-wide
    /// secretariat token exists. `bound` is the address the hub listens on, for join URLs.
    pub async fn open(config: Config, bound: SocketAddr) -> anyhow::Result<Server> {
        Self::open_with_clock(config, bound, Clock::system()).await
    }

    /// [`Server::open`] with another clock: tests give one that follows tokio's, so
    /// pausing time moves countdowns and deadlines without waiting for them.
    pub async fn open_with_clock(
        config: Config,
        bound: SocketAddr,
        clock: Clock,
    ) -> anyhow::Result<Server> {
        let lease = match (&config.store.engine, &config.store.url) {
            (StoreEngine::Postgres, Some(url)) => {
                let url = url.clone();
                let tried = tokio::task::spawn_blocking(move || {
                    Contender::connect(&url)?.try_take(&format!("pid {}", std::process::id()))
                })
                .await??;
                Some(tried.map_err(|_| {
                    anyhow::anyhow!(
                        "another hub holds the hall on this PostgreSQL database; stop it, or \
                         run this one as its standby (hub serve)"
                    )
                })?)
            }
            _ => None,
        };
        Self::open_inner(config, bound, clock, lease).await
    }

    /// Opens a hub on PostgreSQL under a lease it took (as a standby, see [`standby`]):
    /// replays every meeting from the database.
    pub async fn open_leased(
        config: Config,
        bound: SocketAddr,
        lease: Lease,
    ) -> anyhow::Result<Server> {
        Self::open_inner(config, bound, Clock::system(), Some(lease)).await
    }

    async fn open_inner(
        config: Config,
        bound: SocketAddr,
        clock: Clock,
        lease: Option<Lease>,
    ) -> anyhow::Result<Server> {
        config.validate()?;
        let store = match &lease {
            Some(lease) => {
                let (data, lease) = (config.data.clone(), lease.clone());
                tokio::task::spawn_blocking(move || Store::open_postgres(&data, &lease))
                    .await?
                    .context("opening the store on PostgreSQL")?
            }
            None => Store::open(&config.data)?,
        };
        office::ensure_token(&config.data, &store).await?;
        let signer = crate::signing::Signer::load_or_create(&config.data)?;
        let trust = crate::trust::DocumentTrust::open(&config.data, &config.documents)?;
        let archive = Arc::new(
            crate::archive::Archive::open(&config.data).context("opening the search index")?,
        );
        let library = crate::library::Library::open(store.clone(), &config.data)
            .context("reading the library")?;
        let settings = LiveSettings {
            client_queue: config.limits.client_queue,
            group_commit_window: config.limits.group_commit_window(),
            job_queue: 8192,
            clock: clock.clone(),
            quotas: config.limits.quotas(),
            closed_idle: config.limits.closed_meeting_idle(),
            archive: Some(archive.clone()),
        };
        let meetings =
            Meetings::load(store.clone(), settings).context("replaying the meetings' logs")?;
        let office = crate::live::Office::load(store.clone(), clock)
            .context("replaying the office's log")?;
        let public_base = config.public_base(bound);
        let tls = crate::tls::HallTls::open(&config, bound).context("setting up HTTPS")?;
        let ca_page = tls
            .as_ref()
            .and_then(|t| t.ca_der())
            .map(|der| crate::badges::CaNotice {
                url: ca_page_url(&config, &public_base, bound),
                fingerprint: crate::tls::fingerprint(der),
            });
        let (shutdown, watcher) = watch::channel(false);
        let senders = transport::senders::SenderLimits::new(&config.limits);
        let hot_documents = transport::HotDocuments::new(config.documents.memory_bytes());
        let state = Arc::new(AppState {
            config,
            store,
            meetings,
            office,
            public_base,
            ca_page,
            join_ca: tls.as_ref().and_then(|t| t.ca_pin()),
            connections: AtomicUsize::new(0),
            shutdown: watcher,
            signer,
            trust,
            sessions: tokio_util::task::TaskTracker::new(),
            senders,
            record: Default::default(),
            ballot_checks: Default::default(),
            hot_documents,
            archive,
            library,
        });
        Ok(Server {
            state,
            shutdown,
            tls,
            lease,
        })
    }

    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The hub's HTTPS, unless it serves plain HTTP.
    pub fn tls(&self) -> Option<&crate::tls::HallTls> {
        self.tls.as_ref()
    }

    /// Serves until `signal` resolves, then tells every connection to go and waits for
    /// them, stops every meeting's task once its last batch is written and waits for them
    /// too. When this returns, the hub has let go of its data directory.
    pub async fn serve(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.serve_with_redirect(listener, None, signal).await
    }

    /// [`Server::serve`], and with HTTPS plain HTTP on `redirect` too (`tls.redirect_listen`,
    /// port 80 in a hall): the CA page, and a redirect to HTTPS for everything else. The
    /// hub's name is announced over mDNS while it serves.
    pub async fn serve_with_redirect(
        self,
        listener: TcpListener,
        redirect: Option<TcpListener>,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let bound = listener.local_addr()?;
        let mut hub = transport::router(self.state.clone());
        let tls = self.tls.clone().map(|tls| {
            hub = hub.clone().merge(plain::ca_routes_for(tls.clone()));
            let plain = plain::router(tls.clone(), bound.port(), &self.state.public_base);
            (tls, plain)
        });
        let routers = serve::Routers { hub, tls };
        let _announced = name::announce(&self.state.config, bound);
        #[cfg(unix)]
        let control = tokio::spawn(crate::backup::control::serve(
            self.state.store.clone(),
            self.state.config.data.clone(),
            self.state.shutdown.clone(),
        ));
        let shutdown = self.shutdown;
        let lease = self.lease.clone();
        let graceful = async move {
            match lease {
                // Losing the lease stops writes at once (the store refuses them) and the
                // server here: another hub is taking the hall over.
                Some(lease) => tokio::select! {
                    () = signal => {}
                    () = lease.lost() => {}
                },
                None => signal.await,
            }
            let _ = shutdown.send(true);
        };
        // The search index follows the meetings off their tasks, until the hub shuts down.
        let indexer = tokio::spawn(self.state.archive.clone().run(self.state.clone()));
        serve::serve(self.state.clone(), routers, listener, redirect, graceful).await?;
        let _ = indexer.await;
        #[cfg(unix)]
        let _ = control.await;
        self.state.sessions.close();
        self.state.sessions.wait().await;
        self.state.meetings.close().await;
        self.state.store.flush().await?;
        if self.lease.as_ref().is_some_and(Lease::is_lost) {
            anyhow::bail!("this hub lost its lease on the hall; another hub serves it now");
        }
        Ok(())
    }

    /// Stores one document of a package in the blob store and returns the command that
    /// publishes it; `items` and `participants` are the package's new ids, in order.
    async fn store_package_document(
        &self,
        doc: &crate::import::PackageDocument,
        items: &[protocol::AgendaItemId],
        participants: &[protocol::ParticipantId],
    ) -> anyhow::Result<protocol::Command> {
        let file = tokio::fs::File::open(&doc.path)
            .await
            .with_context(|| format!("opening {}", doc.path.display()))?;
        let limit = self.state.config.limits.max_upload_bytes;
        let stored = self
            .state
            .store
            .blobs()
            .store(tokio_util::io::ReaderStream::new(file), limit)
            .await
            .with_context(|| format!("storing {}", doc.path.display()))?;
        let file_name = transport::files::clean_file_name(&doc.file_name);
        let file = protocol::DocumentFile {
            content_type: transport::files::content_type(None, &file_name),
            file_name,
            size: stored.size,
            sha256: stored.sha256,
            signatures: None,
            watermarked: false,
        };
        let file = self
            .state
            .trust
            .check_stored(self.state.store.blobs(), file, doc.classification)
            .await
            .with_context(|| format!("checking {}", doc.path.display()))?;
        Ok(protocol::Command::PublishDocument {
            title: doc.title.clone(),
            classification: doc.classification,
            item: doc.item.and_then(|i| items.get(i).copied()),
            readers: doc
                .readers
                .iter()
                .filter_map(|&i| participants.get(i).copied())
                .collect(),
            file,
        })
    }

    /// Creates a meeting from a package: checked whole first, then written in one atomic
    /// step with every participant's token.
    pub async fn import(&self, package: MeetingPackage) -> anyhow::Result<Imported> {
        let meeting = MeetingId::new_random();
        let mut request = Request {
            actor: Actor::Office,
            origin: None,
            steps: Vec::new(),
            grants: Vec::new(),
            token: None,
            ballot: None,
        };
        request.steps.push((package.create.clone(), Uuid::new_v4()));
        let mut items = Vec::with_capacity(package.agenda.len());
        for item in &package.agenda {
            let id = Uuid::new_v4();
            items.push(protocol::AgendaItemId(id));
            request.steps.push((item.clone(), id));
        }
        let first_participant = request.steps.len();
        let commands = package
            .participants
            .iter()
            .map(|p| p.to_command())
            .collect();
        // Granted, and kept sealed for printing badges later (see store::links), in the
        // one write that creates the meeting.
        let summons = setup::summon(&mut request, meeting, commands);
        let first_document = request.steps.len();
        // The bytes first, durably: the events that name them come in the one atomic write.
        let readers: Vec<_> = summons.iter().map(|s| s.participant).collect();
        for doc in &package.documents {
            let publish = self.store_package_document(doc, &items, &readers).await?;
            request.steps.push((publish, Uuid::new_v4()));
        }
        let first_poll = request.steps.len();
        for p in &package.polls {
            let mut spec = p.spec.clone();
            spec.item = p.agenda_item.and_then(|n| items.get(n - 1).copied());
            let create = protocol::Command::CreatePoll { poll: spec };
            request.steps.push((create, Uuid::new_v4()));
        }
        let refusals = setup::dry_run(&MeetingState::new(meeting), &Actor::Office, &request.steps);
        if !refusals.is_empty() {
            let lines: Vec<String> = refusals
                .iter()
                .map(|(n, e)| match n.checked_sub(first_participant) {
                    // Polls come after documents: the later range is tested first, or a
                    // poll's index would be taken for a document's.
                    Some(_) if *n >= first_poll => {
                        let poll = n - first_poll;
                        let title = package
                            .polls
                            .get(poll)
                            .map_or("", |p| p.spec.title.as_str());
                        format!("meeting.toml, poll {} ({title}): {e}", poll + 1)
                    }
                    Some(_) if *n >= first_document => {
                        let doc = n - first_document;
                        let title = package.documents.get(doc).map_or("", |d| d.title.as_str());
                        format!("meeting.toml, document {} ({title}): {e}", doc + 1)
                    }
                    Some(k) => format!(
                        "participants.csv line {}: {e}",
                        package.participants[k].line
                    ),
                    None if *n == 0 => format!("meeting.toml: {e}"),
                    None => format!("meeting.toml, agenda item {n}: {e}"),
                })
                .collect();
            anyhow::bail!(
                "the package cannot be imported; nothing was imported:\n{}",
                lines.join("\n")
            );
        }
        self.state.meetings.create(meeting, request).await?;
        let handle = self
            .state
            .meetings
            .get(meeting)
            .await?
            .context("the new meeting vanished")?;
        let participants = handle.read(|s| {
            summons
                .into_iter()
                .filter_map(|sm| {
                    let participant = s.participant(sm.participant)?.clone();
                    let join_url = self.state.join_url(&sm.token);
                    Some(Issued {
                        participant,
                        token: sm.token,
                        join_url,
                    })
                })
                .collect()
        });
        Ok(Imported {
            meeting,
            participants,
        })
    }
}

/// Where a tablet opens the CA page over plain HTTP: the public base's host, on the
/// redirect port if there is one, else on the main port (plain HTTP there is answered too).
fn ca_page_url(config: &Config, public_base: &str, bound: SocketAddr) -> String {
    let authority = public_base
        .split_once("://")
        .map_or(public_base, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(_) => authority.split_inclusive(']').next().unwrap_or(authority),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let port = config
        .tls
        .redirect_listen
        .map_or(bound.port(), |r| r.port());
    if port == 80 {
        format!("http://{host}/ca")
    } else {
        format!("http://{host}:{port}/ca")
    }
}
