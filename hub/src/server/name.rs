//! The hub's name on the LAN: it announces itself over mDNS / DNS-SD (`phonghop.local` by
//! default) with the mdns-sd crate, so that a tablet or a laptop finds it without anyone
//! typing an address. Where multicast does not reach (another subnet, a guest Wi-Fi that
//! isolates clients), the office adds a DNS entry instead (deploy/INSTALL.md).

use crate::config::Config;
use mdns_sd::{ServiceDaemon, ServiceInfo};
use std::net::SocketAddr;

/// The service type announced: a web server, with TLS or without.
pub fn service_type(https: bool) -> &'static str {
    if https {
        "_https._tcp.local."
    } else {
        "_http._tcp.local."
    }
}

/// A running announcement; dropping it says goodbye on the network.
pub struct Announcement {
    daemon: ServiceDaemon,
}

impl std::fmt::Debug for Announcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announcement").finish_non_exhaustive()
    }
}

impl Drop for Announcement {
    fn drop(&mut self) {
        let _ = self.daemon.shutdown();
    }
}

/// Announces `HOST.local` and the hub's web service on `bound`'s port, on every interface.
/// A failure (no multicast on this machine) is logged, not fatal: the hub still serves its
/// addresses.
pub fn announce(config: &Config, bound: SocketAddr) -> Option<Announcement> {
    if !config.name.announce {
        return None;
    }
    let host = format!("{}.local.", config.name.host);
    let ip = if bound.ip().is_unspecified() {
        String::new()
    } else {
        bound.ip().to_string()
    };
    let started = ServiceDaemon::new().and_then(|daemon| {
        let info = ServiceInfo::new(
            service_type(config.tls.enabled()),
            // The instance's name, as a phone's service browser lists it.
            &format!("Phòng họp {}", config.name.host),
            &host,
            ip.as_str(),
            bound.port(),
            &[("path", "/")][..],
        )?;
        let info = if bound.ip().is_unspecified() {
            info.enable_addr_auto()
        } else {
            info
        };
        daemon.register(info)?;
        Ok(daemon)
    });
    match started {
        Ok(daemon) => {
            tracing::info!(name = %config.name.local_name(), port = bound.port(), "announced over mDNS");
            Some(Announcement { daemon })
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot announce the hub's name over mDNS; tablets need its address or a DNS entry");
            None
        }
    }
}
