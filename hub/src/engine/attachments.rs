//! Who may download the files that ride along with other work: the file of an incoming
//! document or petition, and the attachments of an opinion request. The same people who
//! see the item see its file; nobody else learns whether it exists.

use super::documents::Denied;
use super::{Actor, MeetingState, Viewer};
use protocol::opinions::Attachment;
use protocol::{IncomingId, OpinionRequestId};

/// The stored file of an incoming item: for the secretariat and the chair, and for the
/// leaders it was forwarded to.
pub fn incoming_file<'a>(
    state: &'a MeetingState,
    actor: &Actor,
    item: IncomingId,
) -> Result<&'a Attachment, Denied> {
    let not_found = || Denied::NotFound("no such incoming item in this meeting".into());
    let found = state.incoming.get(item).ok_or_else(not_found)?;
    let sees = match Viewer::for_actor(actor) {
        Viewer::Full => true,
        Viewer::Hall { me, .. } => me.is_some_and(|me| found.forwarded_to.contains(&me)),
    };
    if !sees {
        return Err(not_found());
    }
    stored(
        found.file.as_ref(),
        "this item was registered without a file",
    )
}

/// Attachment `n` (from 1) of an opinion request: for the secretariat and the chair, and
/// for those asked.
pub fn opinion_attachment<'a>(
    state: &'a MeetingState,
    actor: &Actor,
    request: OpinionRequestId,
    n: usize,
) -> Result<&'a Attachment, Denied> {
    let not_found = || Denied::NotFound("no such opinion request in this meeting".into());
    let found = state.opinions.get(request).ok_or_else(not_found)?;
    let sees = match Viewer::for_actor(actor) {
        Viewer::Full => true,
        Viewer::Hall { me, .. } => me.is_some_and(|me| found.request.recipients.contains(&me)),
    };
    if !sees {
        return Err(not_found());
    }
    let attachment = n
        .checked_sub(1)
        .and_then(|i| found.request.attachments.get(i));
    stored(
        attachment,
        "the request has no attachment with that number (the first is 1)",
    )
}

/// An attachment named without a stored file (only a name) cannot be downloaded.
fn stored<'a>(attachment: Option<&'a Attachment>, why: &str) -> Result<&'a Attachment, Denied> {
    match attachment {
        Some(a) if a.sha256.is_some() => Ok(a),
        Some(_) => Err(Denied::NotFound(
            "this attachment was named without uploading its file".into(),
        )),
        None => Err(Denied::NotFound(why.into())),
    }
}

/// The SHA-256s a command refers to, which must name files the hub holds.
pub fn referenced_files(command: &protocol::Command) -> Vec<&str> {
    use protocol::Command;
    let attachments: Vec<&Attachment> = match command {
        Command::RegisterIncoming { file, .. } => file.iter().collect(),
        Command::CreateOpinionRequest { attachments, .. } => attachments.iter().collect(),
        _ => Vec::new(),
    };
    attachments
        .into_iter()
        .filter_map(|a| a.sha256.as_deref())
        .collect()
}
