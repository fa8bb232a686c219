//! A tablet for one person, to try at once: the demo prints a one-time enrolment link for
//! the first member of the standing committee. Opened on a tablet (or a browser), it sets
//! a PIN and shows that person's meetings, the archive and the library. A code is valid
//! for 24 hours and once, so every start of the demo prints a fresh one.

use super::api::Api;
use super::year::BODY;
use anyhow::Context as _;
use protocol::directory::{Body, Person};
use serde::{Deserialize, Serialize};

/// What `demo.json` and the summary say of the enrolment link.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DemoEnrolment {
    /// Whose tablet it enrols.
    pub name: String,
    /// `BASE/e/CODE`: open it on the tablet.
    pub url: String,
}

/// A fresh enrolment link for the standing committee's first member.
pub(super) async fn link(api: &Api) -> anyhow::Result<DemoEnrolment> {
    #[derive(Deserialize)]
    struct Bodies {
        bodies: Vec<Body>,
    }
    #[derive(Deserialize)]
    struct People {
        people: Vec<Person>,
    }
    #[derive(Deserialize)]
    struct Code {
        url: String,
    }
    let bodies: Bodies = api.get("/api/v1/office/bodies", api.office()).await?;
    let member = bodies
        .bodies
        .into_iter()
        .find(|b| b.name == BODY)
        .and_then(|b| b.members.first().copied())
        .context("the standing committee has no member in the directory")?;
    let people: People = api.get("/api/v1/office/people", api.office()).await?;
    let name = people
        .people
        .into_iter()
        .find(|p| p.id == member)
        .map(|p| p.name)
        .context("the standing committee's member is not in the directory")?;
    let code: Code = api
        .post(
            &format!("/api/v1/office/people/{member}/enrolment"),
            api.office(),
            &serde_json::json!({}),
        )
        .await?;
    Ok(DemoEnrolment {
        name,
        url: code.url,
    })
}
