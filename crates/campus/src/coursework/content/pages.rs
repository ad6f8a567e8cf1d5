//! Course material and meeting forms on a section's page (its teachers'): a material (a
//! file or a link) and an online meeting. Each goes back to the section page saying what
//! was added, or comes back refused (422) with what was typed.

use axum::Form;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::content::model::NewMeetingInput;
use crate::coursework::content::queries;
use crate::coursework::pages::{
    Again, MaterialTyped, MeetingTyped, refused_on_section, render_section,
};
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};

pub async fn add_material(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let upload = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(upload) => upload,
        Err(e) => {
            let again = Again::Material(MaterialTyped::default());
            return refused_on_section(&state, &principal, jar, section, again, e).await;
        }
    };
    let typed = MaterialTyped {
        title: upload.text("title"),
        description: upload.text("description"),
        link: upload.text("link"),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let added = queries::add_material(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        section,
        &typed.title,
        &typed.description,
        &typed.link,
        upload.files.first(),
    )
    .await;
    let title = typed.title.trim().to_string();
    form::settle(&state, tx, added)
        .conflict_on("title")
        .done(|_| {
            Done::to(format!("/sections/{section}")).message(format!("Material {title} added"))
        })
        .again(async |errors| {
            let again = Some((Again::Material(typed), errors));
            render_section(&state, &principal, jar, section, again).await
        })
        .await
}

/// The "add a meeting" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    title: String,
    starts_at: String,
    ends_at: String,
    link: String,
    agenda: String,
}

pub async fn add_meeting(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(sent): Form<MeetingForm>,
) -> AppResult<Response> {
    let typed = MeetingTyped {
        title: sent.title,
        starts_at: sent.starts_at,
        ends_at: sent.ends_at,
        link: sent.link,
        agenda: sent.agenda,
    };
    let input = NewMeetingInput {
        title: typed.title.clone(),
        starts_at: typed.starts_at.clone(),
        ends_at: typed.ends_at.clone(),
        link: typed.link.clone(),
        agenda: typed.agenda.clone(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let added = queries::add_meeting(&mut tx, &context, section, &input).await;
    let title = input.title.trim().to_string();
    form::settle(&state, tx, added)
        .conflict_on("title")
        .done(|_| {
            Done::to(format!("/sections/{section}")).message(format!("Meeting {title} scheduled"))
        })
        .again(async |errors| {
            let again = Some((Again::Meeting(typed), errors));
            render_section(&state, &principal, jar, section, again).await
        })
        .await
}
