//! Achievement pages: the student's hub (record, follow decisions live, download the
//! portfolio), the reviewers' queue, and the college's point rules and organizers.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::achievements::model::{self, Achievement, CATEGORIES, DecisionInput, Organizer, Rule};
use crate::achievements::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery, form_field};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "achievements/hub.html")]
struct HubView {
    chrome: Chrome,
    csrf: String,
    student: Uuid,
    achievements: Vec<Achievement>,
    points: i64,
    categories: [&'static str; 7],
    upload_limit: String,
    saved: bool,
    errors: Vec<FieldError>,
}

fn status_of(errors: &[FieldError], ok: StatusCode) -> StatusCode {
    if errors.is_empty() {
        ok
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

async fn render_hub(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    let achievements = queries::of_student(&mut tx, student).await?;
    let points = queries::points_of(&mut tx, student).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let view = HubView {
        chrome: Chrome::signed_in("Achievements", principal, csrf.clone(), "/achievements"),
        csrf,
        student,
        achievements,
        points,
        categories: CATEGORIES,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        saved: status == StatusCode::CREATED,
        errors: errors.clone(),
    };
    Ok((status_of(&errors, status), jar, render(&view)?).into_response())
}

pub async fn hub(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_hub(&state, &principal, jar, StatusCode::OK, Vec::new()).await
}

/// Server-sent events telling the student's page that one of their achievements changed.
pub async fn events(State(state): State<AppState>, principal: Principal) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let still = queries::student_of_user(&mut tx, now.user_id).await?;
            tx.commit().await?;
            Ok(still == student)
        },
    );
    Ok(crate::live::changes(
        &state,
        principal.college,
        model::topic(student),
        recheck,
    ))
}

pub async fn record(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(AppError::Validation(errors)) => {
            return render_hub(&state, &principal, jar, StatusCode::OK, errors).await;
        }
        Err(other) => return Err(other),
    };
    let input = model::AchievementInput {
        title: form.text("title"),
        category: form.text("category"),
        achieved_on: form.text("achieved_on"),
        organiser: form.text("organiser"),
        description: form.text("description"),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    match queries::record(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        &input,
        &form.files,
    )
    .await
    {
        Ok(_) => {
            tx.commit().await?;
            render_hub(&state, &principal, jar, StatusCode::CREATED, Vec::new()).await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_hub(&state, &principal, jar, StatusCode::OK, errors).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "achievements/review.html")]
struct ReviewView {
    chrome: Chrome,
    csrf: String,
    status: String,
    achievements: Vec<Achievement>,
    message: Option<String>,
    errors: Vec<FieldError>,
    can_manage: bool,
}

#[derive(Debug, serde::Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    done: String,
}

async fn render_review(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    status: String,
    message: Option<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let status = if status.is_empty() {
        "submitted".to_string()
    } else {
        status
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let achievements = queries::queue(&mut tx, grant, &status).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let code = status_of(&errors, StatusCode::OK);
    let view = ReviewView {
        chrome: Chrome::signed_in(
            "Review achievements",
            principal,
            csrf.clone(),
            "/achievements/review",
        ),
        csrf,
        status,
        achievements,
        message,
        errors,
        can_manage: principal.can(Permission::AchievementsManage),
    };
    Ok((code, jar, render(&view)?).into_response())
}

pub async fn review(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ReviewQuery>,
) -> AppResult<Response> {
    let message = match query.done.as_str() {
        "approved" => Some("Approved; the student sees it now.".to_string()),
        "rejected" => Some("Rejected; the student sees your comment.".to_string()),
        "revoked" => Some("Revoked; portfolios issued with it now show it as revoked.".to_string()),
        _ => None,
    };
    render_review(
        &state,
        &principal,
        &grant,
        jar,
        query.status,
        message,
        Vec::new(),
    )
    .await
}

/// A reviewer's decision on an achievement in the queue; `back` is the queue tab
/// (status) to return to.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    comment: String,
    back: String,
}

pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        decision: form.decision,
        comment: form.comment,
    };
    let back = form.back;
    let done = match input.decision.as_str() {
        "approve" => "approved",
        "reject" => "rejected",
        _ => "revoked",
    };
    let status = if back == "approved" {
        "approved"
    } else {
        "submitted"
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::decide(&mut tx, &context, &grant, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("decision")
        .done(|()| Done::to(format!("/achievements/review?status={status}&done={done}")))
        .again(async |errors| {
            render_review(&state, &principal, &grant, jar, back, None, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "achievements/settings.html")]
struct SettingsView {
    chrome: Chrome,
    csrf: String,
    rules: Vec<Rule>,
    organizers: Vec<Organizer>,
    categories: [&'static str; 7],
    saved: bool,
    errors: Vec<FieldError>,
}

async fn render_settings(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    saved: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let rules = queries::rules(&mut tx).await?;
    let organizers = queries::organizers(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let code = status_of(&errors, StatusCode::OK);
    let view = SettingsView {
        chrome: Chrome::signed_in(
            "Activity points and organizers",
            principal,
            csrf.clone(),
            "/achievements",
        ),
        csrf,
        rules,
        organizers,
        categories: CATEGORIES,
        saved,
        errors,
    };
    Ok((code, jar, render(&view)?).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

pub async fn settings(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SavedQuery>,
) -> AppResult<Response> {
    render_settings(&state, &principal, jar, !query.saved.is_empty(), Vec::new()).await
}

pub async fn save_rules(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for category in CATEGORIES {
        let text = form_field(&body, category);
        match text.trim().parse::<i32>() {
            Ok(points) => rules.push(Rule {
                category: category.to_string(),
                points,
            }),
            Err(_) => errors.push(FieldError::new(category, "must be a whole number")),
        }
    }
    if !errors.is_empty() {
        return render_settings(&state, &principal, jar, false, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::set_rules(&mut tx, &context, &rules).await;
    form::settle(&state, tx, result)
        .done(|()| Done::to("/achievements/settings?saved=1"))
        .again(async |errors| render_settings(&state, &principal, jar, false, errors).await)
        .await
}

/// The form setting which categories a student organizer reviews (one checkbox per
/// category, so `category` repeats).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OrganizerForm {
    user_id: String,
    category: Vec<String>,
}

pub async fn save_organizer(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<OrganizerForm>,
) -> AppResult<Response> {
    let Ok(user_id) = Uuid::parse_str(form.user_id.trim()) else {
        return render_settings(
            &state,
            &principal,
            jar,
            false,
            vec![FieldError::new("user_id", "choose an organizer")],
        )
        .await;
    };
    let input = model::OrganizerInput {
        user_id,
        categories: form.category,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::set_organizer(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .done(|()| Done::to("/achievements/settings?saved=1"))
        .again(async |errors| render_settings(&state, &principal, jar, false, errors).await)
        .await
}
