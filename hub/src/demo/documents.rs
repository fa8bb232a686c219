//! The congress's documents on the hub: uploaded once as the secretariat uploads them
//! (`POST …/documents`, multipart), and listed in `demo.json` with what scripts need to
//! fetch them, the public page, the badge sheet and every participant's QR code.

use super::api::{Api, Part};
use super::info::{DemoDocumentInfo, DemoInfo};
use super::{papers, view, DISTRICT};
use protocol::{Classification, MeetingView, ParticipantId, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// Publishes the demo documents if the meeting has none yet, then fills in every URL of
/// `info` from the meeting as the hub holds it.
pub(super) async fn add(api: &Api, info: &mut DemoInfo) -> anyhow::Result<()> {
    let meeting = info.meeting;
    let mut hall = view(api, meeting, api.office()).await?;
    // An older demo.json has no participant ids; the demo's names are unique.
    let ids: HashMap<&str, ParticipantId> = hall
        .participants
        .iter()
        .map(|p| (p.name.as_str(), p.id))
        .collect();
    for p in &mut info.participants {
        p.id = p.id.or_else(|| ids.get(p.name.as_str()).copied());
    }
    if hall.documents.is_empty() {
        publish(api, &hall).await?;
        hall = view(api, meeting, api.office()).await?;
    }

    #[derive(Deserialize)]
    struct PublicLink {
        url: String,
        qr_png: String,
    }
    let link: PublicLink = api
        .get(&format!("/api/v1/meetings/{meeting}/public"), api.office())
        .await?;
    let at = format!("{}/api/v1/meetings/{meeting}", info.hub_url);
    info.public_url = link.url;
    info.public_qr_url = link.qr_png;
    info.badges_url = format!("{at}/badges.pdf");
    for p in &mut info.participants {
        p.qr_url = p.id.map(|id| format!("{at}/participants/{id}/qr.png"));
    }
    let names: HashMap<ParticipantId, &str> = hall
        .participants
        .iter()
        .map(|p| (p.id, p.name.as_str()))
        .collect();
    info.documents = hall
        .documents
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
                download_url: format!("{at}/documents/{}", d.id),
                public_download_url: public
                    .then(|| format!("{}/documents/{}", info.public_url, d.id)),
                readers: d
                    .readers
                    .iter()
                    .filter_map(|r| names.get(r).map(|n| (*n).to_owned()))
                    .collect(),
            })
        })
        .collect();
    Ok(())
}

/// Uploads the congress's papers in order; the confidential one is named for the chair
/// and the first few delegates.
async fn publish(api: &Api, hall: &MeetingView) -> anyhow::Result<()> {
    let chair = hall
        .participants
        .iter()
        .find(|p| p.role == Role::Chair)
        .map(|p| p.id);
    let delegates: Vec<ParticipantId> = hall
        .participants
        .iter()
        .filter(|p| p.role == Role::Delegate)
        .map(|p| p.id)
        .collect();
    let path = format!("/api/v1/meetings/{}/documents", hall.meeting.id);
    for doc in papers::demo_documents(DISTRICT) {
        let readers: Vec<String> = if doc.classification == Classification::Confidential {
            chair
                .iter()
                .chain(delegates.iter().take(doc.readers))
                .map(ToString::to_string)
                .collect()
        } else {
            Vec::new()
        };
        let readers = readers.join(",");
        let mut parts = vec![
            Part::Text("title", &doc.title),
            Part::Text("classification", doc.classification.as_str()),
        ];
        if !readers.is_empty() {
            parts.push(Part::Text("readers", &readers));
        }
        parts.push(Part::File(
            "file",
            &doc.file_name,
            "application/pdf",
            &doc.pdf,
        ));
        api.upload::<serde_json::Value>(&path, api.office(), &parts)
            .await?;
    }
    Ok(())
}
