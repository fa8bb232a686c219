//! Meetings set up through the REST API, the way a secretariat prepares one.

use crate::http::{Request, Response};
use crate::TestHub;
use protocol::{Command, MeetingId, Participant, ParticipantId, Role};
use serde::Deserialize;

/// A participant as the hub issued them: who, their token and their badge's join URL.
#[derive(Clone, Debug, Deserialize)]
pub struct Member {
    pub participant: Participant,
    pub token: String,
    pub join_url: String,
}

impl Member {
    pub fn id(&self) -> ParticipantId {
        self.participant.id
    }
}

/// An open meeting with one chair, one secretariat, one projector and some delegates.
#[derive(Clone, Debug)]
pub struct MeetingFixture {
    pub id: MeetingId,
    pub chair: Member,
    pub secretariat: Member,
    pub projector: Member,
    /// In import order: `Đại biểu 1`, `Đại biểu 2`, …
    pub delegates: Vec<Member>,
}

impl TestHub {
    /// Creates a meeting with the office token; returns its id.
    pub async fn create_meeting(&self, title: &str) -> MeetingId {
        let body = serde_json::json!({"title": title, "venue": "Hội trường A", "quorum": "2/3"});
        let r = self
            .post("/api/v1/meetings", self.office_token(), &body)
            .await;
        assert_eq!(r.status, 201, "create meeting: {}", r.text());
        let v = r.json();
        assert!(
            v["seq"].as_u64().is_some_and(|s| s >= 1),
            "create meeting: {v}"
        );
        serde_json::from_value(v["id"].clone()).expect("a meeting id")
    }

    /// Adds one participant with the office token.
    pub async fn add_participant(&self, meeting: MeetingId, name: &str, role: Role) -> Member {
        let body = serde_json::json!({
            "name": name, "position": "", "unit": "", "role": role.as_str(), "seat": null
        });
        let path = format!("/api/v1/meetings/{meeting}/participants");
        let r = self.post(&path, self.office_token(), &body).await;
        assert_eq!(r.status, 201, "add participant: {}", r.text());
        serde_json::from_slice(&r.body).expect("a participant, token and join_url")
    }

    /// Imports participants from CSV (`name,position,unit,role,seat`) with the office token.
    pub async fn import_csv(&self, meeting: MeetingId, csv: &str) -> Response {
        let path = format!("/api/v1/meetings/{meeting}/participants/import");
        let req = Request::new("POST", &path)
            .bearer(self.office_token())
            .body("text/csv; charset=utf-8", csv.as_bytes().to_vec());
        self.request(req).await
    }

    /// Sends a command through REST: `POST /api/v1/meetings/{id}/commands`.
    pub async fn rest_command(
        &self,
        meeting: MeetingId,
        token: &str,
        id: &str,
        command: &Command,
    ) -> Response {
        let body = serde_json::json!({"id": id, "command": command});
        self.post(
            &format!("/api/v1/meetings/{meeting}/commands"),
            token,
            &body,
        )
        .await
    }

    /// Like [`TestHub::rest_command`] with the office token, expecting success; returns the seq.
    pub async fn office_command(&self, meeting: MeetingId, id: &str, command: &Command) -> u64 {
        let r = self
            .rest_command(meeting, self.office_token(), id, command)
            .await;
        assert_eq!(r.status, 200, "{} via REST: {}", command.op(), r.text());
        r.json()["seq"].as_u64().expect("a seq")
    }

    /// Re-issues a participant's token (`POST .../token`).
    pub async fn reissue_token(&self, meeting: MeetingId, participant: ParticipantId) -> String {
        let path = format!("/api/v1/meetings/{meeting}/participants/{participant}/token");
        let r = self
            .request(Request::new("POST", &path).bearer(self.office_token()))
            .await;
        assert_eq!(r.status, 200, "re-issue token: {}", r.text());
        r.json()["token"].as_str().expect("a token").to_owned()
    }

    /// Revokes a participant's token (`DELETE .../token`).
    pub async fn revoke_token(&self, meeting: MeetingId, participant: ParticipantId) {
        let path = format!("/api/v1/meetings/{meeting}/participants/{participant}/token");
        let r = self
            .request(Request::new("DELETE", &path).bearer(self.office_token()))
            .await;
        assert!(
            (200..300).contains(&r.status),
            "revoke token: HTTP {} {}",
            r.status,
            r.text()
        );
    }

    /// An open meeting with a chair, a secretariat, a projector and `delegates` delegates,
    /// imported in one CSV.
    pub async fn meeting_with(&self, delegates: usize) -> MeetingFixture {
        let id = self.create_meeting("Đại hội đại biểu lần thứ XV").await;
        let mut csv = String::from("name,position,unit,role,seat\n");
        csv.push_str("Nguyễn Văn Chủ,Bí thư,Đảng ủy tỉnh,chair,A1\n");
        csv.push_str("Trần Thị Thư,Chánh Văn phòng,Văn phòng Tỉnh ủy,secretariat,\n");
        csv.push_str("Màn hình chính,,Hội trường,projector,\n");
        for n in 1..=delegates {
            csv.push_str(&format!(
                "Đại biểu {n},Ủy viên,Đảng bộ xã {n},delegate,B{n}\n"
            ));
        }
        let r = self.import_csv(id, &csv).await;
        assert_eq!(r.status, 201, "import: {}", r.text());
        let members: Vec<Member> = serde_json::from_value(r.json()["participants"].clone())
            .expect("participants with tokens");
        assert_eq!(members.len(), delegates + 3, "one entry per CSV row");
        let one = |role: Role| {
            members
                .iter()
                .find(|m| m.participant.role == role)
                .unwrap_or_else(|| panic!("no {role} in the import"))
                .clone()
        };
        let fixture = MeetingFixture {
            id,
            chair: one(Role::Chair),
            secretariat: one(Role::Secretariat),
            projector: one(Role::Projector),
            delegates: members
                .iter()
                .filter(|m| m.participant.role == Role::Delegate)
                .cloned()
                .collect(),
        };
        for (n, d) in fixture.delegates.iter().enumerate() {
            assert_eq!(
                d.participant.name,
                format!("Đại biểu {}", n + 1),
                "import order"
            );
        }
        self.office_command(id, "fixture-open", &Command::OpenMeeting)
            .await;
        fixture
    }
}
