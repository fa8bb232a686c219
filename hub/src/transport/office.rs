//! The office's routes, under `/api/v1/office/…` and for the office token only: people and
//! bodies (by hand or imported from CSV or XLSX), enrolment codes and their QR codes,
//! devices (listed, unlocked, revoked). Summons and invitations are in `invitations`.

use super::auth::Caller;
use super::error::LineError;
use super::rest::JsonBody;
use super::{ApiError, AppState};
use crate::engine::directory::OfficeCommand;
use crate::live::{OfficeError, Refused};
use crate::store::Principal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{HeaderName, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use protocol::directory::{BodyId, DeviceId, Person, PersonId};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

type Shared = State<Arc<AppState>>;

/// The most members one new body may list in a request.
const MAX_LISTED: usize = 5_000;

fn office_only(principal: &Principal) -> Result<(), ApiError> {
    match principal {
        Principal::Office => Ok(()),
        _ => Err(ApiError::forbidden(
            "only the office's token keeps the directory",
        )),
    }
}

/// An office refusal as the client gets it; an import's names the line of its row.
fn refused(e: OfficeError) -> ApiError {
    ApiError::from(Refused::from(e))
}

/// `GET /office/people`.
pub(super) async fn people(
    State(state): Shared,
    Caller(p): Caller,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let people = state.office.read(|d| d.people().to_vec());
    Ok(Json(json!({ "people": people })))
}

#[derive(Deserialize)]
pub(super) struct NewPerson {
    name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    contact: String,
    /// Bodies the person joins at once.
    #[serde(default)]
    bodies: Vec<BodyId>,
}

/// `POST /office/people`: one person, and their bodies.
pub(super) async fn add_person(
    State(state): Shared,
    Caller(p): Caller,
    JsonBody(body): JsonBody<NewPerson>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    if body.bodies.len() > 100 {
        return Err(ApiError::invalid(
            "a person joins at most 100 bodies at once",
        ));
    }
    let person = Person {
        id: PersonId::new_random(),
        name: body.name,
        position: body.position,
        unit: body.unit,
        contact: body.contact,
    };
    let id = person.id;
    let mut commands = vec![OfficeCommand::AddPerson(person)];
    commands.extend(body.bodies.iter().map(|&b| OfficeCommand::AddMember {
        body: b,
        person: id,
    }));
    state.office.run(commands).await.map_err(refused)?;
    let person = state.office.read(|d| d.person(id).cloned());
    Ok((StatusCode::CREATED, Json(json!({ "person": person }))))
}

/// `POST /office/people/{person}`: corrects a person's details (all of them given).
pub(super) async fn update_person(
    State(state): Shared,
    Caller(p): Caller,
    Path(id): Path<PersonId>,
    JsonBody(body): JsonBody<NewPerson>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let person = Person {
        id,
        name: body.name,
        position: body.position,
        unit: body.unit,
        contact: body.contact,
    };
    state
        .office
        .run(vec![OfficeCommand::UpdatePerson(person)])
        .await
        .map_err(refused)?;
    let person = state.office.read(|d| d.person(id).cloned());
    Ok(Json(json!({ "person": person })))
}

/// `POST /office/people/import`: `people.csv` or the same list as an XLSX workbook (name,
/// position, unit, contact, bodies).
/// Every row is checked first; bad rows are listed by line and nothing is imported. Bodies
/// named in the file that the directory lacks are created.
pub(super) async fn import_people(
    State(state): Shared,
    Caller(p): Caller,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let parsed = if crate::import::is_xlsx(&body) {
        // Unzipping and reading a workbook is work for a blocking thread.
        let body = body.clone();
        tokio::task::spawn_blocking(move || crate::import::parse_people_xlsx(&body))
            .await
            .map_err(|e| ApiError::internal("reading a workbook", e))?
    } else {
        let text = std::str::from_utf8(&body).map_err(|_| {
            ApiError::invalid("the file is not UTF-8 text; save the CSV as UTF-8 and try again")
        })?;
        crate::import::parse_people_csv(text)
    };
    let rows = parsed.map_err(|errors| {
        let mut e = ApiError::invalid(format!(
            "{} rows of the file cannot be imported; nothing was imported",
            errors.len()
        ));
        e.errors = errors
            .into_iter()
            .take(100)
            .map(|r| LineError {
                line: r.line,
                message: r.message,
            })
            .collect();
        e
    })?;
    let mut bodies: Vec<(String, BodyId)> = state
        .office
        .read(|d| d.bodies().iter().map(|b| (b.name.clone(), b.id)).collect());
    let mut commands = Vec::new();
    let mut lines = Vec::new();
    let mut added = Vec::new();
    for row in &rows {
        let id = PersonId::new_random();
        added.push(id);
        commands.push(OfficeCommand::AddPerson(Person {
            id,
            name: row.name.clone(),
            position: row.position.clone(),
            unit: row.unit.clone(),
            contact: row.contact.clone(),
        }));
        lines.push(row.line);
        for name in &row.bodies {
            let body = match bodies.iter().find(|(n, _)| n == name) {
                Some((_, b)) => *b,
                None => {
                    let b = BodyId::new_random();
                    bodies.push((name.clone(), b));
                    commands.push(OfficeCommand::AddBody {
                        body: b,
                        name: name.clone(),
                    });
                    lines.push(row.line);
                    b
                }
            };
            commands.push(OfficeCommand::AddMember { body, person: id });
            lines.push(row.line);
        }
    }
    match state.office.run(commands).await {
        Ok(_) => {}
        Err(OfficeError::Refused { index, error }) => {
            let mut e =
                ApiError::invalid("a row of the file cannot be imported; nothing was imported");
            e.errors = vec![LineError {
                line: lines.get(index).copied().unwrap_or(0),
                message: error.to_string(),
            }];
            return Err(e);
        }
        Err(e) => return Err(refused(e)),
    }
    let people: Vec<_> = state.office.read(|d| {
        added
            .iter()
            .filter_map(|id| d.person(*id).cloned())
            .collect()
    });
    Ok((StatusCode::CREATED, Json(json!({ "people": people }))))
}

/// `GET /office/bodies`.
pub(super) async fn bodies(
    State(state): Shared,
    Caller(p): Caller,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let bodies = state.office.read(|d| d.bodies().to_vec());
    Ok(Json(json!({ "bodies": bodies })))
}

#[derive(Deserialize)]
pub(super) struct NewBody {
    name: String,
    #[serde(default)]
    members: Vec<PersonId>,
}

/// `POST /office/bodies`: a body with its first members.
pub(super) async fn add_body(
    State(state): Shared,
    Caller(p): Caller,
    JsonBody(body): JsonBody<NewBody>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    if body.members.len() > MAX_LISTED {
        return Err(ApiError::invalid("a body has at most 5000 members"));
    }
    let id = BodyId::new_random();
    let mut commands = vec![OfficeCommand::AddBody {
        body: id,
        name: body.name,
    }];
    commands.extend(
        body.members
            .iter()
            .map(|&person| OfficeCommand::AddMember { body: id, person }),
    );
    state.office.run(commands).await.map_err(refused)?;
    let body = state.office.read(|d| d.body(id).cloned());
    Ok((StatusCode::CREATED, Json(json!({ "body": body }))))
}

#[derive(Deserialize)]
pub(super) struct NewMember {
    person: PersonId,
}

/// `POST /office/bodies/{body}/members`.
pub(super) async fn add_member(
    State(state): Shared,
    Caller(p): Caller,
    Path(body): Path<BodyId>,
    JsonBody(m): JsonBody<NewMember>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let command = OfficeCommand::AddMember {
        body,
        person: m.person,
    };
    state.office.run(vec![command]).await.map_err(refused)?;
    Ok(StatusCode::CREATED)
}

/// `DELETE /office/bodies/{body}/members/{person}`.
pub(super) async fn remove_member(
    State(state): Shared,
    Caller(p): Caller,
    Path((body, person)): Path<(BodyId, PersonId)>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let command = OfficeCommand::RemoveMember { body, person };
    state.office.run(vec![command]).await.map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The URL a person's enrolment QR code holds.
fn enrolment_url(state: &AppState, code: &crate::tokens::Token) -> String {
    format!("{}/e/{}", state.public_base, code.as_str())
}

/// `POST /office/people/{person}/enrolment`: a fresh one-time code, its URL and expiry.
pub(super) async fn enrolment(
    State(state): Shared,
    Caller(p): Caller,
    Path(person): Path<PersonId>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let (code, expires_at) = state
        .office
        .issue_enrolment(person)
        .await
        .map_err(refused)?;
    let url = enrolment_url(&state, &code);
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, "no-store")],
        Json(json!({ "code": code.as_str(), "url": url, "expires_at": expires_at })),
    ))
}

/// `POST /office/people/{person}/enrolment.png`: the same, as the QR code to print. The
/// code's URL and expiry come along in headers, so a page that shows the QR code can print
/// the very link it holds (one code, not two).
pub(super) async fn enrolment_qr(
    State(state): Shared,
    Caller(p): Caller,
    Path(person): Path<PersonId>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let (code, expires_at) = state
        .office
        .issue_enrolment(person)
        .await
        .map_err(refused)?;
    let url = enrolment_url(&state, &code);
    let png = crate::badges::qr_png(&url)
        .map_err(|e| ApiError::internal("drawing an enrolment QR code", e))?;
    Ok((
        [
            (CONTENT_TYPE, "image/png".to_owned()),
            (CACHE_CONTROL, "no-store".to_owned()),
            (ENROLMENT_URL, url),
            (ENROLMENT_EXPIRES, expires_at.0.to_string()),
        ],
        png,
    ))
}

/// The header of `enrolment.png` that carries the code's URL.
const ENROLMENT_URL: HeaderName = HeaderName::from_static("x-enrolment-url");
/// The header of `enrolment.png` that carries the code's expiry (ms since the epoch).
const ENROLMENT_EXPIRES: HeaderName = HeaderName::from_static("x-enrolment-expires-at");

/// `GET /office/devices`: every enrolled device with its person's name.
pub(super) async fn devices(
    State(state): Shared,
    Caller(p): Caller,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    let devices: Vec<_> = state.office.read(|d| {
        d.devices()
            .map(|dev| {
                let name = d
                    .person(dev.person)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                json!({ "device": dev, "name": name })
            })
            .collect()
    });
    Ok(Json(json!({ "devices": devices })))
}

/// `DELETE /office/devices/{device}`: revoked; its connections close at once.
pub(super) async fn revoke_device(
    State(state): Shared,
    Caller(p): Caller,
    Path(device): Path<DeviceId>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    state.office.revoke(device).await.map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /office/devices/{device}/unlock`: after five wrong PINs.
pub(super) async fn unlock_device(
    State(state): Shared,
    Caller(p): Caller,
    Path(device): Path<DeviceId>,
) -> Result<impl IntoResponse, ApiError> {
    office_only(&p)?;
    state.office.unlock(device).await.map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}
