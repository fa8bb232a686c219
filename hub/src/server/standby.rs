//! A hub on PostgreSQL that does not hold the hall: the standby.
//!
//! It listens on its address like any hub, so that tablets and load balancers can tell it
//! is there, and answers every request with `503 {"code":"standby",...}` and `Retry-After`
//! (`/healthz` too, with `"status":"standby"`): a tablet that reaches it tries the next hub
//! it knows. Every [`LEASE_POLL`] it tries for the lease; when it gets it, it stops
//! answering, and the caller opens the store under that lease, loads the meetings from
//! PostgreSQL and serves on the same listener.

use crate::config::Config;
use crate::store::{Contender, Lease, StoreError, LEASE_POLL};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Answers while this hub is standby: everything is "try another hub".
fn router() -> Router {
    Router::new()
        .route("/healthz", get(|| async { standby("standby") }))
        .fallback(|| async { standby("") })
}

fn standby(status: &str) -> Response {
    let mut body = serde_json::json!({
        "code": "standby",
        "message": "Máy chủ này đang dự phòng; hãy kết nối máy chủ đang phục vụ phòng họp. \
                    This hub is the standby; connect to the hub that serves the hall.",
    });
    if !status.is_empty() {
        body["status"] = status.into();
    }
    (
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::RETRY_AFTER, "1")],
        axum::Json(body),
    )
        .into_response()
}

/// Answers on `listener` as the standby until this hub takes the lease on the database
/// at `url`, and returns it; `None` if `signal` resolved first. A database that cannot be
/// reached is tried again every [`LEASE_POLL`], while the standby answers.
pub async fn wait_for_lease(
    config: &Config,
    listener: &TcpListener,
    url: &str,
    signal: impl Future<Output = ()>,
) -> anyhow::Result<Option<Lease>> {
    let bound = listener.local_addr()?;
    let tls = crate::tls::HallTls::open(config, bound)?;
    let holder = holder_name(bound);
    let connections = tokio_util::task::TaskTracker::new();
    let mut contender: Option<Contender> = None;
    let mut tick = tokio::time::interval(LEASE_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(signal);
    let lease = loop {
        tokio::select! {
            () = &mut signal => break None,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                connections.spawn(answer(tcp, tls.clone()));
            }
            _ = tick.tick() => {
                let (url, holder, held) = (url.to_owned(), holder.clone(), contender.take());
                let tried = tokio::task::spawn_blocking(move || try_once(held, &url, &holder)).await?;
                match tried {
                    Ok(Ok(lease)) => break Some(lease),
                    Ok(Err(back)) => contender = Some(back),
                    Err(e) => tracing::warn!(error = %e, "standby: cannot reach PostgreSQL; trying again"),
                }
            }
        }
    };
    // Connections answered as standby are closed: their clients come back to the hub.
    connections.close();
    let _ = tokio::time::timeout(Duration::from_secs(1), connections.wait()).await;
    Ok(lease)
}

/// One try for the lease, connecting first if needed.
fn try_once(
    contender: Option<Contender>,
    url: &str,
    holder: &str,
) -> Result<Result<Lease, Contender>, StoreError> {
    let contender = match contender {
        Some(c) => c,
        None => Contender::connect(url)?,
    };
    contender.try_take(holder)
}

/// Who holds the hall, as `hub_lease.holder` records it: the machine and its address.
fn holder_name(bound: std::net::SocketAddr) -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!("{} {bound} pid {}", host.trim(), std::process::id())
}

/// Answers one connection as the standby (over TLS when the hub serves HTTPS).
async fn answer(tcp: tokio::net::TcpStream, tls: Option<crate::tls::HallTls>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10));
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            router().oneshot(request.map(axum::body::Body::new))
        });
    let served = async {
        match tls {
            None => http.serve_connection(TokioIo::new(tcp), service).await.ok(),
            Some(tls) => {
                let stream = tls.acceptor().accept(tcp).await.ok()?;
                http.serve_connection(TokioIo::new(stream), service)
                    .await
                    .ok()
            }
        }
    };
    // A standby's answers are small; nobody is waited on for long.
    let _ = tokio::time::timeout(Duration::from_secs(20), served).await;
}
