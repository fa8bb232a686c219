//! Documents over HTTP for the tests: a multipart upload body, and a download that streams
//! the body through SHA-256 as it arrives (200 tablets × 50 MiB never sit in memory).

use crate::http::Request;
use anyhow::{bail, Context};
use ring::digest;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The boundary of the bodies [`multipart`] builds.
const BOUNDARY: &str = "hub-test-boundary-7d1c2e0a5b7d4c3e";

/// One part of a multipart form.
#[derive(Clone, Debug)]
pub enum Part<'a> {
    /// A text field.
    Text(&'a str, String),
    /// A file: field name, file name, content type, bytes.
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

/// `multipart/form-data` for `parts`: (content type, body).
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, content_type, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                         Content-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A request carrying a multipart body.
pub fn upload<'a>(path: &'a str, token: &str, parts: &[Part<'_>]) -> Request<'a> {
    let (content_type, body) = multipart(parts);
    Request::new("POST", path)
        .bearer(token)
        .body(&content_type, body)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// `n` bytes that do not compress and are the same on every run.
pub fn test_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        // xorshift64*: fast, and good enough to defeat any accidental dedup or compression.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// What a streamed download got: the status, the headers and how many body bytes went
/// into the hash.
#[derive(Debug)]
pub struct Streamed {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub bytes: u64,
}

impl Streamed {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` with `headers`, feeding the body into `hash` as it arrives.
pub async fn stream_get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, String)],
    hash: &mut digest::Context,
) -> anyhow::Result<Streamed> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut got = Vec::new();
    let end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            bail!("the connection closed inside the headers");
        }
        got.extend_from_slice(&buf[..n]);
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
    };
    let text = std::str::from_utf8(&got[..end]).context("headers are not UTF-8")?;
    let mut lines = text.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .context("no status")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut out = Streamed {
        status,
        headers,
        bytes: 0,
    };
    let length: Option<u64> = out.header("content-length").and_then(|l| l.parse().ok());
    let first = &got[end + 4..];
    hash.update(first);
    out.bytes = first.len() as u64;
    loop {
        if length.is_some_and(|l| out.bytes >= l) {
            break;
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        out.bytes += n as u64;
    }
    if let Some(l) = length {
        if out.bytes != l {
            bail!("body cut short: {} of {l} bytes", out.bytes);
        }
    }
    Ok(out)
}
