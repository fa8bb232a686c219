//! The demo seeded on a real hub in this process: a `Server` on port 0 over a temporary
//! data directory, seeded through its HTTP API; then seeded again, as on the next start of
//! `hub demo` with another address, and found, not seeded twice.

use super::super::api::Api;
use super::super::{info, seed, view, Hub, DEMO_FILE};
use crate::config::Config;
use crate::server::{Server, OFFICE_TOKEN_FILE};
use protocol::{AgendaItemStatus, MeetingStatus, PollStatus, Role};
use std::path::Path;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A hub serving in a task until `stop`.
struct Running {
    hub: Hub,
    stop: oneshot::Sender<()>,
    served: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn start(data: &Path) -> Running {
        let mut config = Config {
            data: data.to_path_buf(),
            ..Config::default()
        };
        // A test says nothing on the machine's network.
        config.name.announce = false;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bound = listener.local_addr().unwrap();
        let server = Server::open(config.clone(), bound).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(server.serve(listener, async {
            let _ = stopped.await;
        }));
        Running {
            hub: Hub::new(&config, bound),
            stop,
            served,
        }
    }

    fn api(&self) -> Api {
        let office = std::fs::read_to_string(self.hub.data.join(OFFICE_TOKEN_FILE)).unwrap();
        Api::new(self.hub.addr, office.trim().to_owned())
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.served.await.unwrap().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_seeded_through_the_api_and_found_again_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(dir.path()).await;
    let info = seed(&running.hub, 24).await.unwrap();
    assert_eq!(
        info.participants.len(),
        24 + 4,
        "the staff beside the delegates"
    );
    assert_eq!(info.hub_url, running.hub.public_base);
    assert_eq!(info.agenda.len(), 12);

    let api = running.api();
    let hall = view(&api, info.meeting, api.office()).await.unwrap();
    assert_eq!(hall.meeting.status, MeetingStatus::InSession);
    assert_eq!(hall.agenda[0].status, AgendaItemStatus::Current);
    assert_eq!(hall.speakers.limit_secs, 420);
    assert!(
        hall.speakers.speaking.is_some(),
        "the first speaker has the floor"
    );
    assert_eq!(hall.speakers.queue.len(), 3, "three more wait");
    assert_eq!(hall.announcements.len(), 1);
    assert_eq!(hall.documents.len(), 5);
    let file = &hall.documents[0].current().unwrap().file;
    assert_eq!(
        (file.file_name.as_str(), file.content_type.as_str()),
        ("Chương trình Đại hội.pdf", "application/pdf"),
        "the Vietnamese file name survives the upload"
    );
    // 25 members (the chair and 24 delegates); the 8th and 18th have not arrived.
    assert_eq!(
        (hall.attendance.summoned, hall.attendance.present),
        (25, 23)
    );
    let vote = &hall.polls[0];
    assert_eq!(vote.status, PollStatus::Published);
    let result = vote.result.as_ref().unwrap();
    assert_eq!(result.ballots, 23, "every member present voted");
    assert_eq!(result.tallies, vec![22, 1, 0]);
    assert_eq!(info.results[0].poll, vote.poll.id);
    let election = &hall.polls[1];
    assert_eq!(
        (election.status, election.poll.secret),
        (PollStatus::Draft, true)
    );

    let body = info.body.as_ref().unwrap();
    assert_eq!(body.participants.len(), 14, "13 members and a clerk");
    let committee = view(&api, body.meeting, api.office()).await.unwrap();
    assert_eq!(committee.opinions.len(), 1);
    assert_eq!(committee.opinions[0].replies.len(), 3);
    let attachments = &committee.opinions[0].request.attachments;
    assert_eq!(attachments[1].name, "Tờ trình của Văn phòng Huyện ủy.pdf");
    assert_eq!(committee.calendar.len(), 5);
    assert_eq!(committee.incoming[0].forwarded_to.len(), 2);

    // The standing committee's year: the archive, the library, and search over them.
    assert_eq!(info.archive.len(), super::super::year::WEEKS);
    let archive: serde_json::Value = api.get("/api/v1/archive", api.office()).await.unwrap();
    assert_eq!(
        archive["meetings"].as_array().unwrap().len(),
        super::super::year::WEEKS
    );
    assert_eq!(
        archive["meetings"][0]["body"]["name"],
        super::super::year::BODY,
        "each week summoned the committee from the office's directory"
    );
    let week = view(&api, info.archive[5], api.office()).await.unwrap();
    assert_eq!(week.meeting.status, MeetingStatus::Closed);
    assert_eq!(week.agenda.len(), 2);
    assert_eq!(week.opinions.len(), 1, "the sixth week asked an opinion");
    assert!(!week.documents.is_empty());
    let library: serde_json::Value = api.get("/api/v1/library", api.office()).await.unwrap();
    let shelf = &library["shelves"][0];
    assert_eq!(shelf["documents"].as_array().unwrap().len(), 4);
    assert_eq!(shelf["news"].as_array().unwrap().len(), 3);
    let started = std::time::Instant::now();
    loop {
        let found: serde_json::Value = api
            .get("/api/v1/search?q=chuyen%20doi%20so", api.office())
            .await
            .unwrap();
        let pages = found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == "page")
            .count();
        if pages >= 3 {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "never found: {found:#}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let written = info::read(&dir.path().join(DEMO_FILE)).unwrap().unwrap();
    assert_eq!(written.meeting, info.meeting);

    // The next start, with the hub now known by another address.
    let moved = Hub {
        public_base: "http://192.0.2.10:8080".into(),
        ..running.hub.clone()
    };
    let found = seed(&moved, 24).await.unwrap();
    assert_eq!(found.meeting, info.meeting, "the same demo, not a new one");
    assert_eq!(found.hub_url, moved.public_base);
    let tokens = |i: &super::super::DemoInfo| -> Vec<String> {
        i.participants.iter().map(|p| p.token.clone()).collect()
    };
    assert_eq!(tokens(&found), tokens(&info));
    let chair = found.first(Role::Chair).unwrap();
    assert!(chair.join_url.starts_with("http://192.0.2.10:8080/j/"));
    assert!(found.badges_url.starts_with("http://192.0.2.10:8080/"));
    assert!(found.results[0].json.starts_with("http://192.0.2.10:8080/"));
    assert_eq!(found.documents.len(), 5);
    let meetings: serde_json::Value = api.get("/api/v1/meetings", api.office()).await.unwrap();
    assert_eq!(
        meetings["meetings"].as_array().unwrap().len(),
        2 + super::super::year::WEEKS + 1,
        "the congress, the committee, its year and the library's shelf"
    );
    let hall = view(&api, found.meeting, api.office()).await.unwrap();
    assert_eq!(
        hall.documents.len(),
        5,
        "the documents are not published twice"
    );
    drop(api);
    running.stop().await;
}
