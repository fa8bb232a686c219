//! The serving loop: hyper's HTTP/1 on each accepted connection, bounded so that a slow or
//! silent client costs a bounded amount.
//!
//! `axum::serve` does not let us set hyper's header read timeout, nor refuse a connection
//! before it is served, so the hub runs hyper itself:
//!
//! - **At the door** the [`Gate`] counts pending connections in all and per address;
//!   past either limit the connection gets a fixed `503` and is closed, unread.
//! - **TLS**, when the hub serves HTTPS, is negotiated in the connection's own task within
//!   the header timeout, the connection still counted as pending (see [`serve`]).
//! - **Headers** must arrive within `header_timeout_secs` (hyper's `header_read_timeout`),
//!   which also closes a keep-alive connection idle that long.
//! - **Bodies** and **whole requests** are timed by tower-http's layers in
//!   `transport::router` (`RequestBodyTimeoutLayer`, `TimeoutLayer`).
//! - **Shutdown** stops accepting and asks every connection to finish (hyper's
//!   `graceful_shutdown`: idle ones close, requests in progress complete, bounded by the
//!   request timeout); the WebSocket sessions are the caller's, which waits for them.

use crate::transport::gate::{Gate, Refusal};
use crate::transport::AppState;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

/// Where a connection came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    /// `listen`: HTTPS (or plain HTTP with TLS off).
    Main,
    /// `tls.redirect_listen`: plain HTTP, answered by the redirect and the CA page.
    Redirect,
}

/// What [`serve`] serves: the hub's router, and with HTTPS the acceptor and the router for
/// plain HTTP (`super::plain`).
pub(super) struct Routers {
    pub(super) hub: Router,
    pub(super) tls: Option<(crate::tls::HallTls, Router)>,
}

/// Serves on `listener` (and `redirect`) until `signal` resolves, then waits (at most the
/// request timeout) for the requests in progress.
///
/// With HTTPS, a connection on `listen` whose first byte is not a TLS handshake is plain
/// HTTP: from this machine itself (a reverse proxy, monitoring, `hub demo`'s seeding) it is
/// served as it is, from anywhere else it gets the redirect to HTTPS and the CA page.
pub(super) async fn serve(
    state: Arc<AppState>,
    routers: Routers,
    listener: TcpListener,
    redirect: Option<TcpListener>,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let limits = &state.config.limits;
    let gate = Gate::new(
        limits.max_pending_connections,
        limits.max_pending_per_address,
    );
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout())
        // Headers of a few KiB are all a browser or a tablet sends.
        .max_buf_size(64 * 1024);
    let handshake_timeout = limits.header_timeout();
    let connections = tokio_util::task::TaskTracker::new();
    let (stopping, stop) = tokio::sync::watch::channel(false);
    tokio::pin!(signal);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted.map(|a| (a, Door::Main)),
            accepted = accept_maybe(redirect.as_ref()) => accepted.map(|a| (a, Door::Redirect)),
            () = &mut signal => break,
        };
        let ((tcp, peer), door) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let pending = match gate.admit(peer.ip()) {
            Ok(pending) => pending,
            Err(why) => {
                tokio::spawn(refuse(tcp, why));
                continue;
            }
        };
        // Small frames follow each other (an event, then its ack): with Nagle's algorithm
        // the second waits for the tablet's delayed ACK, some 40 ms. Send at once.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let hub = routers.hub.clone();
        let tls = routers.tls.clone();
        let http = http.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            let Some((tls, plain)) = tls else {
                return connection(&http, TokioIo::new(tcp), hub, peer, pending, stop).await;
            };
            if door == Door::Redirect {
                return connection(&http, TokioIo::new(tcp), plain, peer, pending, stop).await;
            }
            let mut first = [0u8; 1];
            match tokio::time::timeout(handshake_timeout, tcp.peek(&mut first)).await {
                Ok(Ok(1..)) => {}
                _ => return,
            }
            // 0x16: a TLS record of type handshake, the ClientHello.
            if first[0] != 0x16 {
                let router = if peer.ip().is_loopback() { hub } else { plain };
                return connection(&http, TokioIo::new(tcp), router, peer, pending, stop).await;
            }
            let accepted = tokio::time::timeout(handshake_timeout, tls.acceptor().accept(tcp));
            match accepted.await {
                Ok(Ok(stream)) => {
                    connection(&http, TokioIo::new(stream), hub, peer, pending, stop).await;
                }
                Ok(Err(e)) => tracing::debug!(error = %e, %peer, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
    drop(listener);
    drop(redirect);
    let _ = stopping.send(true);
    connections.close();
    let wait = limits.request_timeout();
    if tokio::time::timeout(wait, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("requests still in progress {wait:?} after shutdown began were cut");
    }
    Ok(())
}

/// Accepts on `listener`, or never when there is none.
async fn accept_maybe(
    listener: Option<&TcpListener>,
) -> std::io::Result<(TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// Serves one connection with `router` until it ends or the hub stops.
async fn connection<I>(
    http: &hyper::server::conn::http1::Builder,
    io: I,
    router: Router,
    peer: std::net::SocketAddr,
    pending: Arc<crate::transport::gate::Pending>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(pending.clone());
        router.clone().oneshot(request.map(axum::body::Body::new))
    });
    let connection = http.serve_connection(io, service).with_upgrades();
    tokio::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        () = async { drop(stop.wait_for(|stop| *stop).await) } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, %peer, "connection ended with an error");
    }
}

/// Tells a client the hub is full, without reading what it sent, and closes.
async fn refuse(mut tcp: TcpStream, why: Refusal) {
    let message = match why {
        Refusal::Address => "too many connections from this address are waiting; try again shortly",
        Refusal::Total => "the hub has as many waiting connections as it takes; try again shortly",
    };
    let body = format!("{{\"code\":\"busy\",\"message\":\"{message}\"}}");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // A client that does not take even this is not waited for.
    let write = async {
        tcp.write_all(response.as_bytes()).await?;
        tcp.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
}
