//! The meeting's public page, `/p/{link}`: what the QR code at the door opens. A plain
//! HTML list of the **public** documents only, with download links that need no token.
//! Internal and confidential documents are never listed, and their ids do not resolve here.

use super::{ApiError, AppState};
use crate::engine::documents as rules;
use crate::live::MeetingHandle;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use std::fmt::Write as _;
use std::sync::Arc;

/// The meeting a public link opens; an unknown link is a plain 404.
pub(super) async fn meeting_of(
    state: &AppState,
    link: &str,
) -> Result<Arc<MeetingHandle>, ApiError> {
    let not_found = || ApiError::not_found("this public link opens no meeting on this hub");
    let meeting = state
        .store
        .public_meeting(link)
        .map_err(|e| ApiError::internal("reading a public link", e))?
        .ok_or_else(not_found)?;
    state
        .meetings
        .get(meeting)
        .await
        .map_err(|e| ApiError::internal("loading a meeting", e))?
        .ok_or_else(not_found)
}

/// The public page's URL for a link.
pub(super) fn public_url(public_base: &str, link: &str) -> String {
    format!("{public_base}/p/{link}")
}

/// `GET /p/{link}`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Path(link): Path<String>,
) -> Result<Response, ApiError> {
    let handle = meeting_of(&state, &link).await?;
    let html = handle.read(|s| {
        let title = s.meeting.as_ref().map_or("", |m| m.title.as_str());
        let venue = s.meeting.as_ref().map_or("", |m| m.venue.as_str());
        let mut rows = String::new();
        for doc in rules::public_documents(s) {
            let Some(v) = doc.current() else { continue };
            let _ = write!(
                rows,
                "<li><a href=\"/p/{link}/documents/{id}\" download>{title}</a> \
                 <span class=\"meta\">({name}, {size}, phiên bản {version})</span></li>",
                id = doc.id,
                title = escape(&doc.title),
                name = escape(&v.file.file_name),
                size = human_size(v.file.size),
                version = v.version,
            );
        }
        if rows.is_empty() {
            rows = "<li>Chưa có tài liệu công khai. <span lang=\"en\">No public documents yet.</span></li>".into();
        }
        format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Tài liệu công khai – {title}</title>\
             <style>body{{font:1.2rem/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}}\
             li{{margin:.8rem 0}}a{{font-weight:600}}.meta{{color:#444;font-size:1rem}}</style></head><body>\
             <h1>Tài liệu công khai</h1><p><strong>{title}</strong><br>{venue}</p>\
             <p lang=\"en\">Public documents of this meeting. Tap one to download it.</p>\
             <ul>{rows}</ul></body></html>",
            title = escape(title),
            venue = escape(venue),
        )
    });
    Ok(([(CACHE_CONTROL, "no-cache")], Html(html)).into_response())
}

/// `GET /p/{link}/qr.png`: the public QR code, also for whoever already holds the link.
pub(super) async fn qr(
    State(state): State<Arc<AppState>>,
    Path(link): Path<String>,
) -> Result<Response, ApiError> {
    meeting_of(&state, &link).await?;
    png(&public_url(&state.public_base, &link))
}

/// A QR PNG response for `text`.
pub(super) fn png(text: &str) -> Result<Response, ApiError> {
    let png =
        crate::badges::qr_png(text).map_err(|e| ApiError::internal("drawing a QR code", e))?;
    Ok((
        [(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")],
        png,
    )
        .into_response())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_sizes_are_readable() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1500), "2 KB");
        assert_eq!(human_size(50 * 1024 * 1024), "50.0 MB");
    }
}
