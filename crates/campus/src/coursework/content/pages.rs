//! Course material and meeting forms on a section's page (its teachers'): a material (a
//! file or a link) and an online meeting.

use axum::Form;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::content::model::NewMeetingInput;
use crate::coursework::content::queries;
use crate::coursework::pages::refused_on_section;
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::files::uploads;
use crate::web::extract::ApiPath;

pub async fn add_material(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(e) => return refused_on_section(&state, &principal, jar, section, e).await,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let added = queries::add_material(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        section,
        &form.text("title"),
        &form.text("description"),
        &form.text("link"),
        form.files.first(),
    )
    .await;
    match added {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/sections/{section}")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            refused_on_section(&state, &principal, jar, section, e).await
        }
    }
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
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let input = NewMeetingInput {
        title: form.title,
        starts_at: form.starts_at,
        ends_at: form.ends_at,
        link: form.link,
        agenda: form.agenda,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    match queries::add_meeting(&mut tx, &context, section, &input).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/sections/{section}")).into_response())
        }
        Err(e) => {
            tx.rollback().await?;
            refused_on_section(&state, &principal, jar, section, e).await
        }
    }
}
