//! A TCP relay between a tablet and the hub that a test can degrade: swallow what the hub
//! sends (the tablet hears nothing, as when Wi-Fi fails one way), then cut every connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A running relay; dropping it stops accepting.
#[derive(Debug)]
pub struct Relay {
    pub addr: SocketAddr,
    swallow: Arc<AtomicBool>,
    refuse: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    /// Relays 127.0.0.1:PORT to `hub`.
    pub async fn start(hub: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the relay");
        let addr = listener.local_addr().expect("the relay's address");
        let swallow = Arc::new(AtomicBool::new(false));
        let (cut, cuts) = watch::channel(0u64);
        let refuse = Arc::new(AtomicBool::new(false));
        let flag = swallow.clone();
        let down = refuse.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(hub).await else {
                    continue;
                };
                tokio::spawn(pipe(client, server, flag.clone(), cuts.clone()));
            }
        });
        Relay {
            addr,
            swallow,
            refuse,
            cut,
            task,
        }
    }

    /// From now on, what the hub sends is read and dropped, not passed on.
    pub fn swallow_replies(&self, on: bool) {
        self.swallow.store(on, Ordering::SeqCst);
    }

    /// Closes every relayed connection now; new ones are relayed normally.
    pub fn cut(&self) {
        self.swallow_replies(false);
        self.cut.send_modify(|n| *n += 1);
    }

    /// The network is gone: every relayed connection is cut and new ones are closed as
    /// soon as they are accepted, until [`Relay::restore`].
    pub fn go_down(&self) {
        self.refuse.store(true, Ordering::SeqCst);
        self.cut();
    }

    /// The network is back: connections are relayed again.
    pub fn restore(&self) {
        self.refuse.store(false, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    swallow: Arc<AtomicBool>,
    mut cuts: watch::Receiver<u64>,
) {
    cuts.mark_unchanged();
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = async {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = client_read.read(&mut buf).await {
            if n == 0 || server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    let down = async {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = server_read.read(&mut buf).await {
            if n == 0 {
                break;
            }
            if !swallow.load(Ordering::SeqCst) && client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cuts.changed() => {}
    }
}
