//! The web UI: static files from `hub/web/`, built into the binary so that a hub is one
//! file to copy. `/` is the single app shell; the role's screen is chosen in the browser.
//!
//! Every file is served with its SHA-256 as a strong `ETag` and `Cache-Control: no-cache`,
//! so a tablet revalidates (a cheap 304) and never runs the scripts of an older hub.

use std::borrow::Cow;

use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::{EmbeddedFile, RustEmbed};

use super::ApiError;

/// The UI's own files. `node_modules` is npm's; only pdf.js is taken from it, below.
#[derive(RustEmbed)]
#[folder = "web/"]
#[exclude = "node_modules/*"]
#[exclude = "package.json"]
#[exclude = "package-lock.json"]
struct WebFiles;

/// pdf.js from the npm package `pdfjs-dist` (hub/build.rs installs it).
#[derive(RustEmbed)]
#[folder = "web/node_modules/pdfjs-dist/build/"]
#[include = "pdf.min.mjs"]
#[include = "pdf.worker.min.mjs"]
#[exclude = "*.map"]
struct PdfJs;

/// SHA-256 in JavaScript from the npm package `js-sha256`: `crypto.subtle` exists only in a
/// secure context, and a hub on `http://192.168.x.x` is not one, yet a tablet must check a
/// download before it reports holding it.
#[derive(RustEmbed)]
#[folder = "web/node_modules/js-sha256/build/"]
#[include = "sha256.min.mjs"]
struct Sha256Js;

/// The sealed ballot box for the browser: `ballot-box-wasm`, which hub/build.rs compiles
/// for wasm32 into `OUT_DIR`.
static BALLOT_BOX_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ballot-box.wasm"));

/// What the app shell may load: only the hub itself. pdf.js needs `blob:` for its worker's
/// fonts and images; the WebSocket is same-origin (`'self'` covers ws/wss);
/// `'wasm-unsafe-eval'` lets the page compile the ballot box's WebAssembly (and nothing
/// else: no `eval`).
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     img-src 'self' data: blob:; font-src 'self' data: blob:; \
     worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /`: the app shell.
pub(super) async fn index(headers: HeaderMap) -> Response {
    serve(WebFiles::get("index.html"), "index.html", &headers)
}

/// `GET /e/{code}`: the enrolment page a person's QR code opens (the code stays in the
/// page's address; the page sends it with the PIN).
pub(super) async fn enrol_page(headers: HeaderMap) -> Response {
    serve(WebFiles::get("enrol.html"), "enrol.html", &headers)
}

/// `GET /home`: an enrolled tablet's home page, its person's meetings.
pub(super) async fn home_page(headers: HeaderMap) -> Response {
    serve(WebFiles::get("home.html"), "home.html", &headers)
}

/// `GET /sw.js`: the service worker must be served from `/` to control the whole page.
pub(super) async fn service_worker(headers: HeaderMap) -> Response {
    serve(WebFiles::get("sw.js"), "sw.js", &headers)
}

/// `GET /js/…`.
pub(super) async fn script(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let name = format!("js/{path}");
    serve(WebFiles::get(&name), &name, &headers)
}

/// `GET /css/…`.
pub(super) async fn style(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let name = format!("css/{path}");
    serve(WebFiles::get(&name), &name, &headers)
}

/// `GET /vendor/pdfjs/…`.
pub(super) async fn pdfjs(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve(PdfJs::get(&file), &file, &headers)
}

/// `GET /vendor/js-sha256/…`.
pub(super) async fn sha256js(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve(Sha256Js::get(&file), &file, &headers)
}

/// `GET /vendor/ballot-box.wasm`.
pub(super) async fn ballot_box_wasm(headers: HeaderMap) -> Response {
    static SHA256: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sha256 = SHA256
        .get_or_init(|| hex::encode(ring::digest::digest(&ring::digest::SHA256, BALLOT_BOX_WASM)));
    respond(
        Cow::Borrowed(BALLOT_BOX_WASM),
        sha256,
        "ballot-box.wasm",
        &headers,
    )
}

fn serve(file: Option<EmbeddedFile>, name: &str, headers: &HeaderMap) -> Response {
    // A debug build reads the files from disk, where `js/../package.json` would resolve;
    // only plain names are served, in every build.
    let plain = name
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
    let Some(file) = file.filter(|_| plain) else {
        return ApiError::not_found("no such file").into_response();
    };
    let sha256 = hex::encode(file.metadata.sha256_hash());
    respond(file.data, &sha256, name, headers)
}

/// The file's bytes with its SHA-256 as a strong ETag, or 304 if the client has them.
fn respond(data: Cow<'static, [u8]>, sha256: &str, name: &str, headers: &HeaderMap) -> Response {
    let etag = format!("\"{sha256}\"");
    let mut response = if headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(CONTENT_TYPE, content_type(name))], data).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if name.ends_with(".html") {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}

/// Module scripts are refused by browsers unless served as JavaScript, so the types are
/// named here rather than guessed.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json" | "webmanifest") => "application/json",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_shell_and_pdfjs_are_built_in() {
        assert!(WebFiles::get("index.html").is_some());
        assert!(WebFiles::get("sw.js").is_some());
        assert!(PdfJs::get("pdf.min.mjs").is_some());
        assert!(PdfJs::get("pdf.worker.min.mjs").is_some());
        assert!(
            PdfJs::get("pdf.mjs").is_none(),
            "only the minified build is embedded"
        );
    }

    #[test]
    fn the_ballot_box_is_built_in_as_webassembly() {
        assert_eq!(&BALLOT_BOX_WASM[..4], b"\0asm", "a WebAssembly module");
        assert_eq!(content_type("ballot-box.wasm"), "application/wasm");
        assert!(CSP.contains("'wasm-unsafe-eval'") && !CSP.contains("'unsafe-eval'"));
    }

    #[test]
    fn scripts_are_served_as_javascript() {
        assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(
            content_type("pdf.min.mjs"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
