use super::*;
use protocol::ParticipantId;

fn person(name: &str) -> Person {
    Person {
        id: PersonId::new_random(),
        name: name.into(),
        position: "Ủy viên Ban Thường vụ".into(),
        unit: "Tỉnh ủy".into(),
        contact: "0912 345 678".into(),
    }
}

fn run(dir: &mut Directory, commands: &[OfficeCommand]) -> Result<(), (usize, EngineError)> {
    for event in dir.decide_all(commands, Timestamp(1_000))? {
        dir.apply(&event);
    }
    Ok(())
}

#[test]
fn a_person_in_two_bodies_is_listed_in_both_and_summoned_once_per_meeting() {
    let mut dir = Directory::default();
    let an = person("Nguyễn Văn An");
    let (bch, btv) = (BodyId::new_random(), BodyId::new_random());
    run(
        &mut dir,
        &[
            OfficeCommand::AddPerson(an.clone()),
            OfficeCommand::AddBody {
                body: bch,
                name: "Ban Chấp hành".into(),
            },
            OfficeCommand::AddBody {
                body: btv,
                name: "Ban Thường vụ".into(),
            },
            OfficeCommand::AddMember {
                body: bch,
                person: an.id,
            },
            OfficeCommand::AddMember {
                body: btv,
                person: an.id,
            },
        ],
    )
    .unwrap();
    assert_eq!(dir.seq, 5);
    assert_eq!(dir.bodies_of(an.id).count(), 2);
    let meeting = MeetingId::new_random();
    let summons = OfficeCommand::RecordSummons {
        meeting,
        body: Some(btv),
        role: Role::Delegate,
        participants: vec![Summons {
            person: an.id,
            participant: ParticipantId::new_random(),
        }],
    };
    run(&mut dir, std::slice::from_ref(&summons)).unwrap();
    assert_eq!(dir.meetings_of(an.id).len(), 1);
    let (_, again) = dir.decide_all(&[summons], Timestamp(2_000)).unwrap_err();
    assert!(again.to_string().contains("already summoned"));
}

#[test]
fn a_refused_batch_changes_nothing_and_names_its_command() {
    let mut dir = Directory::default();
    let an = person("Trần Thị Bình");
    let body = BodyId::new_random();
    let refused = run(
        &mut dir,
        &[
            OfficeCommand::AddPerson(an.clone()),
            OfficeCommand::AddMember {
                body,
                person: an.id,
            },
        ],
    )
    .unwrap_err();
    assert_eq!(refused.0, 1);
    assert_eq!(refused.1.code(), protocol::ErrorCode::NotFound);
    assert!(dir.people().is_empty());
    assert_eq!(dir.seq, 0);
}

#[test]
fn invitations_are_answered_only_by_those_invited_and_absences_need_a_reason() {
    let mut dir = Directory::default();
    let an = person("Lê Văn Cường");
    let meeting = MeetingId::new_random();
    run(&mut dir, &[OfficeCommand::AddPerson(an.clone())]).unwrap();
    let answer = |reason: &str| OfficeCommand::AnswerInvitation {
        meeting,
        person: an.id,
        answer: InvitationAnswer::Absent {
            reason: reason.into(),
        },
    };
    assert!(run(&mut dir, &[answer("Ốm")]).is_err(), "not invited yet");
    assert!(
        run(&mut dir, &[OfficeCommand::SendInvitation { meeting }]).is_err(),
        "nobody summoned"
    );
    run(
        &mut dir,
        &[
            OfficeCommand::RecordSummons {
                meeting,
                body: None,
                role: Role::Chair,
                participants: vec![Summons {
                    person: an.id,
                    participant: ParticipantId::new_random(),
                }],
            },
            OfficeCommand::SendInvitation { meeting },
        ],
    )
    .unwrap();
    assert!(
        run(&mut dir, &[answer("  ")]).is_err(),
        "an absence needs its reason"
    );
    run(&mut dir, &[answer("Đi công tác Hà Nội")]).unwrap();
    assert_eq!(
        dir.answer(meeting, an.id),
        Some(&InvitationAnswer::Absent {
            reason: "Đi công tác Hà Nội".into()
        })
    );
}

#[test]
fn devices_lock_unlock_and_revoke_and_a_person_holds_at_most_four() {
    let mut dir = Directory::default();
    let an = person("Phạm Thị Dung");
    run(&mut dir, &[OfficeCommand::AddPerson(an.clone())]).unwrap();
    let devices: Vec<_> = (0..5).map(|_| DeviceId::new_random()).collect();
    for d in &devices[..4] {
        run(
            &mut dir,
            &[OfficeCommand::EnrolDevice {
                device: *d,
                person: an.id,
            }],
        )
        .unwrap();
    }
    assert!(run(
        &mut dir,
        &[OfficeCommand::EnrolDevice {
            device: devices[4],
            person: an.id
        }]
    )
    .is_err());
    run(
        &mut dir,
        &[OfficeCommand::LockDevice { device: devices[0] }],
    )
    .unwrap();
    assert!(dir.device(devices[0]).unwrap().locked);
    // Locking a locked device is no event at all.
    assert!(dir
        .decide(&OfficeCommand::LockDevice { device: devices[0] })
        .unwrap()
        .is_empty());
    run(
        &mut dir,
        &[OfficeCommand::UnlockDevice { device: devices[0] }],
    )
    .unwrap();
    assert!(!dir.device(devices[0]).unwrap().locked);
    run(
        &mut dir,
        &[OfficeCommand::RevokeDevice { device: devices[1] }],
    )
    .unwrap();
    assert!(dir.device(devices[1]).is_none());
    run(
        &mut dir,
        &[OfficeCommand::EnrolDevice {
            device: devices[4],
            person: an.id,
        }],
    )
    .unwrap();
}
