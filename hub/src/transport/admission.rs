//! Which commands the live routes take at all, the same for the WebSocket and REST's
//! `/commands`: before the engine decides a command, the transport refuses those that
//! belong to another route (one that stores a file or issues tokens) and those that name
//! an uploaded file the hub does not hold. The engine still decides everything else.

use crate::live::Refused;
use crate::store::Blobs;
use protocol::{Command, ErrorCode};

/// Whether an enrolled device must send the person's PIN with `command`: what a tablet
/// left on a desk must not do for its owner (a ballot, an opinion answer, a direction).
/// Badges for one meeting send none.
pub(crate) fn needs_pin(command: &Command) -> bool {
    matches!(
        command,
        Command::CastBallot { .. }
            | Command::CastSealedBallot { .. }
            | Command::AnswerOpinionRequest { .. }
            | Command::DirectIncoming { .. }
    )
}

/// Whether `command` may be submitted through a live route.
pub(crate) fn admit(blobs: &Blobs, command: &Command) -> Result<(), Refused> {
    let refuse = |code, why: &str| Err(Refused::new(code, why));
    match command {
        // Publishing names a stored file: only the upload route, which stores it, may.
        Command::PublishDocument { .. } | Command::ReviseDocument { .. } => refuse(
            ErrorCode::Invalid,
            "documents are published by uploading them: POST …/documents",
        ),
        Command::AddParticipant { .. } => refuse(
            ErrorCode::Invalid,
            "participants are added through POST …/participants, which issues their tokens",
        ),
        Command::CreateMeeting { .. } => refuse(
            ErrorCode::Forbidden,
            "only the hub's secretariat creates meetings, with POST /api/v1/meetings",
        ),
        _ => super::attachments::check_files(blobs, command)
            .map_err(|why| Refused::new(ErrorCode::Invalid, why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Classification, DocumentFile, Role};

    fn blobs() -> (tempfile::TempDir, Blobs) {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        (dir, blobs)
    }

    #[test]
    fn commands_of_other_routes_are_refused_with_the_route_to_use() {
        let (_dir, blobs) = blobs();
        let publish = Command::PublishDocument {
            title: "Dự thảo".into(),
            classification: Classification::Internal,
            item: None,
            readers: vec![],
            file: DocumentFile {
                file_name: "a.pdf".into(),
                content_type: "application/pdf".into(),
                size: 1,
                sha256: "00".repeat(32),
                signatures: None,
                watermarked: false,
            },
        };
        let refused = admit(&blobs, &publish).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Invalid);
        assert!(refused.message.contains("POST …/documents"));
        let add = Command::AddParticipant {
            name: "Lê Văn Tám".into(),
            position: String::new(),
            unit: String::new(),
            role: Role::Delegate,
            seat: None,
            person: None,
        };
        assert_eq!(admit(&blobs, &add).unwrap_err().code, ErrorCode::Invalid);
        let create = Command::CreateMeeting {
            title: "Hội nghị".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        };
        assert_eq!(
            admit(&blobs, &create).unwrap_err().code,
            ErrorCode::Forbidden,
            "refused by role, not as a meeting that exists already"
        );
    }

    #[test]
    fn an_ordinary_command_is_left_to_the_engine() {
        let (_dir, blobs) = blobs();
        assert_eq!(admit(&blobs, &Command::OpenMeeting), Ok(()));
    }
}
