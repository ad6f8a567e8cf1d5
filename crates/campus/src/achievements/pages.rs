//! Achievement pages: the student's hub (record, follow decisions live, download the
//! portfolio), the reviewers' queue, and the college's point rules and organizers. Each
//! form done goes back to its page saying what happened; a refused one comes back (422)
//! with its messages by field and what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::achievements::model::{
    self, Achievement, AchievementInput, CATEGORIES, DecisionInput, Organizer, Rule,
};
use crate::achievements::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery, form_field};
use crate::web::form::{self, Done, Errors};
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
    /// What was typed in the "record an achievement" form (files cannot be kept).
    input: AchievementInput,
    errors: Errors,
}

fn status_of(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

async fn render_hub(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: AchievementInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    let achievements = queries::of_student(&mut tx, student).await?;
    let points = queries::points_of(&mut tx, student).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = status_of(&errors);
    let view = HubView {
        chrome: Chrome::signed_in("Achievements", principal, csrf.clone(), "/achievements"),
        csrf,
        student,
        achievements,
        points,
        categories: CATEGORIES,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        input,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn hub(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let input = AchievementInput {
        category: CATEGORIES[0].to_string(),
        ..AchievementInput::default()
    };
    render_hub(&state, &principal, jar, input, Vec::new()).await
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
    let upload = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(upload) => upload,
        Err(AppError::Validation(errors)) => {
            return render_hub(&state, &principal, jar, AchievementInput::default(), errors).await;
        }
        Err(other) => return Err(other),
    };
    let input = AchievementInput {
        title: upload.text("title"),
        category: upload.text("category"),
        achieved_on: upload.text("achieved_on"),
        organiser: upload.text("organiser"),
        description: upload.text("description"),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = queries::student_of_user(&mut tx, principal.user_id).await?;
    let result = queries::record(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        &input,
        &upload.files,
    )
    .await;
    form::settle(&state, tx, result)
        .done(|_| {
            Done::to("/achievements").message(format!(
                "{} recorded. It waits for a reviewer; this page shows their decision as soon as it is made.",
                input.title.trim()
            ))
        })
        .again(async |errors| render_hub(&state, &principal, jar, input.clone(), errors).await)
        .await
}

#[derive(Template)]
#[template(path = "achievements/review.html")]
struct ReviewView {
    chrome: Chrome,
    csrf: String,
    status: String,
    achievements: Vec<Achievement>,
    /// The achievement whose decision was refused, with the comment typed.
    refused: Option<Uuid>,
    comment: String,
    errors: Errors,
    can_manage: bool,
}

impl ReviewView {
    fn refused_here(&self, a: &Achievement) -> bool {
        self.refused == Some(a.id)
    }

    /// The comment box of `a`: as typed when its decision was refused.
    fn comment_of(&self, a: &Achievement) -> &str {
        if self.refused_here(a) {
            &self.comment
        } else {
            ""
        }
    }

    /// The id of `a`'s comment box.
    fn comment_id(&self, a: &Achievement) -> String {
        format!("comment_{}", a.id)
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    status: String,
}

async fn render_review(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    status: String,
    refused: Option<(Uuid, String, Vec<FieldError>)>,
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
    let (refused, comment, errors) = match refused {
        Some((id, comment, found)) => {
            // Each achievement has its own form: its comment box is `comment_{id}`, and
            // anything else is said on the form (`decide-{id}`).
            let errors: Vec<FieldError> = found
                .into_iter()
                .map(|e| {
                    let place = if e.field == "comment" {
                        format!("comment_{id}")
                    } else {
                        format!("decide-{id}")
                    };
                    FieldError::new(place, e.message)
                })
                .collect();
            (Some(id), comment, errors)
        }
        None => (None, String::new(), Vec::new()),
    };
    let code = status_of(&errors);
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
        refused,
        comment,
        errors: errors.into(),
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
    render_review(&state, &principal, &grant, jar, query.status, None).await
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
    Form(sent): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        decision: sent.decision,
        comment: sent.comment,
    };
    let back = sent.back;
    let message = match input.decision.as_str() {
        "approve" => "Approved; the student sees it now.",
        "reject" => "Rejected; the student sees your comment.",
        _ => "Revoked; portfolios issued with it now show it as revoked.",
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
        .done(|()| Done::to(format!("/achievements/review?status={status}")).message(message))
        .again(async |errors| {
            let refused = Some((id, input.comment, errors));
            render_review(&state, &principal, &grant, jar, status.to_string(), refused).await
        })
        .await
}

#[derive(Template)]
#[template(path = "achievements/settings.html")]
struct SettingsView {
    chrome: Chrome,
    csrf: String,
    /// Each category with its points: as typed when the form was refused, else as set.
    points: Vec<(String, String)>,
    organizers: Vec<Organizer>,
    categories: [&'static str; 7],
    /// The organizer whose form was refused, with the categories ticked.
    refused: Option<(Uuid, Vec<String>)>,
    errors: Errors,
}

impl SettingsView {
    /// Whether `category` is ticked on `o`'s form: as sent when it was refused.
    fn ticked(&self, o: &Organizer, category: &str) -> bool {
        match &self.refused {
            Some((user, sent)) if *user == o.user_id => sent.iter().any(|c| c == category),
            _ => o.categories.iter().any(|c| c == category),
        }
    }

    fn refused_here(&self, o: &Organizer) -> bool {
        matches!(&self.refused, Some((user, _)) if *user == o.user_id)
    }

    /// The id of a category's points box.
    fn points_input(&self, category: &str) -> String {
        points_id(category)
    }
}

/// What the settings page shows again after a refusal.
enum SettingsAgain {
    /// The points as typed, by category.
    Points(Vec<(String, String)>),
    /// An organizer's categories as ticked.
    Organizer(Uuid, Vec<String>),
}

/// The id of a category's points box.
fn points_id(category: &str) -> String {
    format!("points_{category}")
}

async fn render_settings(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    again: Option<(SettingsAgain, Vec<FieldError>)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let rules = queries::rules(&mut tx).await?;
    let organizers = queries::organizers(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let mut points: Vec<(String, String)> = rules
        .into_iter()
        .map(|r: Rule| (r.category, r.points.to_string()))
        .collect();
    let (mut refused, mut errors) = (None, Vec::new());
    match again {
        None => {}
        Some((SettingsAgain::Points(typed), found)) => {
            points = typed;
            // Each category's box is `points_{category}`; its message names it.
            errors = found
                .into_iter()
                .map(|e| {
                    let message = format!("{} {}", model::label(&e.field), e.message);
                    FieldError::new(points_id(&e.field), message)
                })
                .collect();
        }
        Some((SettingsAgain::Organizer(user, ticked), found)) => {
            refused = Some((user, ticked));
            // Said on the organizer's own form, or above the list when none was named.
            let place = if user.is_nil() {
                "organizers".to_string()
            } else {
                format!("organizer-{user}")
            };
            errors = found
                .into_iter()
                .map(|e| FieldError::new(place.clone(), e.message))
                .collect();
        }
    }
    let code = status_of(&errors);
    let view = SettingsView {
        chrome: Chrome::signed_in(
            "Activity points and organizers",
            principal,
            csrf.clone(),
            "/achievements",
        ),
        csrf,
        points,
        organizers,
        categories: CATEGORIES,
        refused,
        errors: errors.into(),
    };
    Ok((code, jar, render(&view)?).into_response())
}

pub async fn settings(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_settings(&state, &principal, jar, None).await
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
    let typed: Vec<(String, String)> = CATEGORIES
        .iter()
        .map(|category| (category.to_string(), form_field(&body, category)))
        .collect();
    for (category, text) in &typed {
        match text.trim().parse::<i32>() {
            Ok(points) => rules.push(Rule {
                category: category.clone(),
                points,
            }),
            Err(_) => errors.push(FieldError::new(category.clone(), "must be a whole number")),
        }
    }
    if !errors.is_empty() {
        let again = Some((SettingsAgain::Points(typed), errors));
        return render_settings(&state, &principal, jar, again).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::set_rules(&mut tx, &context, &rules).await;
    form::settle(&state, tx, result)
        .done(|()| Done::to("/achievements/settings").message("Activity points saved"))
        .again(async |errors| {
            let again = Some((SettingsAgain::Points(typed), errors));
            render_settings(&state, &principal, jar, again).await
        })
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
    axum_extra::extract::Form(sent): axum_extra::extract::Form<OrganizerForm>,
) -> AppResult<Response> {
    let Ok(user_id) = Uuid::parse_str(sent.user_id.trim()) else {
        // No organizer to show the message on: said at the top of their list.
        let errors = vec![FieldError::new("organizers", "choose an organizer")];
        let again = Some((SettingsAgain::Organizer(Uuid::nil(), sent.category), errors));
        return render_settings(&state, &principal, jar, again).await;
    };
    let input = model::OrganizerInput {
        user_id,
        categories: sent.category,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::set_organizer(&mut tx, &context, &input).await;
    let saved = if input.categories.is_empty() {
        "The organizer reviews no category now".to_string()
    } else {
        let names: Vec<String> = input.categories.iter().map(|c| model::label(c)).collect();
        format!("The organizer reviews {} now", names.join(", "))
    };
    form::settle(&state, tx, result)
        .done(|()| Done::to("/achievements/settings").message(saved))
        .again(async |errors| {
            let again = Some((SettingsAgain::Organizer(user_id, input.categories), errors));
            render_settings(&state, &principal, jar, again).await
        })
        .await
}
