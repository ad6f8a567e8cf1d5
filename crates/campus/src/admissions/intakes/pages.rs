//! The admissions office's intakes: the list with the "new intake" form, and an intake's
//! page with its seat allocation (which goes back to the page saying how the seats went)
//! and its applications: filtered, sorted (by merit rank first), by pages or as CSV, and
//! ticked ones moved under review at once.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::admissions::applications::model::{
    APPLICATION_SORTS, ApplicationFilter, ApplicationLine, LISTED_STATUSES,
};
use crate::admissions::applications::pages::code;
use crate::admissions::applications::queries as applications;
use crate::admissions::applications::service;
use crate::admissions::intakes::model::{Intake, IntakeInput};
use crate::admissions::intakes::queries;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::Cell;
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};
use crate::web::words;

#[derive(Template)]
#[template(path = "admissions/intakes.html")]
struct IntakesView {
    chrome: Chrome,
    csrf: String,
    intakes: Vec<Intake>,
    programs: Vec<(String, String)>,
    input: IntakeInput,
    /// The seats as typed (the input keeps a number only once it is one).
    seats: String,
    errors: Errors,
}

async fn render_intakes(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    input: IntakeInput,
    seats: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intakes = queries::list(&mut tx).await?;
    let programs = queries::program_options(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = code(&errors, StatusCode::OK);
    let view = IntakesView {
        chrome: Chrome::signed_in("Intakes", principal, csrf.clone(), "/admissions"),
        csrf,
        intakes,
        programs,
        input,
        seats,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

pub async fn intakes_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_intakes(
        &state,
        &principal,
        jar,
        IntakeInput::default(),
        String::new(),
        Vec::new(),
    )
    .await
}

/// The office's "new intake" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    program: String,
    name: String,
    seats: String,
    application_fee: String,
    currency: String,
    opens_on: String,
    closes_on: String,
    admits_on: String,
}

pub async fn create_intake(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(sent): Form<IntakeForm>,
) -> AppResult<Response> {
    let seats = sent.seats;
    let input = IntakeInput {
        program: sent.program,
        name: sent.name,
        seats: seats.trim().parse().unwrap_or(0),
        application_fee: sent.application_fee,
        currency: sent.currency,
        opens_on: sent.opens_on,
        closes_on: sent.closes_on,
        admits_on: sent.admits_on,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::create(&mut tx, &context, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("name")
        .done(|id| Done::to(format!("/admissions/intakes/{id}")).message("Intake created."))
        .again(async |errors| render_intakes(&state, &principal, jar, input, seats, errors).await)
        .await
}

/// Applications on a page of an intake's list.
const PER_PAGE: u32 = 25;
/// The most rows a CSV export holds.
const CSV_ROWS: i64 = 10_000;

/// An intake page's address: the filters, sort and page of its applications, and
/// `format=csv` for every application the filters select as a spreadsheet.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ApplicationsQuery {
    status: String,
    q: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl ApplicationsQuery {
    fn filter(&self) -> ApplicationFilter {
        ApplicationFilter {
            status: self.status.trim().to_string(),
            q: self.q.trim().to_string(),
        }
    }

    fn listing(&self, intake: Uuid) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        let filter = self.filter();
        Listing::new(
            &format!("/admissions/intakes/{intake}"),
            &query,
            &APPLICATION_SORTS,
            PER_PAGE,
        )
        .filter("status", &filter.status)
        .filter("q", &filter.q)
    }
}

#[derive(Template)]
#[template(path = "admissions/intake.html")]
struct IntakeView {
    chrome: Chrome,
    csrf: String,
    intake: Intake,
    filter: ApplicationFilter,
    statuses: [&'static str; 6],
    list: Listing,
    applications: Vec<ApplicationLine>,
    /// Where the "move under review" form posts: with the list's own query, so it
    /// comes back to the same list.
    review_action: String,
    /// The applications ticked when the form was refused.
    ticked: Vec<Uuid>,
    errors: Errors,
}

impl IntakeView {
    fn is_ticked(&self, id: &Uuid) -> bool {
        self.ticked.contains(id)
    }

    fn filtered(&self) -> bool {
        !self.filter.status.is_empty() || !self.filter.q.is_empty()
    }

    /// Whether any application shown may be moved under review.
    fn any_reviewable(&self) -> bool {
        self.applications.iter().any(ApplicationLine::reviewable)
    }
}

async fn render_intake(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    query: ApplicationsQuery,
    again: Option<(Vec<Uuid>, Vec<FieldError>)>,
) -> AppResult<Response> {
    let filter = query.filter();
    let list = query.listing(id);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intake = queries::find(&mut tx, id).await?;
    let applications = applications::page_of_intake(
        &mut tx,
        id,
        &filter,
        &list.sort,
        list.desc,
        list.limit(),
        list.offset(),
    )
    .await?;
    tx.commit().await?;
    let total = applications.first().map_or(0, |a| a.total);
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let here = list.page_href(list.page);
    let review_action = format!(
        "/admissions/intakes/{id}/review?{}",
        here.split_once('?').map_or("", |(_, query)| query)
    );
    let (ticked, errors) = again.unwrap_or_default();
    let status = code(&errors, StatusCode::OK);
    let view = IntakeView {
        chrome: Chrome::signed_in(intake.name.clone(), principal, csrf.clone(), "/admissions"),
        csrf,
        intake,
        filter,
        statuses: LISTED_STATUSES,
        list: list.with_total(total),
        applications,
        review_action,
        ticked,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

/// Every application of the intake the filters select (up to `CSV_ROWS`), in the list's
/// order, as CSV.
async fn intake_csv(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    query: &ApplicationsQuery,
) -> AppResult<Response> {
    let list = query.listing(id);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intake = queries::find(&mut tx, id).await?;
    let found = applications::page_of_intake(
        &mut tx,
        id,
        &query.filter(),
        &list.sort,
        list.desc,
        CSV_ROWS,
        0,
    )
    .await?;
    tx.commit().await?;
    let header: Vec<String> = [
        "Rank",
        "Applicant",
        "Email",
        "Qualifying percent",
        "Status",
        "Submitted",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let rows: Vec<Vec<Cell>> = found
        .into_iter()
        .map(|a| {
            vec![
                a.rank.map_or(Cell::Empty, |r| Cell::Number(r as f64)),
                Cell::Text(a.name),
                Cell::Text(a.email),
                a.qualifying_percent.map_or(Cell::Empty, Cell::Text),
                Cell::Text(words::label(&a.status)),
                a.submitted_at.map_or(Cell::Empty, |at| {
                    Cell::Text(
                        at.format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default(),
                    )
                }),
            ]
        })
        .collect();
    let bytes = crate::exports::csv(&header, &rows)?;
    let file = intake
        .name
        .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("applications-{file}.csv"),
    ))
}

pub async fn intake_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ApplicationsQuery>,
) -> AppResult<Response> {
    if query.format == "csv" {
        return intake_csv(&state, &principal, id, &query).await;
    }
    render_intake(&state, &principal, jar, id, query, None).await
}

/// The intake list's "move under review" form: one `ids` field per ticked application.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    ids: Vec<String>,
}

/// Moves every ticked application of the intake under review, each as the decision form
/// would, in one transaction, and goes back to the same list saying how many moved.
pub async fn review(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ApplicationsQuery>,
    axum_extra::extract::Form(sent): axum_extra::extract::Form<ReviewForm>,
) -> AppResult<Response> {
    let mut ids: Vec<Uuid> = Vec::new();
    let mut unreadable = false;
    for text in &sent.ids {
        match Uuid::parse_str(text.trim()) {
            Ok(found) if !ids.contains(&found) => ids.push(found),
            Ok(_) => {}
            Err(_) => unreadable = true,
        }
    }
    let list = query.listing(id);
    let back = list.page_href(list.page);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let intake = queries::find(&mut tx, id).await;
    let result = match intake {
        Err(e) => Err(e),
        Ok(_) if unreadable => Err(AppError::Validation(vec![FieldError::new(
            "applications",
            "a ticked application could not be read; tick them again",
        )])),
        Ok(_) => service::review_many(&mut tx, &context, &state.config.base_url(), id, &ids).await,
    };
    form::settle(&state, tx, result)
        .done(|moved| {
            let applications = if moved == 1 {
                "1 application".to_string()
            } else {
                format!("{moved} applications")
            };
            Done::to(back).message(format!("{applications} moved to under review"))
        })
        .again(async |errors| {
            render_intake(&state, &principal, jar, id, query, Some((ids, errors))).await
        })
        .await
}

pub async fn allocate(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let done = service::allocate(&mut tx, &context, &state.config.base_url(), id).await?;
    tx.commit().await?;
    let message = format!(
        "Seats allocated by merit: {} accepted, {} waitlisted; {} seats left.",
        done.accepted, done.waitlisted, done.seats_left
    );
    Ok(Done::to(format!("/admissions/intakes/{id}"))
        .message(message)
        .respond(&state))
}
