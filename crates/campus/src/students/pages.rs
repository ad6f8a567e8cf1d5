//! Student record pages: the list (filters, sortable columns, pages, its CSV, and the
//! status of ticked students changed together), and a student's profile with its status
//! history.

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
use crate::exports::Cell;
use crate::students::model::{ListFilter, Profile, STATUSES, StatusInput, StudentLine};
use crate::students::queries;
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

/// Students on a page of the list.
const PER_PAGE: u32 = 25;
/// The most rows the list's CSV holds.
const CSV_LIMIT: u32 = 10_000;

/// The students list's address: its filters, its sort and page (`web::list`), and
/// `format=csv` for every row the filters select as a spreadsheet.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListParams {
    q: String,
    status: String,
    program: String,
    year: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl ListParams {
    /// The list's address read back from the `back` field of its bulk form (only the
    /// query of a `/students` address is read; anything else is the unfiltered list).
    fn from_back(back: &str) -> ListParams {
        back.strip_prefix("/students?")
            .and_then(|query| serde_urlencoded::from_str(query).ok())
            .unwrap_or_default()
    }

    fn filter(&self) -> ListFilter {
        ListFilter {
            q: self.q.clone(),
            status: self.status.clone(),
            program: self.program.clone(),
            year: self.year.clone(),
        }
    }

    fn listing(&self, per_page: u32) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        Listing::new("/students", &query, &queries::SORTABLE, per_page)
            .filter("q", &self.q)
            .filter("status", &self.status)
            .filter("program", &self.program)
            .filter("year", &self.year)
    }
}

/// What the bulk form sent, shown again when it was refused.
#[derive(Debug, Clone, Default)]
struct BulkInput {
    ticked: Vec<Uuid>,
    new_status: String,
    effective_on: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "students/search.html")]
struct SearchPageView {
    chrome: Chrome,
    csrf: String,
    filter: ListFilter,
    listing: Listing,
    students: Vec<StudentLine>,
    programs: Vec<(String, String)>,
    statuses: [&'static str; 5],
    /// Whether the links to college-wide work show (import, link requests, steps).
    can_manage: bool,
    /// Whether rows can be ticked and their status changed together.
    can_change: bool,
    /// Whether accounts can be given to every student without one.
    can_give_accounts: bool,
    bulk: BulkInput,
    /// What the summary says was not done when `errors` is not empty.
    refused: &'static str,
    /// Whether the filters were valid and the list read.
    searched: bool,
    errors: Errors,
}

impl SearchPageView {
    fn is_ticked(&self, id: &Uuid) -> bool {
        self.bulk.ticked.contains(id)
    }

    /// This page of the list, where the bulk form comes back to.
    fn back(&self) -> String {
        self.listing.page_href(self.listing.page)
    }

    /// Whether any filter narrows the list (a link then clears them).
    fn filtered(&self) -> bool {
        [
            &self.filter.q,
            &self.filter.status,
            &self.filter.program,
            &self.filter.year,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

pub async fn search(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Response> {
    if params.format == "csv" {
        return export(&state, &principal, &grant, &params).await;
    }
    render_list(
        &state,
        &principal,
        &grant,
        jar,
        params,
        BulkInput::default(),
        Vec::new(),
    )
    .await
}

/// Every student the filters select (up to `CSV_LIMIT`), sorted as the page is, as CSV.
async fn export(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    params: &ListParams,
) -> AppResult<Response> {
    let mut listing = params.listing(CSV_LIMIT);
    listing.page = 1;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (students, _) = queries::list(&mut tx, grant, &params.filter(), &listing).await?;
    tx.commit().await?;
    let header: Vec<String> = ["Number", "Name", "Program", "Year", "Status"]
        .into_iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<Cell>> = students
        .into_iter()
        .map(|s| {
            vec![
                Cell::Text(s.student_number),
                Cell::Text(s.name),
                Cell::Text(s.program),
                Cell::Number(f64::from(s.year_of_study)),
                Cell::Text(s.status),
            ]
        })
        .collect();
    let bytes = crate::exports::csv(&header, &rows)?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("students-{}.csv", principal.college_slug),
    ))
}

/// The list as `params` asks, with the bulk form showing `bulk` and `errors` (a refused
/// filter or bulk change; the page is then answered with 422).
async fn render_list(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    params: ListParams,
    bulk: BulkInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let filter = params.filter();
    let mut listing = params.listing(PER_PAGE);
    let ordered = crate::students::order::page(
        &state.db,
        &state.remembered,
        principal.college,
        grant,
        &filter,
        &listing,
    )
    .await?;
    if let Some(page) = ordered {
        listing = listing.with_total(page.total);
        return list_view(
            state,
            principal,
            jar,
            filter,
            listing,
            page.lines,
            page.programs,
            bulk,
            errors,
            Vec::new(),
        );
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let listed = queries::list(&mut tx, grant, &filter, &listing).await;
    let (students, filter_errors) = match listed {
        Ok((students, total)) if students.is_empty() && listing.page > 1 => {
            // Past the last page: the count comes from the first, so the pager leads back.
            let mut first = listing.clone();
            first.page = 1;
            let (_, total_first) = queries::list(&mut tx, grant, &filter, &first).await?;
            listing = listing.with_total(total.max(total_first));
            (students, Vec::new())
        }
        Ok((students, total)) => {
            listing = listing.with_total(total);
            (students, Vec::new())
        }
        Err(AppError::Validation(errors)) => (Vec::new(), errors),
        Err(other) => return Err(other),
    };
    let programs: Vec<(String, String)> = queries::programs(&mut tx).await?;
    tx.commit().await?;
    list_view(
        state,
        principal,
        jar,
        filter,
        listing,
        students,
        programs,
        bulk,
        errors,
        filter_errors,
    )
}

/// The list page drawn: the bulk form showing `bulk`, the refusals `errors` (a bulk
/// change's) and `filter_errors` (the filters'), answered 422 when there are any.
#[expect(
    clippy::too_many_arguments,
    reason = "the page as it is, every part named"
)]
fn list_view(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    filter: ListFilter,
    listing: Listing,
    students: Vec<StudentLine>,
    programs: Vec<(String, String)>,
    bulk: BulkInput,
    errors: Vec<FieldError>,
    filter_errors: Vec<FieldError>,
) -> AppResult<Response> {
    let refused = if errors.is_empty() {
        "The search was not run."
    } else {
        "The statuses were not changed."
    };
    let searched = filter_errors.is_empty();
    let mut errors = errors;
    errors.extend(filter_errors);
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = SearchPageView {
        chrome: Chrome::signed_in("Students", principal, csrf.clone(), "/students"),
        csrf,
        filter,
        listing,
        students,
        programs,
        statuses: STATUSES,
        can_manage: principal
            .grant(Permission::StudentsManage)
            .is_some_and(|g| g.scope >= crate::access::permissions::Scope::College),
        can_change: principal.can(Permission::StudentsManage),
        can_give_accounts: principal.can(Permission::UsersManage),
        bulk,
        refused,
        searched,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

/// The bulk form around the students list: the ticked students (`student`, one field
/// each), their new status, its date and the reason, and `back`, the list's address.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BulkStatusForm {
    student: Vec<String>,
    new_status: String,
    effective_on: String,
    reason: String,
    back: String,
}

/// Changes the status of every ticked student, in one transaction, each as the profile's
/// form does; back to the same page of the list with a message, or the list again with
/// the form's errors and ticks.
pub async fn change_statuses(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<BulkStatusForm>,
) -> AppResult<Response> {
    let params = ListParams::from_back(&form.back);
    let back = params.listing(PER_PAGE);
    let back = back.page_href(back.page);
    let ticked = crate::web::list::ticked(&form.student);
    let input = StatusInput {
        status: form.new_status.clone(),
        effective_on: form.effective_on.clone(),
        reason: form.reason.clone(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::change_statuses(&mut tx, &grant, &context, &ticked, &input).await;
    let status_words = crate::web::words::label(&input.status).to_lowercase();
    form::settle(&state, tx, result)
        .done(|changed| {
            let message = if changed == 1 {
                format!("Status of 1 student changed to {status_words}")
            } else {
                format!("Status of {changed} students changed to {status_words}")
            };
            Done::to(back).message(message)
        })
        .again(async |errors| {
            let reader = principal
                .grant(Permission::StudentsRead)
                .ok_or(AppError::Forbidden)?;
            let bulk = BulkInput {
                ticked,
                new_status: form.new_status,
                effective_on: form.effective_on,
                reason: form.reason,
            };
            render_list(&state, &principal, &reader, jar, params, bulk, errors).await
        })
        .await
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
    /// Whether the viewer may give the student a sign-in account and they have none.
    can_give_account: bool,
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
        Some(read) => crate::access::reach::reaches_known_student(&mut tx, &read, student).await?,
        None => false,
    };
    let attendance = if reads_attendance {
        Some(attendance_chart(&mut tx, student).await?)
    } else {
        None
    };
    let can_manage = match principal.grant(Permission::StudentsManage) {
        Some(manage) => {
            crate::access::reach::reaches_known_student(&mut tx, &manage, student).await?
        }
        None => false,
    };
    let can_give_account = principal.can(Permission::UsersManage)
        && crate::students::queries::has_no_account(&mut tx, student).await?;
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
        can_give_account,
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
