//! The applicant's own applications (start one, fill in the details, attach documents,
//! submit, withdraw after a confirmation, follow its status) and an application as the
//! admissions office sees it, with the office's decision form. Each form done goes back
//! to the application saying what happened; a refused one comes back (422) with its
//! messages by field and what was typed.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::admissions::applications::model::{
    Application, ApplicationInput, DecisionInput, Details, FILE_KINDS,
};
use crate::admissions::applications::{queries, service};
use crate::admissions::intakes::model::Intake;
use crate::admissions::intakes::queries as intakes;
use crate::admissions::payments::model::for_new_payments;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::words;

/// The statuses an applicant may still withdraw from.
const WITHDRAWABLE: [&str; 4] = ["draft", "submitted", "under_review", "waitlisted"];

/// The status of a page: `ok`, or 422 when the form it shows was refused.
pub(crate) fn code(errors: &[FieldError], ok: StatusCode) -> StatusCode {
    if errors.is_empty() {
        ok
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[derive(Template)]
#[template(path = "admissions/mine.html")]
struct MineView {
    chrome: Chrome,
    csrf: String,
    applications: Vec<Application>,
    intakes: Vec<Intake>,
    errors: Errors,
}

async fn render_mine(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let applications = queries::of_user(&mut tx, principal.user_id).await?;
    let intakes = intakes::open(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = MineView {
        chrome: Chrome::signed_in("Admissions", principal, csrf.clone(), "/admissions"),
        csrf,
        applications,
        intakes,
        // A refused start names the intake; its line links to the programs to apply to.
        errors: errors
            .into_iter()
            .map(|e| FieldError::new("others", e.message))
            .collect::<Vec<_>>()
            .into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_mine(&state, &principal, jar, Vec::new()).await
}

pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(intake): ApiPath<Uuid>,
) -> AppResult<Response> {
    let (first, last) = principal
        .display_name
        .rsplit_once(' ')
        .map(|(f, l)| (f.to_string(), l.to_string()))
        .unwrap_or_else(|| (principal.display_name.clone(), "-".into()));
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::start(&mut tx, &context, principal.user_id, intake, &first, &last).await;
    form::settle(&state, tx, result)
        .conflict_on("intake")
        .done(|id| {
            Done::to(format!("/admissions/applications/{id}"))
                .message("Your application is open; fill it in and submit it.")
        })
        .again(async |errors| render_mine(&state, &principal, jar, errors).await)
        .await
}

/// A refused form of the application page, with what was typed in it.
pub(crate) enum Again {
    /// The applicant's details, as typed.
    Details(ApplicationInput),
    /// The documents form: the kind chosen (files cannot be kept).
    Documents(String),
    Pay,
    Submit,
    Withdraw,
    /// The office's "fee received" form: the receipt number typed.
    Fee(String),
    /// The office's decision: the reason typed.
    Decision(String),
}

impl Again {
    /// What the summary says was not saved.
    fn what(&self) -> &'static str {
        match self {
            Again::Details(_) => "Your details",
            Again::Documents(_) => "The documents",
            Again::Pay => "The payment",
            Again::Submit | Again::Withdraw => "The application",
            Again::Fee(_) => "The fee",
            Again::Decision(_) => "The decision",
        }
    }

    /// Where an error that names no field of the page (a conflict's `status`, the
    /// intake that closed) is shown: the form's own place.
    fn place(&self) -> &'static str {
        match self {
            Again::Details(_) => "details",
            Again::Documents(_) => "documents",
            Again::Pay => "fee",
            Again::Submit => "send",
            Again::Withdraw => "withdraw",
            Again::Fee(_) => "receipt",
            Again::Decision(_) => "decision",
        }
    }
}

/// The fields the application page shows by name; errors of any other are put on the
/// refused form's place.
const FIELDS: [&str; 13] = [
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "address",
    "previous_school",
    "qualifying_percent",
    "statement",
    "kind",
    "file",
    "fee",
    "receipt",
    "reason",
];

#[derive(Template)]
#[template(path = "admissions/application.html")]
struct ApplicationView {
    chrome: Chrome,
    csrf: String,
    details: Details,
    intake: Intake,
    own: bool,
    manager: bool,
    kinds: [&'static str; 4],
    upload_limit: String,
    /// Whether fees can be paid online here (a gateway is set up).
    pays_online: bool,
    /// What the summary says was not saved, when a form was refused.
    what: &'static str,
    errors: Errors,
    /// The details form's values: as typed when it was refused, else as stored.
    typed: ApplicationInput,
    kind: String,
    receipt: String,
    reason: String,
}

impl ApplicationView {
    fn draft(&self) -> bool {
        self.own && self.details.application.status == "draft"
    }

    fn value<'a>(&self, field: &'a Option<String>) -> &'a str {
        field.as_deref().unwrap_or("")
    }

    fn withdrawable(&self) -> bool {
        self.own && WITHDRAWABLE.contains(&self.details.application.status.as_str())
    }
}

/// The details form's values as stored.
fn stored(a: &Application) -> ApplicationInput {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ApplicationInput {
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        date_of_birth: a.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        phone: text(&a.phone),
        address: text(&a.address),
        previous_school: text(&a.previous_school),
        qualifying_percent: text(&a.qualifying_percent),
        statement: a.statement.clone(),
    }
}

pub(crate) async fn render_application(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    again: Option<(Again, Vec<FieldError>)>,
) -> AppResult<Response> {
    let manager = principal.can(Permission::AdmissionsManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let details = queries::details(&mut tx, principal.user_id, manager, id).await?;
    let intake = intakes::find(&mut tx, details.application.intake_id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let own = details.application.user_id == principal.user_id;
    let mut typed = stored(&details.application);
    let (mut what, mut errors) = ("", Errors::none());
    let (mut kind, mut receipt, mut reason) = (String::new(), String::new(), String::new());
    if let Some((again, found)) = again {
        what = again.what();
        let place = again.place();
        errors = found
            .into_iter()
            .map(|e| {
                if FIELDS.contains(&e.field.as_str()) {
                    e
                } else {
                    FieldError::new(place, e.message)
                }
            })
            .collect::<Vec<_>>()
            .into();
        match again {
            Again::Details(input) => typed = input,
            Again::Documents(chosen) => kind = chosen,
            Again::Fee(typed_receipt) => receipt = typed_receipt,
            Again::Decision(typed_reason) => reason = typed_reason,
            Again::Pay | Again::Submit | Again::Withdraw => {}
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = ApplicationView {
        chrome: Chrome::signed_in(
            format!("Application: {}", details.application.program),
            principal,
            csrf.clone(),
            "/admissions",
        ),
        csrf,
        own,
        manager,
        details,
        intake,
        kinds: FILE_KINDS,
        upload_limit: format!("{} MB", state.config.upload_limit_bytes / (1024 * 1024)),
        pays_online: for_new_payments(&state.config).is_some(),
        what,
        errors,
        typed,
        kind,
        receipt,
        reason,
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn application(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_application(&state, &principal, jar, id, None).await
}

/// Back to the application, saying what happened.
fn back_to(id: Uuid, message: impl Into<String>) -> Done {
    Done::to(format!("/admissions/applications/{id}")).message(message)
}

/// The applicant's "details" form on their application.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    first_name: String,
    last_name: String,
    date_of_birth: String,
    phone: String,
    address: String,
    previous_school: String,
    qualifying_percent: String,
    statement: String,
}

pub async fn save(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(sent): Form<ApplicationForm>,
) -> AppResult<Response> {
    let input = ApplicationInput {
        first_name: sent.first_name,
        last_name: sent.last_name,
        date_of_birth: sent.date_of_birth,
        phone: sent.phone,
        address: sent.address,
        previous_school: sent.previous_school,
        qualifying_percent: sent.qualifying_percent,
        statement: sent.statement,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::save(&mut tx, &context, principal.user_id, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("details")
        .done(|()| back_to(id, "Your details are saved"))
        .again(async |errors| {
            let again = Some((Again::Details(input), errors));
            render_application(&state, &principal, jar, id, again).await
        })
        .await
}

/// "Transcript attached", "2 files attached as identity".
fn attached(kind: &str, files: usize) -> String {
    let kind = words::label(kind);
    if files == 1 {
        format!("{kind} attached")
    } else {
        format!("{files} files attached as {}", kind.to_lowercase())
    }
}

pub async fn attach(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let upload = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(upload) => upload,
        Err(AppError::Validation(errors)) => {
            let again = Some((Again::Documents(String::new()), errors));
            return render_application(&state, &principal, jar, id, again).await;
        }
        Err(other) => return Err(other),
    };
    let kind = upload.text("kind");
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        principal.user_id,
        id,
        &kind,
        &upload.files,
    )
    .await;
    form::settle(&state, tx, result)
        .conflict_on("documents")
        .done(|files| back_to(id, attached(&kind, files)))
        .again(async |errors| {
            let again = Some((Again::Documents(kind.clone()), errors));
            render_application(&state, &principal, jar, id, again).await
        })
        .await
}

pub async fn submit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::submit(&mut tx, &context, principal.user_id, id).await;
    form::settle(&state, tx, result)
        .conflict_on("send")
        .done(|()| {
            back_to(
                id,
                "Application submitted. The admissions office will review it; this page shows each step.",
            )
        })
        .again(async |errors| {
            render_application(&state, &principal, jar, id, Some((Again::Submit, errors))).await
        })
        .await
}

/// The confirmation before withdrawing: the applicant's own application, still open.
pub async fn withdraw_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let details = queries::details(&mut tx, principal.user_id, false, id).await?;
    tx.commit().await?;
    let a = details.application;
    if !WITHDRAWABLE.contains(&a.status.as_str()) {
        // Decided (or withdrawn) already: its page says so.
        return Ok(Redirect::to(&format!("/admissions/applications/{id}")).into_response());
    }
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let chrome = Chrome::signed_in(
        "Withdraw your application",
        &principal,
        csrf.clone(),
        "/admissions",
    );
    let mut confirm = Confirm::new(
        chrome,
        csrf,
        format!("Withdraw your application to {} ({})?", a.program, a.intake),
        format!("/admissions/applications/{id}/withdraw"),
    )
    .consequence(format!(
        "Your application to {} ({}) is withdrawn; you cannot submit it again.",
        a.program, a.intake
    ));
    if a.status != "draft" {
        confirm = confirm.consequence("The admissions office stops considering it.");
    }
    let page = confirm
        .button("Withdraw the application")
        .back(format!("/admissions/applications/{id}"))
        .respond()?;
    Ok((jar, page).into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = async {
        let program = queries::find(&mut tx, id).await?.program;
        queries::withdraw(&mut tx, &context, principal.user_id, id).await?;
        Ok::<_, AppError>(program)
    }
    .await;
    form::settle(&state, tx, result)
        .conflict_on("withdraw")
        .done(|program| back_to(id, format!("Your application to {program} is withdrawn")))
        .again(async |errors| {
            render_application(&state, &principal, jar, id, Some((Again::Withdraw, errors))).await
        })
        .await
}

/// The office's decision form on an application.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    status: String,
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(sent): Form<DecisionForm>,
) -> AppResult<Response> {
    let input = DecisionInput {
        status: sent.status,
        reason: sent.reason,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = service::decide(&mut tx, &context, &state.config.base_url(), id, &input).await;
    let now = words::label(&input.status).to_lowercase();
    form::settle(&state, tx, result)
        .conflict_on("decision")
        .done(|()| {
            back_to(
                id,
                format!("The application is {now}; the applicant sees it now."),
            )
        })
        .again(async |errors| {
            let again = Some((Again::Decision(input.reason), errors));
            render_application(&state, &principal, jar, id, again).await
        })
        .await
}
