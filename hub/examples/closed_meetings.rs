//! Builds a data directory of closed meetings through the hub's own live layer, for the
//! start-time benchmark (`bench/closed-meetings.sh`): `DIR [MEETINGS] [EVENTS_EACH]`,
//! by default 1,000 meetings of about 10,000 events each.
//!
//! Each meeting is what a provincial committee's year holds: a dated meeting with its
//! delegates, chair and secretariat, a calendar entry, opened and in session, everyone
//! checked in, then agenda items one after another, each with a few speakers and an open
//! vote every delegate casts, until the log has its events; then it is closed. Every
//! command goes through `Meetings` (the engine decides, the store chains and fsyncs), queued
//! all at once so the meeting's task commits them in large batches.
use hub::engine::Actor;
use hub::live::{Clock, LiveSettings, Meetings, Request};
use hub::store::Store;
use protocol::{Command, MeetingId, ParticipantId, PollKind, PollSpec, Role, Timestamp};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Delegates of each meeting (a provincial standing committee with guests).
const DELEGATES: usize = 60;
/// Meetings built at the same time: one per core keeps both busy.
const AT_ONCE: usize = 2;

fn step(command: Command) -> (Command, Uuid) {
    (command, Uuid::new_v4())
}

fn by(actor: Actor, command: Command) -> Request {
    Request::one(actor, None, command)
}

/// Every command of meeting `n`, in order, and roughly how many events they make.
fn meeting_commands(n: usize, events: usize) -> (Request, Vec<Request>) {
    let year_ago = 1_733_000_000_000_i64;
    let starts_at = Timestamp(year_ago + (n as i64 % 365) * 86_400_000 + 8 * 3_600_000);
    let mut create = vec![step(Command::CreateMeeting {
        title: format!("Hội nghị Ban Thường vụ Tỉnh ủy lần thứ {}", n + 1),
        venue: "Hội trường Tỉnh ủy".into(),
        starts_at: Some(starts_at),
        quorum: None,
    })];
    let chair = Uuid::new_v4();
    let mut people = Vec::new();
    for k in 0..DELEGATES + 2 {
        let (role, name) = match k {
            0 => (Role::Chair, "Nguyễn Văn An".to_owned()),
            1 => (Role::Secretariat, "Trần Thị Bình".to_owned()),
            _ => (Role::Delegate, format!("Đại biểu Lê Văn {k}")),
        };
        let id = if k == 0 { chair } else { Uuid::new_v4() };
        create.push((
            Command::AddParticipant {
                name,
                position: "Ủy viên".into(),
                unit: format!("Đơn vị {}", k % 12),
                role,
                seat: Some(format!("A-{k:03}")),
                person: None,
            },
            id,
        ));
        if role == Role::Delegate {
            people.push(ParticipantId(id));
        }
    }
    let create = Request {
        actor: Actor::Office,
        origin: None,
        steps: create,
        grants: Vec::new(),
        token: None,
        ballot: None,
    };
    let office = |c| by(Actor::Office, c);
    let mut rest = vec![
        office(Command::AddCalendarEvent {
            title: format!("Giao ban tuần {}", n % 52 + 1),
            starts_at: Timestamp(starts_at.0 + 2 * 86_400_000),
            ends_at: None,
            location: "Phòng họp số 2".into(),
            host: "Văn phòng Tỉnh ủy".into(),
        }),
        office(Command::OpenMeeting),
        office(Command::StartSession),
    ];
    rest.extend(
        people
            .iter()
            .map(|p| by(Actor::System, Command::CheckIn { participant: *p })),
    );
    let mut made = DELEGATES + 6 + rest.len();
    let mut k = 0;
    while made < events {
        k += 1;
        let item = Uuid::new_v4();
        let mut add = office(Command::AddAgendaItem {
            title: format!("Nội dung {k}: báo cáo tình hình kinh tế - xã hội"),
            description: "Tờ trình và dự thảo nghị quyết".into(),
        });
        add.steps[0].1 = item;
        let item = protocol::AgendaItemId(item);
        rest.push(add);
        rest.push(office(Command::StartAgendaItem { item }));
        for p in people.iter().skip(k % 7).step_by(15) {
            let speaker = Actor::Participant {
                id: *p,
                role: Role::Delegate,
            };
            rest.push(by(speaker, Command::RequestToSpeak { item: None }));
            rest.push(office(Command::GiveFloor { participant: None }));
            rest.push(office(Command::EndSpeech));
        }
        let poll = Uuid::new_v4();
        let mut create = office(Command::CreatePoll {
            poll: PollSpec {
                title: format!("Biểu quyết thông qua nội dung {k}"),
                item: Some(item),
                kind: PollKind::Motion,
                secret: false,
                preset: None,
                base: None,
                threshold: None,
                quorum: None,
                eligible: None,
                allow_change: false,
                show_running: false,
                duration_secs: None,
            },
        });
        create.steps[0].1 = poll;
        let poll = protocol::PollId(poll);
        rest.push(create);
        rest.push(office(Command::OpenPoll { poll }));
        for (i, p) in people.iter().enumerate() {
            let voter = Actor::Participant {
                id: *p,
                role: Role::Delegate,
            };
            let choice = u32::from(i % 10 == 0) + u32::from(i % 25 == 0);
            rest.push(by(
                voter,
                Command::CastBallot {
                    poll,
                    choices: vec![choice],
                    on_behalf_of: None,
                },
            ));
        }
        rest.push(office(Command::ClosePoll { poll }));
        rest.push(office(Command::PublishPoll { poll }));
        rest.push(office(Command::FinishAgendaItem { item }));
        made = DELEGATES + 6 + rest.len();
    }
    rest.push(office(Command::CloseMeeting));
    (create, rest)
}

async fn build_meeting(meetings: &Meetings, n: usize, events: usize) -> u64 {
    let id = MeetingId::new_random();
    let (create, rest) = meeting_commands(n, events);
    meetings.create(id, create).await.expect("create_meeting");
    let handle = meetings
        .get(id)
        .await
        .expect("the store")
        .expect("the meeting");
    // Queued all at once: the task takes them in order, up to a thousand per flush.
    let pending: Vec<_> = rest
        .into_iter()
        .map(|r| handle.submit(r).expect("room in the queue"))
        .collect();
    let mut seq = 0;
    for rx in pending {
        seq = rx.await.expect("an answer").expect("accepted").seq;
    }
    seq
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: closed_meetings DIR [MEETINGS] [EVENTS_EACH]");
    let count: usize = args.next().map_or(1000, |s| s.parse().expect("MEETINGS"));
    let events: usize = args
        .next()
        .map_or(10_000, |s| s.parse().expect("EVENTS_EACH"));
    let store = Store::open(std::path::Path::new(&dir)).expect("opening the data directory");
    let settings = LiveSettings {
        client_queue: 64,
        group_commit_window: Duration::from_millis(2),
        job_queue: events + 1024,
        clock: Clock::system(),
        quotas: Default::default(),
        // Built meetings are closed: let them go at once, the generator holds no memory.
        closed_idle: Duration::from_secs(1),
        // The hub indexes them for search when it next starts.
        archive: None,
    };
    let meetings = Meetings::load(store, settings).expect("loading the data directory");
    let started = Instant::now();
    let mut total = 0u64;
    let mut n = 0;
    while n < count {
        let batch: Vec<usize> = (n..count.min(n + AT_ONCE)).collect();
        let built = futures_util::future::join_all(
            batch.iter().map(|k| build_meeting(&meetings, *k, events)),
        )
        .await;
        total += built.iter().sum::<u64>();
        n += batch.len();
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{n}/{count} meetings, {total} events, {secs:.0} s, {:.0} events/s",
            total as f64 / secs
        );
    }
    meetings.close().await;
    println!("{count} closed meetings, {total} events in {dir}");
}
