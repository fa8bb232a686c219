//! Plain HTTP beside HTTPS: everything is redirected to HTTPS, except the hub's own CA
//! certificate and the page that tells how to install it (`/ca`), which a tablet must be
//! able to open before it trusts the hub.

use crate::tls::HallTls;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HOST, LOCATION};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// What the plain side needs to know.
#[derive(Debug)]
struct Plain {
    tls: HallTls,
    /// The HTTPS port.
    port: u16,
    /// The host of the public base, for a request without a usable `Host`.
    fallback_host: String,
}

/// The router for plain HTTP: the CA page and files, and a redirect for the rest.
pub(super) fn router(tls: HallTls, port: u16, public_base: &str) -> Router {
    let fallback_host = public_base
        .split_once("://")
        .map_or(public_base, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    let fallback_host = strip_port(fallback_host).to_owned();
    let plain = Arc::new(Plain {
        tls,
        port,
        fallback_host,
    });
    ca_routes(plain.clone()).fallback(move |headers: HeaderMap, uri: Uri| {
        let plain = plain.clone();
        async move { redirect(&plain, &headers, &uri) }
    })
}

/// `/ca`, `/ca.crt` and `/ca.pem`; also served over HTTPS, for a tablet that already
/// trusts the hub and wants to show another how.
pub(super) fn ca_routes_for(tls: HallTls) -> Router {
    ca_routes(Arc::new(Plain {
        tls,
        port: 0,
        fallback_host: String::new(),
    }))
}

fn ca_routes(plain: Arc<Plain>) -> Router {
    let (page, der, pem) = (plain.clone(), plain.clone(), plain);
    Router::new()
        .route("/ca", get(move || async move { ca_page(&page) }))
        .route(
            "/ca.crt",
            get(move || async move { ca_file(der.tls.ca_der().map(<[u8]>::to_vec), "crt") }),
        )
        .route(
            "/ca.pem",
            get(move || async move { ca_file(pem.tls.ca_pem().map(|p| p.as_bytes().to_vec()), "pem") }),
        )
}

/// `308` to the same path on HTTPS, at the host the client asked for.
fn redirect(plain: &Plain, headers: &HeaderMap, uri: &Uri) -> Response {
    let asked = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(strip_port)
        .filter(|h| is_plain_host(h));
    let host = asked.unwrap_or(&plain.fallback_host);
    let port = match plain.port {
        443 => String::new(),
        port => format!(":{port}"),
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{port}{path}");
    (
        StatusCode::PERMANENT_REDIRECT,
        [(LOCATION, location), (CACHE_CONTROL, "no-store".to_owned())],
    )
        .into_response()
}

/// `host` without `:port` (an IPv6 address keeps its brackets).
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

/// A host name or address, and nothing that could make the redirect point elsewhere.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'))
}

fn ca_file(bytes: Option<Vec<u8>>, ext: &str) -> Response {
    let Some(bytes) = bytes else {
        return (
            StatusCode::NOT_FOUND,
            "this hub serves the office's own certificate",
        )
            .into_response();
    };
    // Android and iPadOS both offer to install a CA from this type.
    let content_type = if ext == "crt" {
        "application/x-x509-ca-cert"
    } else {
        "application/x-pem-file"
    };
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"phonghop-ca.{ext}\""),
            ),
            (CACHE_CONTROL, "no-cache".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The page: Vietnamese first, English second; the fingerprint to compare.
fn ca_page(plain: &Plain) -> Response {
    let Some(der) = plain.tls.ca_der() else {
        return (
            StatusCode::NOT_FOUND,
            "this hub serves the office's own certificate",
        )
            .into_response();
    };
    let fingerprint = crate::tls::fingerprint(der);
    let html = CA_PAGE.replace("{fingerprint}", &fingerprint);
    ([(CACHE_CONTROL, "no-cache")], Html(html)).into_response()
}

const CA_PAGE: &str = r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cài chứng chỉ của phòng họp</title>
<style>
body{font-family:"Noto Sans","Segoe UI",Roboto,Arial,sans-serif;max-width:40rem;margin:1.5rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
a.button{display:inline-block;background:#a4161a;color:#fff;padding:.8rem 1.4rem;border-radius:.4rem;text-decoration:none;font-size:1.15rem}
code{word-break:break-all;font-size:.85rem;background:#f3f3f3;padding:.1rem .3rem}
section[lang=en]{color:#555;border-top:1px solid #ccc;margin-top:2rem}
</style></head><body>
<main data-testid="ca-page">
<h1>Cài chứng chỉ của phòng họp</h1>
<p>Máy tính bảng cần tin cậy chứng chỉ của máy chủ phòng họp một lần, để mở trang họp bằng
kết nối bảo mật (https) và đọc lại tài liệu khi mất mạng.</p>
<p><a class="button" href="/ca.crt" data-testid="ca-download">Tải chứng chỉ</a></p>
<p>Dấu vân tay SHA-256 (so với dấu in trên tờ thẻ đầu tiên):<br><code data-testid="ca-fingerprint">{fingerprint}</code></p>
<h2>Android</h2>
<ol>
<li>Bấm <b>Tải chứng chỉ</b>; tệp <code>phonghop-ca.crt</code> được lưu vào máy.</li>
<li>Mở <b>Cài đặt → Bảo mật và quyền riêng tư → Cài đặt bảo mật khác → Mã hóa và thông tin xác thực
→ Cài đặt chứng chỉ → Chứng chỉ CA</b> (tên mục có thể khác đôi chút tùy máy).</li>
<li>Bấm <b>Vẫn cài đặt</b>, nhập mã mở khóa máy, chọn tệp <code>phonghop-ca.crt</code>.</li>
<li>Quét lại mã QR trên thẻ đại biểu.</li>
</ol>
<h2>iPad (iPadOS)</h2>
<ol>
<li>Mở trang này bằng <b>Safari</b>, bấm <b>Tải chứng chỉ</b>, rồi <b>Cho phép</b>.</li>
<li>Mở <b>Cài đặt → Đã tải về hồ sơ</b>, bấm <b>Cài đặt</b> và nhập mật mã.</li>
<li>Mở <b>Cài đặt → Cài đặt chung → Giới thiệu → Cài đặt tin cậy chứng nhận</b>, bật
<b>Phòng họp không giấy CA</b>.</li>
<li>Quét lại mã QR trên thẻ đại biểu.</li>
</ol>
<section lang="en">
<h2>Install the meeting hall's certificate</h2>
<p>A tablet trusts the hall hub's certificate once, so that it opens the meeting over a secure
connection (https) and can reload documents while the network is down.</p>
<p><b>Android:</b> tap <b>Tải chứng chỉ</b> (download), then Settings → Security → Encryption &amp;
credentials → Install a certificate → CA certificate, and pick <code>phonghop-ca.crt</code>.</p>
<p><b>iPadOS:</b> in Safari tap <b>Tải chứng chỉ</b> and Allow; Settings → Profile Downloaded →
Install; then Settings → General → About → Certificate Trust Settings and turn on full trust for
“Phòng họp không giấy CA”.</p>
<p>Compare the SHA-256 fingerprint above with the one printed on the badge sheet's first page.</p>
</section>
</main></body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_keep_their_brackets_and_lose_their_port() {
        assert_eq!(strip_port("192.168.1.10:8080"), "192.168.1.10");
        assert_eq!(strip_port("phonghop.local"), "phonghop.local");
        assert_eq!(strip_port("[fe80::1]:80"), "[fe80::1]");
        assert!(is_plain_host("phonghop.local"));
        assert!(!is_plain_host("evil.example/@x"));
        assert!(!is_plain_host(""));
    }
}
