//! Student record pages: search, and a student's profile with its status history.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::students::model::{Profile, STATUSES, SearchPage, SearchQuery, StatusInput};
use crate::students::queries;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "students/search.html")]
struct SearchPageView {
    chrome: Chrome,
    query: SearchQuery,
    page: SearchPage,
    programs: Vec<(String, String)>,
    statuses: [&'static str; 5],
    next: Option<String>,
    can_manage: bool,
    errors: Errors,
}

pub async fn search(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (page, errors) = match queries::search(&mut tx, &grant, &query).await {
        Ok(page) => (page, Vec::new()),
        Err(AppError::Validation(errors)) => (
            SearchPage {
                students: Vec::new(),
                next_offset: None,
            },
            errors,
        ),
        Err(other) => return Err(other),
    };
    let programs: Vec<(String, String)> = queries::programs(&mut tx).await?;
    tx.commit().await?;
    let next = page.next_offset.map(|offset| {
        let mut pairs = vec![
            ("q", query.q.clone()),
            ("status", query.status.clone()),
            ("program", query.program.clone()),
            ("offset", offset.to_string()),
        ];
        if let Some(year) = query.year {
            pairs.push(("year", year.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    });
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = SearchPageView {
        chrome: Chrome::signed_in("Students", &principal, csrf, "/students"),
        query,
        page,
        programs,
        statuses: STATUSES,
        next,
        // The links lead to college-wide work (import, link requests, steps).
        can_manage: principal
            .grant(Permission::StudentsManage)
            .is_some_and(|g| g.scope >= crate::access::permissions::Scope::College),
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "students/profile.html")]
struct ProfileView {
    chrome: Chrome,
    csrf: String,
    profile: Profile,
    can_link: bool,
    can_guide: bool,
    can_privacy: bool,
    relationships: [&'static str; 8],
    documents: Vec<(String, crate::files::uploads::FileView)>,
    achievements: Vec<crate::achievements::model::Achievement>,
    points: i64,
    can_manage: bool,
    statuses: [&'static str; 5],
    /// Report cards, transcripts, identity cards and portfolios issued to the student.
    issued: Vec<crate::documents::lifecycle::model::IssuedLine>,
    college_slug: String,
    /// The student's attendance per course against the college's minimum; the outer
    /// `None` when the viewer may not read the student's attendance, the inner before any
    /// session is marked.
    attendance: Option<Option<String>>,
    /// The forms' fields as typed, when one was refused.
    input: ProfileInput,
    errors: Errors,
}

impl ProfileView {
    /// An issued document's standing, in words and in the college's time zone.
    fn standing(&self, d: &crate::documents::lifecycle::model::IssuedLine) -> String {
        match (d.revoked_at, d.superseded_at) {
            (Some(at), _) => match &d.revoked_reason {
                Some(reason) => format!("Revoked {}: {reason}", self.chrome.local(at)),
                None => format!("Revoked {}", self.chrome.local(at)),
            },
            (None, Some(at)) => format!("Superseded {} (grades amended)", self.chrome.local(at)),
            (None, None) => "Valid".to_string(),
        }
    }

    /// The student's date of birth, spelled out.
    fn born(&self) -> String {
        self.profile
            .date_of_birth
            .map_or_else(|| "—".to_string(), |d| self.chrome.day(d))
    }
}

/// What the profile page's forms sent, shown again when one was refused: the status
/// change (status, date, reason) and the guardian link (email, relationship).
#[derive(Debug, Default, Clone)]
pub(crate) struct ProfileInput {
    pub(crate) status: String,
    pub(crate) effective_on: String,
    pub(crate) reason: String,
    pub(crate) guardian_email: String,
    pub(crate) relationship: String,
}

pub(crate) async fn render_profile(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    student: Uuid,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    render_profile_with(
        state,
        principal,
        jar,
        student,
        ProfileInput::default(),
        errors,
    )
    .await
}

/// A student's attendance per course as bars against the college's minimum, as the
/// dashboard draws it; `None` before any session of theirs is marked.
async fn attendance_chart(
    conn: &mut sqlx::PgConnection,
    student: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    use crate::academics::attendance::{panels, queries};
    let courses = queries::of_student(&mut *conn, student).await?;
    if courses.iter().all(|c| c.percent.is_none()) {
        return Ok(None);
    }
    let threshold = panels::threshold(conn).await?;
    Ok(panels::chart("Attendance by course", &courses, threshold))
}

/// The profile page, its forms showing `input` and `errors` (a refused form).
pub(crate) async fn render_profile_with(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    student: Uuid,
    input: ProfileInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let grant = principal
        .grant(Permission::StudentsRead)
        .ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let mut profile = queries::profile(&mut tx, student).await?;
    let personal = queries::sees_personal_details(&mut tx, principal, student).await?;
    if !personal {
        profile = profile.without_personal_details();
    }
    let achievements = crate::achievements::queries::of_student(&mut tx, student).await?;
    let documents: Vec<(String, uuid::Uuid, String, String, i64)> =
        queries::documents(&mut tx, student).await?;
    let documents = documents
        .into_iter()
        .map(|(kind, id, file_name, content_type, size_bytes)| {
            (
                kind,
                crate::files::uploads::FileView {
                    id,
                    file_name,
                    content_type,
                    size_bytes,
                },
            )
        })
        .filter(|(kind, _): &(String, crate::files::uploads::FileView)| personal || kind == "photo")
        .collect();
    let points = crate::achievements::queries::points_of(&mut tx, student).await?;
    let issued = crate::documents::lifecycle::queries::of_student(&mut tx, student).await?;
    let reads_attendance = match principal.grant(Permission::AttendanceRead) {
        Some(read) => authorize_student(&mut tx, &read, student).await.is_ok(),
        None => false,
    };
    let attendance = if reads_attendance {
        Some(attendance_chart(&mut tx, student).await?)
    } else {
        None
    };
    let can_manage = match principal.grant(Permission::StudentsManage) {
        Some(manage) => authorize_student(&mut tx, &manage, student).await.is_ok(),
        None => false,
    };
    tx.commit().await?;
    let mut input = input;
    if input.status.is_empty() {
        input.status = profile.status.clone();
    }
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = ProfileView {
        chrome: Chrome::signed_in(
            format!("{} {}", profile.first_name, profile.last_name),
            principal,
            csrf.clone(),
            "/students",
        ),
        csrf,
        profile,
        can_link: principal.can(Permission::GuardiansManage),
        can_guide: principal.can(Permission::GuidanceNotes),
        can_privacy: principal.can(Permission::PrivacyManage),
        relationships: crate::guardians::model::RELATIONSHIPS,
        documents,
        achievements,
        points,
        can_manage,
        issued,
        college_slug: principal.college_slug.clone(),
        attendance,
        statuses: STATUSES,
        input,
        errors: errors.into(),
    };
    Ok((jar, render(&view)?).into_response())
}

pub async fn profile(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_profile(&state, &principal, jar, student, Vec::new()).await
}

/// The "change status" form on a student's profile.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    effective_on: String,
    reason: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let input = StatusInput {
        status: form.status,
        effective_on: form.effective_on,
        reason: form.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let result = queries::change_status(&mut tx, &context, student, &input).await;
    let message = format!(
        "Status changed to {}",
        crate::web::words::label(&input.status).to_lowercase()
    );
    form::settle(&state, tx, result)
        .done(|()| Done::to(format!("/students/{student}")).message(message))
        .again(async |errors| {
            let typed = ProfileInput {
                status: input.status.clone(),
                effective_on: input.effective_on.clone(),
                reason: input.reason.clone(),
                ..ProfileInput::default()
            };
            render_profile_with(&state, &principal, jar, student, typed, errors).await
        })
        .await
}
