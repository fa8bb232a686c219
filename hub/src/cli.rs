//! The `hub` command line: parses flags and the config file, starts logging, wires
//! signals, and hands over to the library. Lives in the library so the end-to-end tests
//! can build the very same program as a binary of their own.

use crate::config::Config;
use crate::demo;
use crate::server::Server;
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{reload, EnvFilter, Registry};

/// The paperless meeting room hub (phòng họp không giấy).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the hub.
    Serve(Common),
    /// Run the hub with a realistic demo meeting (a district Party congress).
    Demo {
        #[command(flatten)]
        common: Common,
        /// Delegates summoned to the demo congress; its chair, secretariat and screen come
        /// beside them.
        #[arg(long, default_value_t = demo::DEFAULT_DELEGATES)]
        delegates: usize,
    },
    /// Create a meeting from a package directory (meeting.toml, participants.csv) and
    /// print each participant's join URL. Run it while the hub is stopped.
    Import {
        /// The package directory.
        dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Check a signed file (a result, a summary, the minutes' PDF) against the hub's
    /// signature, or a whole meeting dossier (hồ sơ, a .zip), offline. Exits 0 when all
    /// holds, 1 naming the first file that does not.
    Verify(VerifyArgs),
    /// Back up a hub's data (database, documents, keys, tokens) into a new directory OUT,
    /// with a manifest of SHA-256 hashes. A running hub makes the copy itself, without
    /// stopping; a stopped hub's directory is copied directly. The backup is as secret as
    /// the data directory.
    Backup {
        /// The hub's data directory.
        #[arg(long, env = "HUB_DATA")]
        data: PathBuf,
        /// The new (or empty) directory to write the backup into.
        out: PathBuf,
    },
    /// Check a backup against its manifest and restore it into a new (or empty) data
    /// directory; every meeting's hash chain is checked. Run it while no hub uses DIR.
    Restore {
        /// The backup directory (what `hub backup` wrote).
        backup: PathBuf,
        /// The data directory to restore into.
        #[arg(long, env = "HUB_DATA")]
        data: PathBuf,
        /// Only check the backup; restore nothing.
        #[arg(long)]
        check_only: bool,
    },
}

/// `hub verify FILE`.
#[derive(Args, Debug)]
struct VerifyArgs {
    /// The exported file (result.json, result.csv, the minutes' PDF…) or a dossier (.zip).
    file: PathBuf,
    /// The detached signature [default: FILE.sig]; not used for a dossier.
    #[arg(long)]
    signature: Option<PathBuf>,
    /// The hub's public key file (signing.pub, 64 hex digits).
    #[arg(long, conflicts_with = "data")]
    key: Option<PathBuf>,
    /// Or the hub's data directory, to use its signing.pub.
    #[arg(long)]
    data: Option<PathBuf>,
}

/// Settings every command takes; each overrides the config file.
#[derive(Args, Debug)]
struct Common {
    /// Config file (TOML); see deploy/hub.toml.
    #[arg(long, env = "HUB_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory [default: ./hub-data].
    #[arg(long, env = "HUB_DATA")]
    data: Option<PathBuf>,
    /// Address to listen on [default: 0.0.0.0:8080].
    #[arg(long, env = "HUB_LISTEN")]
    listen: Option<SocketAddr>,
    /// Base of the join URLs printed on badges, e.g. https://192.168.1.10:8080.
    #[arg(long, env = "HUB_PUBLIC_URL")]
    public_url: Option<String>,
    /// HTTPS: `self-signed` (the hub's own CA, the default), `files` (tls.cert and
    /// tls.key of the config) or `off` (plain HTTP, behind a proxy or in tests).
    #[arg(long, env = "HUB_TLS", value_parser = parse_tls_mode)]
    tls: Option<crate::config::TlsMode>,
    /// The name announced over mDNS, without `.local` [default: phonghop].
    #[arg(long, env = "HUB_NAME")]
    name: Option<String>,
    /// Whether to announce the name over mDNS [default: true].
    #[arg(long, env = "HUB_ANNOUNCE")]
    announce: Option<bool>,
    /// Keep the data in this PostgreSQL database (store.engine = "postgres"), e.g.
    /// postgres://hub:PASSWORD@10.0.0.5/phonghop: a second hub on it is the standby.
    #[arg(long, env = "HUB_STORE_URL", hide_env_values = true)]
    store_url: Option<String>,
}

fn parse_tls_mode(text: &str) -> Result<crate::config::TlsMode, String> {
    use crate::config::TlsMode;
    match text {
        "self-signed" => Ok(TlsMode::SelfSigned),
        "files" => Ok(TlsMode::Files),
        "off" => Ok(TlsMode::Off),
        other => Err(format!("{other:?}: give self-signed, files or off")),
    }
}

impl Common {
    fn config(&self) -> anyhow::Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        if let Some(data) = &self.data {
            config.data.clone_from(data);
        }
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(url) = &self.public_url {
            config.public_url = Some(url.clone());
        }
        if let Some(mode) = self.tls {
            config.tls.mode = mode;
            if mode == crate::config::TlsMode::Off {
                config.tls.redirect_listen = None;
            }
        }
        if let Some(name) = &self.name {
            config.name.host.clone_from(name);
        }
        if let Some(announce) = self.announce {
            config.name.announce = announce;
        }
        if let Some(url) = &self.store_url {
            config.store.engine = crate::config::StoreEngine::Postgres;
            config.store.url = Some(url.clone());
        }
        config.normalise();
        config.validate()?;
        Ok(config)
    }
}

/// Runs the `hub` program with the process's arguments.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Serve(common) => {
            let config = common.config()?;
            init_logging(&config.log);
            if config.store.engine == crate::config::StoreEngine::Postgres {
                return serve_with_standby(config).await;
            }
            let (listener, redirect, server) = bind_and_open(config).await?;
            server
                .serve_with_redirect(listener, redirect, shutdown_signal())
                .await
        }
        Cmd::Demo { common, delegates } => {
            let config = common.config()?;
            let logging = init_logging(&config.log);
            run_demo(config, delegates, &logging).await
        }
        Cmd::Import { dir, common } => {
            let config = common.config()?;
            init_logging(&config.log);
            let package = crate::import::read_package(&dir, config.quorum)?;
            let bound = config.listen;
            let server = Server::open(config, bound).await?;
            let imported = server.import(package).await?;
            server.state().store.flush().await?;
            println!(
                "Imported meeting {} with {} participants:",
                imported.meeting,
                imported.participants.len()
            );
            for issued in &imported.participants {
                let p = &issued.participant;
                println!(
                    "{}\t{}\t{}\t{}",
                    p.seat.as_deref().unwrap_or("-"),
                    p.role,
                    p.name,
                    issued.join_url
                );
            }
            Ok(())
        }
        Cmd::Verify(args) => verify(&args),
        Cmd::Backup { data, out } => backup(&data, &out).await,
        Cmd::Restore {
            backup,
            data,
            check_only,
        } => restore(&backup, &data, check_only),
    }
}

/// `hub backup`: asks the running hub, or copies a stopped one's directory.
async fn backup(data: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    // The hub runs elsewhere (another working directory): it is told an absolute path.
    let out = std::path::absolute(out).with_context(|| format!("{}", out.display()))?;
    let made = match crate::backup::control::ask_backup(data, &out).await? {
        Some(made) => made,
        None if !data.join(crate::store::DATABASE_FILE).is_file() => {
            anyhow::bail!(
                "{} holds no hub's data (no {})",
                data.display(),
                crate::store::DATABASE_FILE
            )
        }
        None => {
            let store = crate::store::Store::open(data).with_context(|| {
                format!(
                    "no hub answers on {}, and its database cannot be opened",
                    data.join(crate::backup::control::SOCKET_FILE).display()
                )
            })?;
            let data = data.to_owned();
            let target = out.clone();
            tokio::task::spawn_blocking(move || crate::backup::make(&store, &data, &target))
                .await??
        }
    };
    println!(
        "BACKUP MADE: {} ({} files, {} bytes, {} meetings) in {} ms. It holds every token \
         and key of the hub: keep it as secret as the hub itself.",
        made.out.display(),
        made.files,
        made.bytes,
        made.meetings,
        made.millis
    );
    Ok(())
}

/// `hub restore`.
fn restore(
    backup: &std::path::Path,
    data: &std::path::Path,
    check_only: bool,
) -> anyhow::Result<()> {
    if check_only {
        let manifest = crate::backup::check(backup)?;
        println!(
            "BACKUP VALID: {} files as the manifest lists them, {} meetings",
            manifest.files.len(),
            manifest.logs.len()
        );
        return Ok(());
    }
    let restored = crate::backup::restore(backup, data)?;
    println!(
        "RESTORED into {}: {} files, each as the manifest lists it; {} meetings, every hash \
         chain unbroken:",
        data.display(),
        restored.manifest.files.len(),
        restored.logs.len()
    );
    for log in &restored.logs {
        println!(
            "  {} up to seq {} (chain {})",
            log.meeting, log.last_seq, log.last_chain
        );
    }
    Ok(())
}

fn verify(args: &VerifyArgs) -> anyhow::Result<()> {
    let read = |path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    };
    if is_zip(&args.file) {
        return verify_dossier(args);
    }
    let bytes = read(&args.file)?;
    // A secret poll's sealed box is checked first, from the file alone: nobody need trust
    // the hub's key to know the count is the sum of the ballots.
    let sealed = crate::export::check_sealed(&bytes);
    match &sealed {
        Ok(Some(summary)) => println!("SEALED BOX VALID: {summary}"),
        Ok(None) => {}
        Err(why) => println!("SEALED BOX INVALID: {why}"),
    }
    let sig_path = args.signature.clone().unwrap_or_else(|| {
        let mut p = args.file.clone().into_os_string();
        p.push(".sig");
        PathBuf::from(p)
    });
    let signature = String::from_utf8_lossy(&read(&sig_path)?).into_owned();
    let key_path = match (&args.key, &args.data) {
        (Some(key), _) => key.clone(),
        (None, Some(data)) => data.join(crate::signing::PUBLIC_KEY_FILE),
        (None, None) => PathBuf::from(crate::signing::PUBLIC_KEY_FILE),
    };
    let key = String::from_utf8_lossy(&read(&key_path)?).into_owned();
    let signed = match crate::signing::verify(&key, &bytes, &signature) {
        Ok(true) => {
            println!(
                "VALID: {} is exactly as the hub signed it (key {})",
                args.file.display(),
                key.trim()
            );
            Ok(())
        }
        Ok(false) => Err(anyhow::anyhow!(
            "ALTERED: the signature does not match {}: the file was changed after the hub \
             signed it, or it was signed by another key",
            args.file.display()
        )),
        Err(why) => Err(anyhow::anyhow!("cannot check the signature: {why}")),
    };
    if let Err(why) = sealed {
        anyhow::bail!(
            "the sealed box of {} does not hold: {why}",
            args.file.display()
        );
    }
    signed
}

/// Whether the file is a zip archive (a dossier), by its first bytes.
fn is_zip(path: &std::path::Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| magic == *b"PK\x03\x04")
}

fn verify_dossier(args: &VerifyArgs) -> anyhow::Result<()> {
    let key_path = match (&args.key, &args.data) {
        (Some(key), _) => Some(key.clone()),
        (None, Some(data)) => Some(data.join(crate::signing::PUBLIC_KEY_FILE)),
        (None, None) => None,
    };
    let key = match &key_path {
        Some(p) => Some(
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        ),
        None => None,
    };
    let file = args.file.display();
    match crate::record::verify::verify(&args.file, key.as_deref()) {
        Ok(v) => {
            let m = &v.manifest;
            println!(
                "VALID: the dossier {file} of meeting {} ({}) holds: {} files, each as listed \
                 in the manifest the hub signed; the event log runs from seq 1 to {} with an \
                 unbroken hash chain (last {}); key {}",
                m.meeting,
                m.title,
                m.files.len(),
                m.last_seq,
                m.last_chain,
                m.key
            );
            if v.own_key {
                println!(
                    "  note: checked with the key the dossier names; pass --key signing.pub \
                     (GET /api/v1/signing-key from your hub) to be sure which hub signed it"
                );
            }
            Ok(())
        }
        Err(failure) => anyhow::bail!("ALTERED: the dossier {file} does not hold: {failure}"),
    }
}

/// `hub serve` on PostgreSQL: standby until this hub takes the lease, then the hub. A hub
/// that loses the lease stops with an error; its service manager starts it again, as the
/// standby.
async fn serve_with_standby(config: Config) -> anyhow::Result<()> {
    let (listener, redirect, config) = bind(config).await?;
    let bound = listener.local_addr()?;
    let url = config.store.url.clone().context("store.url")?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    // Tests and scripts wait for this exact line.
    println!("standby on {bound}");
    let waited = crate::server::standby::wait_for_lease(
        &config,
        &listener,
        &url,
        until_stopped(stopped.clone()),
    );
    let Some(lease) = waited.await? else {
        return Ok(());
    };
    let epoch = lease.epoch();
    let server = Server::open_leased(config.clone(), bound, lease).await?;
    announce(&config, &listener, redirect.as_ref(), &server)?;
    println!("holding the hall (epoch {epoch})");
    server
        .serve_with_redirect(listener, redirect, until_stopped(stopped))
        .await
}

/// Binds `listen` (and the redirect's port, with HTTPS); the config then says the
/// redirect's real port.
async fn bind(mut config: Config) -> anyhow::Result<(TcpListener, Option<TcpListener>, Config)> {
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let redirect = match config.tls.redirect_listen {
        Some(addr) if config.tls.enabled() => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (tls.redirect_listen)"))?,
        ),
        _ => None,
    };
    if let Some(redirect) = &redirect {
        // The port it got, when it asked for 0: the CA page's link on the badges needs it.
        config.tls.redirect_listen = Some(redirect.local_addr()?);
    }
    Ok((listener, redirect, config))
}

async fn bind_and_open(
    config: Config,
) -> anyhow::Result<(TcpListener, Option<TcpListener>, Server)> {
    let (listener, redirect, config) = bind(config).await?;
    let bound = listener.local_addr()?;
    let server = Server::open(config.clone(), bound).await?;
    announce(&config, &listener, redirect.as_ref(), &server)?;
    Ok((listener, redirect, server))
}

/// Prints where the hub serves.
fn announce(
    config: &Config,
    listener: &TcpListener,
    redirect: Option<&TcpListener>,
    server: &Server,
) -> anyhow::Result<()> {
    let bound = listener.local_addr()?;
    let scheme = if config.tls.enabled() {
        "https"
    } else {
        "http"
    };
    // Tests and scripts wait for this exact line.
    println!("listening on {scheme}://{bound}");
    if let Some(redirect) = redirect {
        println!("redirecting http://{} to HTTPS", redirect.local_addr()?);
    }
    if let Some(ca) = &server.state().ca_page {
        println!(
            "tablets install the hub's certificate from {} (SHA-256 {})",
            ca.url, ca.fingerprint
        );
    }
    Ok(())
}

/// `hub demo`: serves the hub as `hub serve` does and, meanwhile, seeds the demo through
/// its HTTP API like any other client; a demo that cannot be seeded stops the hub.
async fn run_demo(config: Config, delegates: usize, logging: &Logging) -> anyhow::Result<()> {
    let (listener, redirect, server) = bind_and_open(config.clone()).await?;
    let hub = demo::Hub::new(&config, listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        tokio::select! {
            () = shutdown_signal() => {}
            Ok(()) = stopped => {}
        }
    };
    let mut serving = tokio::spawn(server.serve_with_redirect(listener, redirect, signal));
    // The seed's own requests, one by one, would bury the summary.
    logging.quiet_requests(true);
    let seeding = demo::seed(&hub, delegates);
    tokio::select! {
        seeded = seeding => match seeded {
            Ok(info) => {
                logging.quiet_requests(false);
                demo::print_summary(&info, &config.data);
            }
            Err(e) => {
                let _ = stop.send(());
                if let Ok(Err(served)) = serving.await {
                    tracing::error!(error = %served, "the hub stopped with an error");
                }
                return Err(e.context("the demo could not be seeded"));
            }
        },
        // Stopped (Ctrl-C) before the demo was ready.
        served = &mut serving => return served?,
    }
    serving.await?
}

/// The log filter: `RUST_LOG` if set, else the config's `log`; and never the WebSocket
/// library's frame traces, whatever either says.
pub fn log_filter(default: &str) -> EnvFilter {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    without_frame_traces(filter)
}

/// At `trace`, tungstenite writes every frame it reads or writes (in text, and again in
/// hex): a `hello` with its token, a secret ballot with its choices. The hub logs no frame
/// itself, so those targets are capped at `debug`, which carries no payload.
fn without_frame_traces(filter: EnvFilter) -> EnvFilter {
    ["tungstenite=debug", "tokio_tungstenite=debug"]
        .into_iter()
        .filter_map(|d| d.parse().ok())
        .fold(filter, |filter, directive| filter.add_directive(directive))
}

/// Logging to stderr, filtered by `RUST_LOG` or else the config's `log`.
struct Logging {
    /// The config's filter, when `RUST_LOG` does not replace it.
    configured: Option<String>,
    filter: reload::Handle<EnvFilter, Registry>,
}

impl Logging {
    /// Leaves the request log out (`hub::transport` at `warn`), or puts it back; a filter
    /// given in `RUST_LOG` is kept as it is.
    fn quiet_requests(&self, quiet: bool) {
        let Some(configured) = &self.configured else {
            return;
        };
        let directives = if quiet {
            format!("{configured},hub::transport=warn")
        } else {
            configured.clone()
        };
        let filter = without_frame_traces(EnvFilter::new(directives));
        if let Err(e) = self.filter.reload(filter) {
            tracing::debug!(error = %e, "the log filter stays as it was");
        }
    }
}

fn init_logging(filter: &str) -> Logging {
    let configured = match std::env::var("RUST_LOG") {
        Ok(_) => None,
        Err(_) => Some(filter.to_owned()),
    };
    let (env_filter, handle) = reload::Layer::new(log_filter(filter));
    tracing_subscriber::registry()
        .with(env_filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .init();
    Logging {
        configured,
        filter: handle,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
