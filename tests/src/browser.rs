//! Real browsers for the web UI's tests: Debian's `chromium`, headless, driven over
//! WebDriver by `chromedriver` (the `chromium-driver` package) with `fantoccini`.
//!
//! WebDriver rather than the DevTools protocol: `chromedriver` ships with Debian's chromium
//! at the same version, and fantoccini is a small client, where a CDP crate brings the
//! whole generated protocol to compile. Each [`Page`] is its own browser with its own
//! profile, so a delegate, a chair and the projector hold separate cookies, as on separate
//! devices.

use crate::GUARD;
use anyhow::bail;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The browsers' own time zone: see [`Driver::start`].
pub const BROWSER_ZONE: &str = "America/Los_Angeles";

/// A tablet in portrait, the size the delegate's screen is designed for.
pub const TABLET: (u32, u32) = (800, 1280);
/// A hall projector.
pub const PROJECTOR: (u32, u32) = (1920, 1080);

/// A running `chromedriver`; dropping it stops the driver and its browsers.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    url: String,
    /// The browsers' home, whose NSS database trusts a hub's CA ([`Driver::start_trusting`]).
    _home: Option<tempfile::TempDir>,
}

impl Driver {
    /// Starts `chromedriver` on a free port. Fails, saying what to install, when chromium
    /// or its driver is missing: a browser test that cannot run must not pass.
    pub async fn start() -> Driver {
        Self::start_in(None).await
    }

    /// [`Driver::start`], with browsers that trust the certificate authority in `ca_pem`
    /// as a tablet does once it installed the hub's CA: it goes into the NSS database of
    /// the browsers' own home (`certutil`, Debian's `libnss3-tools`), where chromium on
    /// Linux reads the roots a user added.
    pub async fn start_trusting(ca_pem: &Path) -> Driver {
        let home = tempfile::tempdir().expect("a home for the browsers");
        let nssdb = home.path().join(".pki/nssdb");
        std::fs::create_dir_all(&nssdb).expect("the NSS database's directory");
        let db = format!("sql:{}", nssdb.display());
        let certutil = |args: &[&str]| {
            let status = std::process::Command::new("certutil")
                .args(args)
                .status()
                .expect("certutil is missing: apt-get install libnss3-tools");
            assert!(status.success(), "certutil {args:?} failed");
        };
        certutil(&["-N", "-d", &db, "--empty-password"]);
        let ca = ca_pem.display().to_string();
        certutil(&["-A", "-d", &db, "-n", "hub-ca", "-t", "C,,", "-i", &ca]);
        Self::start_in(Some(home)).await
    }

    async fn start_in(home: Option<tempfile::TempDir>) -> Driver {
        for (path, what) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")] {
            assert!(
                Path::new(path).exists(),
                "{what} is missing at {path}: the browser tests need Debian's \
                 `apt-get install chromium chromium-driver` (.ci/run installs them)"
            );
        }
        // chromedriver cannot be handed a listener: take a free port and give it back.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(CHROMEDRIVER);
        if let Some(home) = &home {
            command.env("HOME", home.path());
        }
        let mut child = command
            .arg(format!("--port={port}"))
            // The browsers run far from Viet Nam (UTC-8/-7, often another day), so a time
            // the page shows or reads on the browser's clock instead of Viet Nam's
            // (Asia/Ho_Chi_Minh) fails the tests instead of passing by luck.
            .env("TZ", BROWSER_ZONE)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            // Its own process group, which the browsers it starts join: dropping the driver
            // ends them all (killing chromedriver alone leaves them running, orphaned).
            .process_group(0)
            .spawn()
            .expect("starting chromedriver");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        crate::guard("chromedriver to start", async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("started successfully") {
                    return;
                }
            }
            panic!("chromedriver exited before it started");
        })
        .await;
        // Keep reading so the driver never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _home: home,
        }
    }

    /// A new browser with its own profile, its viewport `size` (CSS pixels).
    pub async fn page(&self, size: (u32, u32)) -> Page {
        self.page_saving_to(size, None).await
    }

    /// A new browser whose downloads go, without asking, into `downloads`.
    pub async fn page_with_downloads(&self, size: (u32, u32), downloads: &Path) -> Page {
        self.page_saving_to(size, Some(downloads)).await
    }

    async fn page_saving_to(&self, size: (u32, u32), downloads: Option<&Path>) -> Page {
        let prefs = downloads.map(|dir| {
            json!({
                "download.default_directory": dir,
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            })
        });
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--force-device-scale-factor=1",
                    "--lang=vi-VN",
                    format!("--window-size={},{}", size.0, size.1),
                ],
                "prefs": prefs.unwrap_or_else(|| json!({})),
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = crate::guard("a browser session", async {
            // chromedriver speaks plain HTTP on 127.0.0.1: no TLS, so no C to build.
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&self.url)
                .await
                .expect("a chromium session from chromedriver")
        })
        .await;
        let page = Page { client };
        page.fit_viewport(size).await;
        page
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(group) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
    }
}

/// One browser tab, with waits bounded by [`GUARD`].
#[derive(Debug)]
pub struct Page {
    pub client: Client,
}

impl Page {
    /// `--window-size` sets the window, and the viewport may come out a little smaller:
    /// grow the window by the difference so the page sees exactly `size`.
    async fn fit_viewport(&self, size: (u32, u32)) {
        let inner = self
            .eval("return [window.innerWidth, window.innerHeight];")
            .await;
        let w = inner[0].as_u64().unwrap_or(0) as u32;
        let h = inner[1].as_u64().unwrap_or(0) as u32;
        if (w, h) != size {
            let _ = self
                .client
                .set_window_size(
                    size.0 + (size.0 - w.min(size.0)),
                    size.1 + (size.1 - h.min(size.1)),
                )
                .await;
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Runs `script` (a function body: use `return`) in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("running {script:?} in the page: {e}"))
    }

    /// Waits until `css` matches an element, and returns its text.
    pub async fn wait_for(&self, css: &str) -> String {
        self.wait_until(&format!("an element {css}"), |_| true, css)
            .await
    }

    /// Waits until the text of the first element matching `css` satisfies `ok`.
    pub async fn wait_text(&self, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_until(what, ok, css).await
    }

    async fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool, css: &str) -> String {
        let deadline = tokio::time::Instant::now() + GUARD;
        let mut last = String::from("(no such element)");
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if ok(&text) {
                        return text;
                    }
                    last = text;
                }
            }
            if tokio::time::Instant::now() > deadline {
                let body = self
                    .client
                    .find(Locator::Css("body"))
                    .await
                    .ok()
                    .map(|b| async move { b.text().await.unwrap_or_default() });
                let body = match body {
                    Some(f) => f.await,
                    None => String::new(),
                };
                panic!(
                    "timed out after {GUARD:?} waiting for {what} ({css}); last text: {last:?}\n\
                     page text:\n{body}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the first element matching `css`, waiting for it to appear.
    pub async fn click(&self, css: &str) {
        self.wait_for(css).await;
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        el.click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// Types `text` into the first element matching `css`, waiting for it to appear.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_for(css).await;
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    /// Saves a PNG of the viewport as `name.png` in `target/screenshots/`, and also in
    /// `docs/screenshots/` when `UPDATE_SCREENSHOTS=1`. Returns the PNG.
    pub async fn screenshot(&self, name: &str) -> Vec<u8> {
        // Let fonts and the last frame settle; a screenshot is a picture, not a check.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));",
                vec![],
            )
            .await;
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        for dir in screenshot_dirs() {
            std::fs::create_dir_all(&dir).expect("creating the screenshot folder");
            std::fs::write(dir.join(format!("{name}.png")), &png).expect("writing a screenshot");
        }
        png
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn screenshot_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![target_dir().join("screenshots")];
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"));
    }
    dirs
}

/// The cargo target folder: the test runs from `target/<profile>/deps/`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Rewrites a hub URL (`http://127.0.0.1:PORT/j/…`) to go through `addr` instead, e.g. a
/// [`crate::relay::Relay`] that a test can cut.
pub fn via(url: &str, addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("not an http URL: {url}");
    };
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Ok(format!("http://{addr}{path}"))
}
