//! The demo's documents and printables: publishes the demo congress's documents (once),
//! and fills `demo.json` with what scripts need to fetch them, the public page, the badge
//! sheet and every participant's QR code.

use super::demo::{DemoDocumentInfo, DemoInfo};
use super::Server;
use crate::engine::Actor;
use crate::live::Request;
use crate::store::Principal;
use crate::tokens::Token;
use anyhow::Context as _;
use protocol::{Classification, Command, DocumentFile, Role};

/// Publishes the demo documents if the meeting has none yet, then fills in the URLs.
pub(super) async fn add_documents(server: &Server, info: &mut DemoInfo) -> anyhow::Result<()> {
    let state = &server.state;
    let handle = state
        .meetings
        .get(info.meeting)
        .context("the demo meeting vanished")?;
    let store = &state.store;
    // Participant ids come from their tokens' grants, so an older demo.json works too.
    for p in &mut info.participants {
        let grant = match Token::parse(&p.token) {
            Some(t) => store.grant(&t.hash())?,
            None => None,
        };
        if let Some(Principal::Participant { participant, .. }) = grant {
            p.id = Some(participant);
        }
    }
    if handle.read(|s| s.documents.list.is_empty()) {
        let (chair, delegates) = handle.read(|s| {
            let chair = s
                .participants
                .iter()
                .find(|p| p.role == Role::Chair)
                .map(|p| p.id);
            let delegates: Vec<_> = s
                .participants
                .iter()
                .filter(|p| p.role == Role::Delegate)
                .map(|p| p.id)
                .collect();
            (chair, delegates)
        });
        for doc in crate::demo::demo_documents(crate::demo::DISTRICT) {
            let stored = store.blobs().store_bytes(&doc.pdf).await?;
            let readers = if doc.classification.is_restricted() {
                chair
                    .into_iter()
                    .chain(delegates.iter().take(doc.readers).copied())
                    .collect()
            } else {
                Vec::new()
            };
            let publish = Command::PublishDocument {
                title: doc.title,
                classification: doc.classification,
                item: None,
                readers,
                file: state
                    .trust
                    .check_stored(
                        store.blobs(),
                        DocumentFile {
                            file_name: doc.file_name,
                            content_type: "application/pdf".into(),
                            size: stored.size,
                            sha256: stored.sha256,
                            signatures: None,
                            watermarked: false,
                        },
                        doc.classification,
                    )
                    .await?,
            };
            handle
                .run(Request::one(Actor::Office, None, publish))
                .await?;
        }
    }
    let base = &state.public_base;
    let meeting = info.meeting;
    let api = format!("{base}/api/v1/meetings/{meeting}");
    let link = store.public_link(meeting)?;
    store.flush().await?;
    info.public_url = crate::transport::public_url(base, &link);
    info.public_qr_url = format!("{}/qr.png", info.public_url);
    info.badges_url = format!("{api}/badges.pdf");
    for p in &mut info.participants {
        p.qr_url = p.id.map(|id| format!("{api}/participants/{id}/qr.png"));
    }
    let names = handle.read(|s| {
        s.participants
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect::<std::collections::HashMap<_, _>>()
    });
    info.documents = handle.read(|s| {
        s.documents
            .list
            .iter()
            .filter_map(|d| {
                let v = d.current()?;
                let public = d.classification == Classification::Public;
                Some(DemoDocumentInfo {
                    id: d.id,
                    title: d.title.clone(),
                    classification: d.classification,
                    status: d.status,
                    version: v.version,
                    size: v.file.size,
                    sha256: v.file.sha256.clone(),
                    download_url: format!("{api}/documents/{}", d.id),
                    public_download_url: public
                        .then(|| format!("{}/documents/{}", info.public_url, d.id)),
                    readers: d
                        .readers
                        .iter()
                        .filter_map(|r| names.get(r).cloned())
                        .collect(),
                })
            })
            .collect()
    });
    Ok(())
}
