//! Assignment pages: posting one on a section's page (with files), and an assignment's
//! page: hand in for a student; hand-ins and grading for a teacher. Each form done goes
//! back to a page saying what happened; a refused one comes back (422) with its messages
//! by field and what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::coursework::assignments::model::{
    AssignmentView, GradeInput, NewAssignmentInput, SubmissionView,
};
use crate::coursework::assignments::queries;
use crate::coursework::model::Member;
use crate::coursework::pages::{
    Again, AssignmentTyped, on_inputs, refused_on_section, render_section,
};
use crate::coursework::queries as coursework;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads::{self, FileView};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

pub async fn add_assignment(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(e) => {
            let again = Again::Assignment(AssignmentTyped::default());
            return refused_on_section(&state, &principal, jar, section, again, e).await;
        }
    };
    let typed = AssignmentTyped {
        title: form.text("title"),
        instructions: form.text("instructions"),
        due_at: form.text("due_at"),
        max_marks: form.text("max_marks"),
        weight: form.text("weight"),
        accept_late: !form.text("accept_late").is_empty(),
    };
    let number = |text: &str| text.trim().parse::<f64>().unwrap_or(-1.0);
    let input = NewAssignmentInput {
        title: typed.title.clone(),
        instructions: typed.instructions.clone(),
        due_at: typed.due_at.clone(),
        max_marks: number(&typed.max_marks),
        weight: number(&typed.weight),
        accept_late: typed.accept_late,
    };
    let kinds = match uploads::check_all(&form.files) {
        Ok(kinds) => kinds,
        Err(e) => {
            let again = Again::Assignment(typed);
            return refused_on_section(&state, &principal, jar, section, again, e).await;
        }
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    coursework::teacher(&mut tx, &principal, section).await?;
    let created = async {
        let id = queries::create(&mut tx, &grant, &context, section, &input).await?;
        let mut files = Vec::new();
        for (upload, kind) in form.files.iter().zip(kinds) {
            files.push(
                uploads::store(
                    &mut tx,
                    &state.files,
                    principal.college,
                    Some(principal.user_id),
                    upload,
                    kind,
                )
                .await?,
            );
        }
        if !files.is_empty() {
            queries::attach(&mut tx, &context, id, &files).await?;
        }
        Ok::<_, AppError>(id)
    }
    .await;
    let title = input.title.trim().to_string();
    form::settle(&state, tx, created)
        .conflict_on("title")
        .done(|id| {
            Done::to(format!("/assignments/{id}")).message(format!("Assignment {title} set"))
        })
        .again(async |errors| {
            let again = Some((Again::Assignment(typed), errors));
            render_section(&state, &principal, jar, section, again).await
        })
        .await
}

/// The assignment page's form that was refused, with what was typed in it.
enum AgainOn {
    /// The student's hand-in: the answer typed (files cannot be kept).
    HandIn(String),
    /// A teacher's grade of one hand-in.
    Grade {
        submission: Uuid,
        score: String,
        feedback: String,
    },
}

#[derive(Template)]
#[template(path = "coursework/assignment.html")]
struct AssignmentPage {
    chrome: Chrome,
    csrf: String,
    assignment: AssignmentView,
    files: Vec<FileView>,
    teacher: bool,
    submissions: Vec<SubmissionView>,
    upload_limit: String,
    /// The id of the refused form (`hand-in` or `grade-{submission}`), or empty.
    refused: String,
    /// The refused form's errors, under the ids of its inputs.
    errors: Errors,
    /// The answer typed in a refused hand-in.
    body: String,
    /// The mark and feedback typed in a refused grade.
    score: String,
    feedback: String,
}

impl AssignmentPage {
    fn mine(&self) -> Option<&SubmissionView> {
        if self.teacher {
            None
        } else {
            self.submissions.first()
        }
    }

    /// Whether the grade form of `s` was the one refused.
    fn grade_refused(&self, s: &SubmissionView) -> bool {
        self.refused == format!("grade-{}", s.id)
    }

    /// The mark in the grade form of `s`: as typed when it was refused, else as stored.
    fn score_of(&self, s: &SubmissionView) -> String {
        if self.grade_refused(s) {
            self.score.clone()
        } else {
            s.score.map(|score| score.to_string()).unwrap_or_default()
        }
    }

    fn feedback_of(&self, s: &SubmissionView) -> String {
        if self.grade_refused(s) {
            self.feedback.clone()
        } else {
            s.feedback.clone().unwrap_or_default()
        }
    }

    /// The input id of `field` in the grade form of `s`.
    fn grade_input(&self, field: &str, s: &SubmissionView) -> String {
        format!("{field}_{}", s.id)
    }
}

async fn render_assignment(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    again: Option<(AgainOn, Vec<FieldError>)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, id).await?;
    let member = coursework::member(&mut tx, principal, section).await?;
    let student = match member {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let assignment = queries::find(&mut tx, id, student)
        .await?
        .ok_or(AppError::NotFound)?;
    let files = queries::files_of(&mut tx, id).await?;
    let submissions = match member {
        Member::Teacher => queries::submissions(&mut tx, id, None).await?,
        Member::Student(s) => queries::submissions(&mut tx, id, Some(s)).await?,
    };
    tx.commit().await?;
    let (mut refused, mut errors) = (String::new(), Errors::none());
    let (mut body, mut score, mut feedback) = (String::new(), String::new(), String::new());
    match again {
        None => {}
        Some((AgainOn::HandIn(typed), found)) => {
            refused = "hand-in".to_string();
            errors = on_inputs(found, &[("body", "body"), ("file", "file")], &refused);
            body = typed;
        }
        Some((
            AgainOn::Grade {
                submission,
                score: typed_score,
                feedback: typed_feedback,
            },
            found,
        )) => {
            refused = format!("grade-{submission}");
            let (score_id, feedback_id) = (
                format!("score_{submission}"),
                format!("feedback_{submission}"),
            );
            let inputs = [
                ("score", score_id.as_str()),
                ("feedback", feedback_id.as_str()),
            ];
            errors = on_inputs(found, &inputs, &refused);
            score = typed_score;
            feedback = typed_feedback;
        }
    }
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = AssignmentPage {
        chrome: Chrome::signed_in(
            assignment.title.clone(),
            principal,
            csrf.clone(),
            "/dashboard",
        ),
        csrf,
        assignment,
        files,
        teacher: member == Member::Teacher,
        submissions,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        refused,
        errors,
        body,
        score,
        feedback,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn assignment_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_assignment(&state, &principal, jar, id, None).await
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let form = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(form) => form,
        Err(AppError::Validation(errors)) => {
            let again = Some((AgainOn::HandIn(String::new()), errors));
            return render_assignment(&state, &principal, jar, id, again).await;
        }
        Err(other) => return Err(other),
    };
    let body = form.text("body");
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let section = queries::section_of(&mut tx, id).await?;
    let Member::Student(student) = coursework::member(&mut tx, &principal, section).await? else {
        return Err(AppError::Forbidden);
    };
    let done = queries::submit(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        student,
        id,
        &body,
        &form.files,
    )
    .await;
    // A graded hand-in (a conflict) is said on the form itself.
    form::settle(&state, tx, done)
        .conflict_on("hand-in")
        .done(|_| Done::to(format!("/assignments/{id}")).message("Handed in"))
        .again(async |errors| {
            let again = Some((AgainOn::HandIn(body), errors));
            render_assignment(&state, &principal, jar, id, again).await
        })
        .await
}

/// The grading form of one hand-in.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct GradeForm {
    score: String,
    feedback: String,
}

pub async fn grade(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(submission): ApiPath<Uuid>,
    Form(typed): Form<GradeForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let assignment = queries::assignment_of_submission(&mut tx, submission).await?;
    let assignment = assignment.ok_or(AppError::NotFound)?;
    let result = match typed.score.trim().parse::<f64>() {
        Ok(score) => {
            let input = GradeInput {
                score,
                feedback: typed.feedback.clone(),
            };
            queries::grade(&mut tx, &grant, &context, submission, &input).await
        }
        Err(_) => Err(AppError::Validation(vec![FieldError::new(
            "score",
            "must be a number",
        )])),
    };
    form::settle(&state, tx, result)
        .conflict_on("score")
        .done(|()| Done::to(format!("/assignments/{assignment}")).message("Graded"))
        .again(async |errors| {
            let GradeForm { score, feedback } = typed;
            let again = AgainOn::Grade {
                submission,
                score,
                feedback,
            };
            render_assignment(&state, &principal, jar, assignment, Some((again, errors))).await
        })
        .await
}
