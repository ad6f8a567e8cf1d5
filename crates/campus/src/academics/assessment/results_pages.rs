//! Result pages: a section's grades with the workflow's buttons (submit, publish, return,
//! amend), the results overview (a student's or a child's record; the sections a member
//! of staff follows), and the grading scale form.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::academics::assessment::grading::{Band, Scale};
use crate::academics::assessment::model::{
    AmendmentInput, AssessmentChoice, MissingMark, Record, SectionLine, SectionResults, Status,
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
use crate::web::extract::{ApiPath, form_field as field};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::{chart, csrf};

/// The fields of the section page's forms (return to the teacher, amend a mark): their
/// errors are shown by each field, any other refusal at the top of the page.
const FORM_FIELDS: [&str; 4] = ["reason", "score", "student_id", "assessment_id"];

/// What was typed in the section page's forms, shown again when refused.
#[derive(Debug, Default, Clone)]
struct Kept {
    reason: String,
    student_id: String,
    assessment_id: String,
    score: String,
}

/// A student with marks still to enter, and in which assessments.
struct StudentMissing {
    student_id: Uuid,
    name: String,
    student_number: String,
    assessments: String,
}

/// The missing marks of a section, one line per student.
fn by_student(missing: Vec<MissingMark>) -> Vec<StudentMissing> {
    let mut out: Vec<StudentMissing> = Vec::new();
    for m in missing {
        match out.last_mut() {
            Some(last) if last.student_id == m.student_id => {
                last.assessments.push_str(", ");
                last.assessments.push_str(&m.assessment);
            }
            _ => out.push(StudentMissing {
                student_id: m.student_id,
                name: m.name,
                student_number: m.student_number,
                assessments: m.assessment,
            }),
        }
    }
    out
}

/// Each grade of the scale (then any other given) with how many students have it and
/// whether it passes. A draft's students with marks missing are left out: their grade
/// would count the missing marks as zero, so they are counted apart, never as a grade.
fn graded(
    scale: &Scale,
    results: &SectionResults,
    missing: &[StudentMissing],
) -> Vec<(String, usize, bool)> {
    let unfinished = |student: Uuid| {
        results.status == Status::Draft && missing.iter().any(|m| m.student_id == student)
    };
    scale.distribution(
        results
            .results
            .iter()
            .filter(|r| !unfinished(r.student_id))
            .map(|r| (r.letter.as_str(), r.passed)),
    )
}

/// A line of the grade distribution's figures.
struct GradeLine {
    letter: String,
    /// `Yes`, `No`, or `Not graded` for the students with marks missing.
    passes: &'static str,
    students: usize,
    /// Share of the section's students, e.g. `25%`.
    share: String,
}

/// The grade distribution of a section's results page.
struct Distribution {
    /// Bars of students per grade with their share of the section, those with marks
    /// missing apart (`web::chart::count_bars`).
    chart: String,
    /// The same as figures.
    lines: Vec<GradeLine>,
}

/// The grade distribution, `unfinished` being how many students of a draft have marks
/// missing; `None` for a section with no student.
fn distribution(graded: &[(String, usize, bool)], unfinished: usize) -> Option<Distribution> {
    let total = graded.iter().map(|g| g.1).sum::<usize>() + unfinished;
    if total == 0 {
        return None;
    }
    let share = |count: usize| format!("{}%", (count as f64 * 100.0 / total as f64).round());
    let note = |count: usize| {
        let who = if count == 1 { "student" } else { "students" };
        format!("{count} {who} · {}", share(count))
    };
    let mut bars: Vec<chart::CountBar> = graded
        .iter()
        .map(|(letter, count, _)| chart::CountBar {
            label: letter.clone(),
            count: *count as u64,
            note: note(*count),
            apart: false,
        })
        .collect();
    let mut lines: Vec<GradeLine> = graded
        .iter()
        .map(|(letter, count, passing)| GradeLine {
            letter: letter.clone(),
            passes: if *passing { "Yes" } else { "No" },
            students: *count,
            share: share(*count),
        })
        .collect();
    if unfinished > 0 {
        bars.push(chart::CountBar {
            label: "Marks missing".into(),
            count: unfinished as u64,
            note: note(unfinished),
            apart: true,
        });
        lines.push(GradeLine {
            letter: "Marks missing".into(),
            passes: "Not graded",
            students: unfinished,
            share: share(unfinished),
        });
    }
    Some(Distribution {
        chart: chart::count_bars("Students per grade", &bars),
        lines,
    })
}

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
    /// Students of a draft with marks still to enter: their grade is not shown.
    missing: Vec<StudentMissing>,
    distribution: Option<Distribution>,
    /// Refusals of a workflow step, shown at the top.
    problems: Vec<String>,
    /// Errors of the page's forms, by field.
    errors: Errors,
    kept: Kept,
}

impl SectionPage {
    fn status(&self) -> &'static str {
        self.results.status.as_str()
    }

    fn is(&self, status: &str) -> bool {
        self.results.status.as_str() == status
    }

    /// The assessments a student of a draft has no mark in yet.
    fn missing_of(&self, student: &Uuid) -> Option<&str> {
        if self.results.status != Status::Draft {
            return None;
        }
        self.missing
            .iter()
            .find(|m| m.student_id == *student)
            .map(|m| m.assessments.as_str())
    }

    fn student_chosen(&self, student: &Uuid) -> bool {
        self.kept.student_id == student.to_string()
    }

    fn assessment_chosen(&self, assessment: &Uuid) -> bool {
        self.kept.assessment_id == assessment.to_string()
    }
}

async fn render_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    status: StatusCode,
    errors: Vec<FieldError>,
    kept: Kept,
) -> AppResult<Response> {
    let grant = principal
        .grant(Permission::MarksRead)
        .ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let results = results::of_section(&mut tx, section).await?;
    let missing = by_student(queries::missing_marks(&mut tx, section).await?);
    let assessments = queries::assessment_choices(&mut tx, section).await?;
    let scale = results::scale(&mut tx).await?;
    let pass_mark = scale.pass_mark();
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
    let (by_field, problems): (Vec<FieldError>, Vec<FieldError>) = errors
        .into_iter()
        .partition(|e| FORM_FIELDS.contains(&e.field.as_str()));
    let unfinished = if results.status == Status::Draft {
        results
            .results
            .iter()
            .filter(|r| missing.iter().any(|m| m.student_id == r.student_id))
            .count()
    } else {
        0
    };
    let distribution = distribution(&graded(&scale, &results, &missing), unfinished);
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
        missing,
        distribution,
        problems: problems.into_iter().map(|e| e.message).collect(),
        errors: by_field.into(),
        kept,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn section_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_section(
        &state,
        &principal,
        jar,
        section,
        StatusCode::OK,
        Vec::new(),
        Kept::default(),
    )
    .await
}

/// Runs one workflow step: done, the browser goes back to the section's page with the
/// step's message; refused, the page comes back with why (422 for input, 409 when the
/// results are not in the state the step needs) and the forms as typed.
async fn step(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    permission: Permission,
    kept: Kept,
    run: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<String, AppError>,
) -> AppResult<Response> {
    let grant = principal.grant(permission).ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    match run(&mut tx).await {
        Ok(message) => {
            tx.commit().await?;
            Ok(Done::to(format!("/sections/{section}/results"))
                .message(message)
                .respond(state))
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
                kept,
            )
            .await
        }
        Err(AppError::Conflict(message)) => {
            tx.rollback().await?;
            let errors = vec![FieldError::new("results", message)];
            render_section(
                state,
                principal,
                jar,
                section,
                StatusCode::CONFLICT,
                errors,
                kept,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// Which step a check page prepares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    Publish,
}

/// The check before submitting or publishing: what is missing, the grades as they
/// stand, and the button that then acts.
#[derive(Template)]
#[template(path = "academics/results_check.html")]
struct CheckPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    heading: String,
    action: String,
    button: String,
    consequence: Vec<String>,
    /// Why the step cannot be taken now; the button is shown only without any.
    blockers: Vec<String>,
    warnings: Vec<String>,
    missing: Vec<StudentMissing>,
    /// Each grade of the scale (then any other given), how many students have it, and
    /// whether it passes.
    distribution: Vec<(String, usize, bool)>,
    can_enter_marks: bool,
}

async fn render_check(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    step: Step,
) -> AppResult<Response> {
    let permission = match step {
        Step::Submit => Permission::MarksEnter,
        Step::Publish => Permission::ResultsPublish,
    };
    let grant = principal.grant(permission).ok_or(AppError::Forbidden)?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let results = results::of_section(&mut tx, section).await?;
    let missing = by_student(queries::missing_marks(&mut tx, section).await?);
    let scale = results::scale(&mut tx).await?;
    tx.commit().await?;

    // A draft's grade of a student with marks missing would count them as zero: such a
    // student is shown as missing, never as a grade.
    let distribution = graded(&scale, &results, &missing);

    let weight_short = results.total_weight < 100.0 - 0.005;
    let weighs = format!(
        "The assessments weigh {}% of the grade, not 100%.",
        results.total_weight
    );
    let with_missing = match missing.len() {
        1 => "1 student has marks missing (listed below)".to_string(),
        n => format!("{n} students have marks missing (listed below)"),
    };
    let mut blockers = Vec::new();
    let mut warnings = Vec::new();
    let status = crate::web::words::label(results.status.as_str()).to_lowercase();
    let (heading, consequence, button) = match step {
        Step::Submit => {
            if results.status != Status::Draft {
                blockers.push(format!("These results are already {status}."));
            }
            if weight_short {
                blockers.push(format!(
                    "{weighs} Add or change assessments so that they add up to 100%."
                ));
            }
            if !missing.is_empty() {
                blockers.push(format!(
                    "{with_missing}: enter them first (a student who missed an assessment gets the mark 0, entered as 0)."
                ));
            }
            if results.results.is_empty() {
                blockers.push("No student is enrolled in this section.".to_string());
            }
            (
                format!("Submit the results of {title}?"),
                vec![
                    "The grades below are fixed as they are now: marks and assessments can no longer change unless a registrar returns the results to you.".to_string(),
                    "A registrar then publishes them to students and guardians.".to_string(),
                ],
                "Submit the results",
            )
        }
        Step::Publish => {
            if results.status != Status::Submitted {
                blockers.push(format!(
                    "Only submitted results can be published; these are {status}."
                ));
            }
            if weight_short {
                warnings.push(weighs);
            }
            if !missing.is_empty() {
                warnings.push(format!(
                    "{with_missing} and no grade in these results; return them to the teacher to grade those students."
                ));
            }
            (
                format!("Publish the results of {title}?"),
                vec![
                    "Students and guardians see the grades at once, and passed courses count as completed.".to_string(),
                    "The marks are locked: changing one afterwards needs an amendment with a reason, kept in the audit trail.".to_string(),
                ],
                "Publish the results",
            )
        }
    };
    let action = match step {
        Step::Submit => format!("/sections/{section}/results/submit"),
        Step::Publish => format!("/sections/{section}/results/publish"),
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = CheckPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/results"),
        csrf,
        section,
        heading,
        action,
        button: button.to_string(),
        consequence,
        blockers,
        warnings,
        missing,
        distribution,
        can_enter_marks: step == Step::Submit && results.status == Status::Draft,
    };
    Ok((jar, render(&page)?).into_response())
}

/// The check before submitting a section's results.
pub async fn submit_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_check(&state, &principal, jar, section, Step::Submit).await
}

/// The check before publishing a section's results.
pub async fn publish_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_check(&state, &principal, jar, section, Step::Publish).await
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
        Kept::default(),
        async |conn| -> Result<String, AppError> {
            let submitted = results::submit(&mut *conn, &grant, &context, section).await?;
            let title = queries::section_title(&mut *conn, section).await?;
            let graded = submitted.results.len();
            let students = if graded == 1 { "student" } else { "students" };
            Ok(format!(
                "Results of {title} submitted for publishing: {graded} {students} graded"
            ))
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
        Kept::default(),
        async |conn| -> Result<String, AppError> {
            results::publish(&mut *conn, &context, section).await?;
            let title = queries::section_title(&mut *conn, section).await?;
            Ok(format!(
                "Results of {title} published: students and guardians see them now"
            ))
        },
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
    let kept = Kept {
        reason: reason.clone(),
        ..Kept::default()
    };
    step(
        &state,
        &principal,
        jar,
        section,
        Permission::ResultsPublish,
        kept,
        async |conn| -> Result<String, AppError> {
            results::return_to_draft(&mut *conn, &context, section, &reason).await?;
            let title = queries::section_title(&mut *conn, section).await?;
            Ok(format!(
                "Results of {title} returned to the teacher as a draft"
            ))
        },
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
    let kept = Kept {
        reason: form.reason.clone(),
        student_id: form.student_id.clone(),
        assessment_id: form.assessment_id.clone(),
        score: form.score.clone(),
    };
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
        errors.push(FieldError::new(
            "score",
            "must be a number such as 7 or 7.5",
        ));
    }
    let (Some(student_id), Some(assessment_id), Ok(score)) = (student, assessment, score) else {
        return render_section(
            &state,
            &principal,
            jar,
            section,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            kept,
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
        kept,
        async |conn| -> Result<String, AppError> {
            let regraded = service::amend(&mut *conn, &context, section, &input).await?;
            Ok(format!(
                "{}'s mark amended: the result is now {} ({}%)",
                regraded.name, regraded.letter, regraded.percent
            ))
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

/// A row of the grading form as typed: `n` numbers its fields (`letter_n`, `min_n`,
/// `points_n`, `passing_n`).
#[derive(Debug, Clone, Default)]
struct GradeRow {
    n: usize,
    letter: String,
    min: String,
    points: String,
    passing: bool,
}

impl GradeRow {
    /// The name of this row's `what` field (`letter`, `min`, `points`).
    fn field(&self, what: &str) -> String {
        format!("{what}_{}", self.n)
    }
}

#[derive(Template)]
#[template(path = "academics/grading.html")]
struct GradingPage {
    chrome: Chrome,
    csrf: String,
    /// The scale's bands, then empty rows to add more.
    rows: Vec<GradeRow>,
    errors: Errors,
}

const GRADING_ROWS: usize = 12;

fn rows_of(scale: &Scale) -> Vec<GradeRow> {
    let mut rows: Vec<GradeRow> = scale
        .bands
        .iter()
        .map(|b| GradeRow {
            n: 0,
            letter: b.letter.clone(),
            min: b.min_percent.to_string(),
            points: b.grade_points.to_string(),
            passing: b.passing,
        })
        .collect();
    rows.resize(GRADING_ROWS.max(rows.len()), GradeRow::default());
    for (n, row) in rows.iter_mut().enumerate() {
        row.n = n;
    }
    rows
}

async fn render_grading(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    rows: Option<Vec<GradeRow>>,
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
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = GradingPage {
        chrome: Chrome::signed_in("Grading scale", principal, csrf.clone(), "/results"),
        csrf,
        rows,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn grading(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_grading(&state, &principal, jar, None, Vec::new()).await
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
    // The row each band came from, to name the scale's errors by their row's fields.
    let mut row_of_band = Vec::new();
    let mut errors = Vec::new();
    for n in 0..GRADING_ROWS {
        let row = GradeRow {
            n,
            letter: field(&body, &format!("letter_{n}")),
            min: field(&body, &format!("min_{n}")),
            points: field(&body, &format!("points_{n}")),
            passing: !field(&body, &format!("passing_{n}")).is_empty(),
        };
        if !row.letter.trim().is_empty() {
            let letter = row.letter.trim();
            let min_percent = row.min.trim().parse::<f64>().unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    row.field("min"),
                    format!("Grade {letter}: the minimum must be a number such as 45"),
                ));
                f64::NAN
            });
            let grade_points = row.points.trim().parse::<f64>().unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    row.field("points"),
                    format!("Grade {letter}: the grade points must be a number such as 6"),
                ));
                f64::NAN
            });
            bands.push(Band {
                letter: row.letter.clone(),
                min_percent,
                grade_points,
                passing: row.passing,
            });
            row_of_band.push(n);
        }
        rows.push(row);
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = if errors.is_empty() {
        results::replace_scale(&mut tx, &context, bands)
            .await
            .map_err(|e| match e {
                AppError::Validation(refused) => AppError::Validation(
                    refused
                        .into_iter()
                        .map(|e| named_by_row(e, &rows, &row_of_band))
                        .collect(),
                ),
                other => other,
            })
    } else {
        Err(AppError::Validation(errors))
    };
    form::settle(&state, tx, result)
        .done(|scale| {
            let letters: Vec<&str> = scale.bands.iter().map(|b| b.letter.as_str()).collect();
            Done::to("/grading").message(format!("Grading scale saved: {}", letters.join(", ")))
        })
        .again(async |errors| render_grading(&state, &principal, jar, Some(rows), errors).await)
        .await
}

/// A scale's error about one band (`bands[2].min_percent`) as its row's field (`min_5`)
/// with the grade named; errors about the whole scale stay on the table (`bands`).
fn named_by_row(mut error: FieldError, rows: &[GradeRow], row_of_band: &[usize]) -> FieldError {
    let Some(rest) = error.field.strip_prefix("bands[") else {
        return error;
    };
    let Some((index, part)) = rest.split_once("].") else {
        return error;
    };
    let Some(row) = index
        .parse::<usize>()
        .ok()
        .and_then(|i| row_of_band.get(i))
        .and_then(|n| rows.get(*n))
    else {
        return error;
    };
    let what = match part {
        "letter" => "letter",
        "min_percent" => "min",
        "grade_points" => "points",
        _ => return error,
    };
    error.field = row.field(what);
    error.message = format!("Grade {}: {}", row.letter.trim(), error.message);
    error
}
