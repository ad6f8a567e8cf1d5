//! Result pages: a section's grades with the workflow's buttons (submit, publish, return,
//! amend), the results overview (a student's or a child's record; the sections a member
//! of staff follows), and the grading scale form.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::assessment::grading::{Band, Scale};
use crate::academics::assessment::model::{
    AmendmentInput, AssessmentChoice, Record, SectionLine, SectionResults, Status,
};
use crate::academics::assessment::{queries, results, service};
use crate::access::permissions::{Permission, Scope};
use crate::access::principal::{Grant, Principal};
use crate::access::reach;
use crate::access::reach::authorize_section;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::{ApiPath, form_field as field};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "academics/section_results.html")]
struct SectionPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    title: String,
    results: SectionResults,
    assessments: Vec<AssessmentChoice>,
    can_submit: bool,
    can_publish: bool,
    can_amend: bool,
    pass_mark: Option<f64>,
    errors: Vec<FieldError>,
}

impl SectionPage {
    fn status(&self) -> &'static str {
        self.results.status.as_str()
    }

    fn is(&self, status: &str) -> bool {
        self.results.status.as_str() == status
    }
}

async fn render_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let grant = principal
        .grant(Permission::MarksRead)
        .ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let results = results::of_section(&mut tx, section).await?;
    let assessments = queries::assessment_choices(&mut tx, section).await?;
    let pass_mark = results::scale(&mut tx).await?.pass_mark();
    // The buttons show where the handlers behind them would act.
    let mut reaches = [false; 2];
    for (reach, permission) in reaches
        .iter_mut()
        .zip([Permission::ResultsPublish, Permission::ResultsAmend])
    {
        if let Some(grant) = principal.grant(permission) {
            *reach = authorize_section(&mut tx, &grant, section).await.is_ok();
        }
    }
    let [publishes, amends] = reaches;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = SectionPage {
        chrome: Chrome::signed_in(
            format!("Results: {title}"),
            principal,
            csrf.clone(),
            "/results",
        ),
        csrf,
        section,
        title,
        can_submit: principal.can(Permission::MarksEnter) && results.status == Status::Draft,
        can_publish: publishes && results.status == Status::Submitted,
        can_amend: amends && results.status == Status::Published,
        results,
        assessments,
        pass_mark,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn section_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_section(&state, &principal, jar, section, StatusCode::OK, Vec::new()).await
}

/// Runs one workflow step; its refusals are shown on the section's page.
async fn step(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    permission: Permission,
    run: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<(), AppError>,
) -> AppResult<Response> {
    let grant = principal.grant(permission).ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    match run(&mut tx).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/sections/{section}/results")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_section(
                state,
                principal,
                jar,
                section,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            )
            .await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            let errors = vec![FieldError::new("results", message)];
            render_section(state, principal, jar, section, StatusCode::CONFLICT, errors).await
        }
        Err(other) => Err(other),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    step(
        &state,
        &principal,
        jar,
        section,
        Permission::MarksEnter,
        async |conn| {
            results::submit(conn, &grant, &context, section)
                .await
                .map(|_| ())
        },
    )
    .await
}

pub async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    step(
        &state,
        &principal,
        jar,
        section,
        Permission::ResultsPublish,
        async |conn| results::publish(conn, &context, section).await,
    )
    .await
}

/// The "return to draft" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    reason: String,
}

pub async fn return_to_draft(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(form): Form<ReturnForm>,
) -> AppResult<Response> {
    let reason = form.reason;
    step(
        &state,
        &principal,
        jar,
        section,
        Permission::ResultsPublish,
        async |conn| results::return_to_draft(conn, &context, section, &reason).await,
    )
    .await
}

/// The amendment form: one mark changed after publication, with the reason.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AmendForm {
    student_id: String,
    assessment_id: String,
    score: String,
    reason: String,
}

pub async fn amend(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    Form(form): Form<AmendForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let mut id = |name: &str, value: &str| {
        Uuid::parse_str(value.trim())
            .map_err(|_| errors.push(FieldError::new(name, "choose one from the list")))
            .ok()
    };
    let student = id("student_id", &form.student_id);
    let assessment = id("assessment_id", &form.assessment_id);
    let score = form.score.trim().parse::<f64>();
    if score.is_err() {
        errors.push(FieldError::new("score", "must be a number"));
    }
    let (Some(student_id), Some(assessment_id), Ok(score)) = (student, assessment, score) else {
        return render_section(
            &state,
            &principal,
            jar,
            section,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
        )
        .await;
    };
    let input = AmendmentInput {
        student_id,
        assessment_id,
        score,
        reason: form.reason,
    };
    step(
        &state,
        &principal,
        jar,
        section,
        Permission::ResultsAmend,
        async |conn| {
            service::amend(conn, &context, section, &input)
                .await
                .map(|_| ())
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "academics/results.html")]
struct OverviewPage {
    chrome: Chrome,
    csrf: String,
    records: Vec<(String, Record)>,
    sections: Vec<SectionLine>,
    filter: String,
    can_grade: bool,
    can_print: bool,
}

#[derive(serde::Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    status: String,
}

/// A student's (or a guardian's children's) published records; for staff, the sections
/// whose results they follow, filtered by status.
pub async fn overview(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    crate::web::extract::ApiQuery(query): crate::web::extract::ApiQuery<OverviewQuery>,
) -> AppResult<Response> {
    let filter = match query.status.as_str() {
        "draft" | "submitted" | "published" => query.status.clone(),
        _ => String::new(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut records = Vec::new();
    if grant.scope <= Scope::OwnChildren {
        for (student, name) in reach::own_students(&mut tx, principal.user_id).await? {
            records.push((name, results::record_of(&mut tx, student).await?));
        }
    }
    let sections: Vec<SectionLine> = if grant.scope >= Scope::OwnSections {
        queries::followed_sections(&mut tx, &grant, &filter, principal.user_id).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = OverviewPage {
        chrome: Chrome::signed_in("Results", &principal, csrf.clone(), "/results"),
        csrf,
        records,
        sections,
        filter,
        can_grade: principal.can(Permission::GradingManage),
        can_print: principal
            .grant(Permission::ResultsPublish)
            .is_some_and(|g| g.scope >= Scope::College),
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "academics/grading.html")]
struct GradingPage {
    chrome: Chrome,
    csrf: String,
    /// Ten rows: the scale's bands, then empty rows to add more.
    rows: Vec<(String, String, String, bool)>,
    saved: bool,
    errors: Vec<FieldError>,
}

const GRADING_ROWS: usize = 12;

fn rows_of(scale: &Scale) -> Vec<(String, String, String, bool)> {
    let mut rows: Vec<_> = scale
        .bands
        .iter()
        .map(|b| {
            (
                b.letter.clone(),
                b.min_percent.to_string(),
                b.grade_points.to_string(),
                b.passing,
            )
        })
        .collect();
    rows.resize(
        GRADING_ROWS.max(rows.len()),
        (String::new(), String::new(), String::new(), false),
    );
    rows
}

async fn render_grading(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    rows: Option<Vec<(String, String, String, bool)>>,
    saved: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let rows = match rows {
        Some(rows) => rows,
        None => {
            let mut tx = begin_for_college(&state.db, principal.college).await?;
            let scale = results::scale(&mut tx).await?;
            tx.commit().await?;
            rows_of(&scale)
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = GradingPage {
        chrome: Chrome::signed_in("Grading scale", principal, csrf.clone(), "/results"),
        csrf,
        rows,
        saved,
        errors,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn grading(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_grading(&state, &principal, jar, None, false, Vec::new()).await
}

/// The form's rows `letter_N`, `min_N`, `points_N`, `passing_N`; rows without a letter are
/// ignored.
pub async fn save_grading(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut rows = Vec::new();
    let mut bands = Vec::new();
    let mut errors = Vec::new();
    for i in 0..GRADING_ROWS {
        let letter = field(&body, &format!("letter_{i}"));
        let min = field(&body, &format!("min_{i}"));
        let points = field(&body, &format!("points_{i}"));
        let passing = !field(&body, &format!("passing_{i}")).is_empty();
        rows.push((letter.clone(), min.clone(), points.clone(), passing));
        if letter.trim().is_empty() {
            continue;
        }
        let min_percent = min.trim().parse::<f64>().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                format!("min_{i}"),
                format!("{letter}: the minimum must be a number"),
            ));
            f64::NAN
        });
        let grade_points = points.trim().parse::<f64>().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                format!("points_{i}"),
                format!("{letter}: the grade points must be a number"),
            ));
            f64::NAN
        });
        bands.push(Band {
            letter,
            min_percent,
            grade_points,
            passing,
        });
    }
    if !errors.is_empty() {
        return render_grading(&state, &principal, jar, Some(rows), false, errors).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match results::replace_scale(&mut tx, &context, bands).await {
        Ok(_) => {
            tx.commit().await?;
            render_grading(&state, &principal, jar, None, true, Vec::new()).await
        }
        Err(AppError::Validation(errors)) => {
            tx.rollback().await?;
            render_grading(&state, &principal, jar, Some(rows), false, errors).await
        }
        Err(other) => Err(other),
    }
}
