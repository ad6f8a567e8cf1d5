//! A section's coursework page: its materials, assignments and meetings, with forms for
//! its teachers. A refused form comes back on it (422) with each message under its field
//! and what was typed kept; a form done goes back to a page saying what happened.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::coursework::assignments::model::AssignmentView;
use crate::coursework::assignments::queries as assignment_queries;
use crate::coursework::content::model::{MaterialView, MeetingView};
use crate::coursework::content::queries as content_queries;
use crate::coursework::model::Member;
use crate::coursework::queries;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::Errors;
use crate::web::layout::{Chrome, render};

/// What a teacher typed in the "post an assignment" form.
#[derive(Debug, Clone)]
pub(super) struct AssignmentTyped {
    pub(super) title: String,
    pub(super) instructions: String,
    pub(super) due_at: String,
    pub(super) max_marks: String,
    pub(super) weight: String,
    pub(super) accept_late: bool,
}

impl Default for AssignmentTyped {
    fn default() -> AssignmentTyped {
        AssignmentTyped {
            title: String::new(),
            instructions: String::new(),
            due_at: String::new(),
            max_marks: String::new(),
            weight: String::new(),
            // Late work is accepted (flagged late) unless the teacher says otherwise.
            accept_late: true,
        }
    }
}

/// What a teacher typed in the "add a material" form (a file cannot be kept).
#[derive(Debug, Clone, Default)]
pub(super) struct MaterialTyped {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) link: String,
}

/// What a teacher typed in the "schedule a meeting" form.
#[derive(Debug, Clone, Default)]
pub(super) struct MeetingTyped {
    pub(super) title: String,
    pub(super) starts_at: String,
    pub(super) ends_at: String,
    pub(super) link: String,
    pub(super) agenda: String,
}

/// The section page's form that was refused, with what was typed in it.
pub(super) enum Again {
    Assignment(AssignmentTyped),
    Material(MaterialTyped),
    Meeting(MeetingTyped),
}

/// The inputs of the "post an assignment" form by field: (field, input id). The page
/// holds three forms whose fields share names, so each input has an id of its own and
/// the errors are put under those ids.
const ASSIGNMENT_INPUTS: [(&str, &str); 7] = [
    ("title", "a_title"),
    ("instructions", "a_instructions"),
    ("due_at", "a_due"),
    ("max_marks", "a_max"),
    ("weight", "a_weight"),
    ("file", "a_files"),
    ("accept_late", "a_late"),
];
const MATERIAL_INPUTS: [(&str, &str); 4] = [
    ("title", "m_title"),
    ("description", "m_description"),
    ("file", "m_file"),
    ("link", "m_link"),
];
const MEETING_INPUTS: [(&str, &str); 5] = [
    ("title", "o_title"),
    ("starts_at", "o_starts"),
    ("ends_at", "o_ends"),
    ("link", "o_link"),
    ("agenda", "o_agenda"),
];

/// `errors` under the ids of a form's inputs (`title` → `a_title`); an error of a field
/// the form does not show goes on `form`, the form's own id, so its summary line still
/// leads somewhere.
pub(super) fn on_inputs(errors: Vec<FieldError>, inputs: &[(&str, &str)], form: &str) -> Errors {
    errors
        .into_iter()
        .map(|e| {
            let id = inputs
                .iter()
                .find(|(field, _)| *field == e.field)
                .map_or(form, |(_, id)| *id);
            FieldError::new(id, e.message)
        })
        .collect::<Vec<_>>()
        .into()
}

#[derive(Template)]
#[template(path = "coursework/section.html")]
struct SectionPage {
    chrome: Chrome,
    csrf: String,
    section: Uuid,
    title: String,
    teacher: bool,
    materials: Vec<MaterialView>,
    assignments: Vec<AssignmentView>,
    meetings: Vec<MeetingView>,
    upload_limit: String,
    /// The form refused ("assignment", "material" or "meeting"), or empty.
    refused: &'static str,
    /// The refused form's errors, under its inputs' ids.
    errors: Errors,
    assignment: AssignmentTyped,
    material: MaterialTyped,
    meeting: MeetingTyped,
}

/// The section page; `again` is a refused form with its errors.
pub(super) async fn render_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    again: Option<(Again, Vec<FieldError>)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let member = queries::member(&mut tx, principal, section).await?;
    let title = queries::section_title(&mut tx, section).await?;
    let student = match member {
        Member::Teacher => None,
        Member::Student(s) => Some(s),
    };
    let materials = content_queries::materials(&mut tx, section).await?;
    let assignments = assignment_queries::of_section(&mut tx, section, student).await?;
    let meetings = content_queries::meetings_of_section(&mut tx, section).await?;
    tx.commit().await?;
    let mut refused = "";
    let mut errors = Errors::none();
    let mut assignment = AssignmentTyped::default();
    let mut material = MaterialTyped::default();
    let mut meeting = MeetingTyped::default();
    match again {
        None => {}
        Some((Again::Assignment(typed), found)) => {
            refused = "assignment";
            errors = on_inputs(found, &ASSIGNMENT_INPUTS, "post-assignment");
            assignment = typed;
        }
        Some((Again::Material(typed), found)) => {
            refused = "material";
            errors = on_inputs(found, &MATERIAL_INPUTS, "add-material");
            material = typed;
        }
        Some((Again::Meeting(typed), found)) => {
            refused = "meeting";
            errors = on_inputs(found, &MEETING_INPUTS, "schedule-meeting");
            meeting = typed;
        }
    }
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = SectionPage {
        chrome: Chrome::signed_in(title.clone(), principal, csrf.clone(), "/dashboard"),
        csrf,
        section,
        title,
        teacher: member == Member::Teacher,
        materials,
        assignments,
        meetings,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        refused,
        errors,
        assignment,
        material,
        meeting,
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn section_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(section): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_section(&state, &principal, jar, section, None).await
}

/// Shows a form's refusal on the section page (422), the typed input kept; other errors
/// pass through.
pub(super) async fn refused_on_section(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    section: Uuid,
    again: Again,
    error: AppError,
) -> AppResult<Response> {
    let errors = match error {
        AppError::Validation(errors) => errors,
        // A conflict names no field; it is shown on the form itself.
        AppError::Conflict(message) => vec![FieldError::new("form", message)],
        other => return Err(other),
    };
    render_section(state, principal, jar, section, Some((again, errors))).await
}
