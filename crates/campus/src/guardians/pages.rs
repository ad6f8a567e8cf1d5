//! Guardian pages: the parent portal with its link request form; the college's queue of
//! requests, and direct links from a student's profile (an unlink confirmed first).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::guardians::model::{
    Child, DecisionInput, DirectLinkInput, LinkRequest, LinkRequestInput, RELATIONSHIPS,
};
use crate::guardians::{queries, service};
use crate::notices::model::Notice;
use crate::notices::queries as notices;
use crate::students::pages::{ProfileInput, render_profile_with};
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "guardians/portal.html")]
struct PortalView {
    chrome: Chrome,
    csrf: String,
    children: Vec<Child>,
    notices: Vec<Notice>,
    requests: Vec<LinkRequest>,
    relationships: [&'static str; 8],
    input: LinkRequestInput,
    errors: Errors,
}

async fn render_portal(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: LinkRequestInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let children = service::children(&mut tx, principal.user_id).await?;
    let notices = notices::current(&mut tx, principal.user_id, 20).await?;
    let requests = queries::of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = PortalView {
        chrome: Chrome::signed_in("My children", principal, csrf.clone(), "/children"),
        csrf,
        children,
        notices,
        requests,
        relationships: RELATIONSHIPS,
        input,
        errors: errors.into(),
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn portal_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_portal(
        &state,
        &principal,
        jar,
        LinkRequestInput::default(),
        Vec::new(),
    )
    .await
}

/// The parent portal's "link me to my child" form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkRequestForm {
    student_number: String,
    date_of_birth: String,
    relationship: String,
    note: String,
}

pub async fn request_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<LinkRequestForm>,
) -> AppResult<Response> {
    let input = LinkRequestInput {
        student_number: form.student_number,
        date_of_birth: form.date_of_birth,
        relationship: form.relationship,
        note: form.note,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = queries::request(&mut tx, &context, principal.user_id, &input).await;
    form::settle(&state, tx, outcome)
        .conflict_on("student_number")
        .done(|_| {
            Done::to("/children").message(
                "Sent. The college checks the number and date of birth against its records; \
                 the child appears here once it confirms.",
            )
        })
        .again(async |errors| render_portal(&state, &principal, jar, input, errors).await)
        .await
}

#[derive(Template)]
#[template(path = "guardians/requests.html")]
struct RequestsView {
    chrome: Chrome,
    csrf: String,
    requests: Vec<LinkRequest>,
    /// The request whose form was refused, and the reason typed into it.
    refused: Option<(Uuid, String)>,
    errors: Errors,
}

impl RequestsView {
    /// The id of a request's field: the plain field name on the refused request's form
    /// (so the error summary links to it), suffixed with the request elsewhere.
    fn field_id(&self, request: &Uuid, field: &str) -> String {
        match &self.refused {
            Some((id, _)) if id == request => field.to_string(),
            _ => format!("{field}_{request}"),
        }
    }

    /// The message for `field` of this request's form, when it was the one refused.
    fn error_of(&self, request: &Uuid, field: &str) -> Option<&str> {
        match &self.refused {
            Some((id, _)) if id == request => self.errors.of(field),
            _ => None,
        }
    }

    /// The reason typed into this request's form, when it was refused.
    fn typed_reason(&self, request: &Uuid) -> &str {
        match &self.refused {
            Some((id, reason)) if id == request => reason.as_str(),
            _ => "",
        }
    }
}

async fn render_requests(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    refused: Option<(Uuid, String)>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let requests = queries::pending(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = RequestsView {
        chrome: Chrome::signed_in("Guardian links", principal, csrf.clone(), "/students"),
        csrf,
        requests,
        refused,
        errors: errors.into(),
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn requests_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_requests(&state, &principal, jar, None, Vec::new()).await
}

/// The college's confirm-or-reject form for a link request.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

pub async fn decide_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        decision: form.decision,
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::decide(&mut tx, &context, id, &input).await;
    let confirmed = input.decision == "confirm";
    form::settle(&state, tx, result)
        .conflict_on("decision")
        .done(|()| {
            Done::to("/guardians/requests").message(if confirmed {
                "Link request confirmed."
            } else {
                "Link request rejected."
            })
        })
        .again(async |errors| {
            let refused = Some((id, input.reason.clone()));
            render_requests(&state, &principal, jar, refused, errors).await
        })
        .await
}

/// The profile page's guardian form: a parent's email and relationship to link, or the
/// guardian id to unlink (sent by the unlink confirmation).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GuardianLinkForm {
    email: String,
    relationship: String,
    unlink: String,
}

/// The profile page's form: link a parent account by email, or end a link.
pub async fn link_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<GuardianLinkForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let profile = crate::students::queries::profile(&mut tx, student).await?;
    let student_name = format!("{} {}", profile.first_name, profile.last_name);
    let unlinking = Uuid::parse_str(form.unlink.trim()).ok();
    let (result, message) = match unlinking {
        Some(guardian) => {
            let name = profile
                .guardians
                .iter()
                .find(|g| g.id == guardian)
                .map_or_else(|| "The guardian".to_string(), |g| g.name.clone());
            (
                queries::unlink(&mut tx, &context, student, guardian).await,
                format!("{name} unlinked from {student_name}"),
            )
        }
        None => {
            let input = DirectLinkInput {
                email: form.email.clone(),
                relationship: form.relationship.clone(),
            };
            (
                queries::link_directly(&mut tx, &context, student, &input)
                    .await
                    .map(|_| ()),
                format!(
                    "{} linked to {student_name} as {}",
                    form.email.trim(),
                    crate::web::words::label(&form.relationship).to_lowercase()
                ),
            )
        }
    };
    form::settle(&state, tx, result)
        .conflict_on("email")
        .done(|()| Done::to(format!("/students/{student}")).message(message))
        .again(async |errors| {
            let typed = ProfileInput {
                guardian_email: form.email.clone(),
                relationship: form.relationship.clone(),
                ..ProfileInput::default()
            };
            render_profile_with(&state, &principal, jar, student, typed, errors).await
        })
        .await
}

/// The guardian to unlink, named by the profile's "Unlink" link.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnlinkQuery {
    unlink: String,
}

/// The confirmation before a guardian is unlinked (`?unlink=` the guardian): it names
/// who loses sight of whom, and posts to the profile's guardian form.
pub async fn unlink_confirm(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<UnlinkQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let profile = crate::students::queries::profile(&mut tx, student).await?;
    tx.commit().await?;
    let guardian = Uuid::parse_str(query.unlink.trim())
        .ok()
        .and_then(|id| profile.guardians.iter().find(|g| g.id == id))
        .ok_or(AppError::NotFound)?;
    let student_name = format!("{} {}", profile.first_name, profile.last_name);
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = Confirm::new(
        Chrome::signed_in("Unlink a guardian", &principal, csrf.clone(), "/students"),
        csrf,
        format!("Unlink {} from {student_name}?", guardian.name),
        format!("/students/{student}/guardians"),
    )
    .consequence(format!(
        "{} will no longer see {}'s attendance, results and timetable, and is no longer listed as {}'s {}.",
        guardian.name,
        profile.first_name,
        profile.first_name,
        crate::web::words::label(&guardian.relationship).to_lowercase()
    ))
    .consequence("To link them again, the college links their parent account once more.")
    .field("unlink", guardian.id.to_string())
    .button(format!("Unlink {}", guardian.name))
    .back(format!("/students/{student}#guardians"))
    .respond()?;
    Ok((jar, page).into_response())
}
