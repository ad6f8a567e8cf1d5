//! The pages of every register, generic over it: the list (with its CSV), a record, the
//! new and edit forms, the confirmation before deleting, retiring and restoring.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::Form;
use serde::Deserialize;
use uuid::Uuid;

use super::view::{Cell, Column, Fact, Field, Kind, Usage};
use super::{Filter, Register, Show, service};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::Cell as ExportCell;
use crate::web::attachment::attachment;
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

const PER_PAGE: u32 = 25;
/// The most rows a CSV export holds.
const CSV_ROWS: u32 = 50_000;

/// A list's address: its filters, order and page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub q: String,
    pub show: String,
    pub within: String,
    pub sort: String,
    pub dir: String,
    pub page: String,
    pub format: String,
}

impl ListParams {
    pub fn filter(&self) -> Filter {
        Filter {
            q: self.q.trim().to_string(),
            show: Show::parse(&self.show),
            within: self.within.trim().parse().ok(),
        }
    }

    pub fn listing<R: Register>(&self, per_page: u32) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        let filter = self.filter();
        Listing::new(R::PATHS.list, &query, R::SORTS, per_page)
            .filter("q", &filter.q)
            .filter(
                "show",
                if filter.show == Show::Active {
                    ""
                } else {
                    filter.show.as_str()
                },
            )
            .filter(
                "within",
                &filter.within.map(|w| w.to_string()).unwrap_or_default(),
            )
    }
}

#[derive(Template)]
#[template(path = "setup/list.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    lead: &'static str,
    one: &'static str,
    new_href: &'static str,
    list_href: &'static str,
    import_href: Option<&'static str>,
    can_manage: bool,
    retires: bool,
    columns: &'static [Column],
    rows: Vec<Vec<Cell>>,
    listing: Listing,
    filter: Filter,
    within_label: Option<&'static str>,
    within_options: Vec<(Uuid, String)>,
}

impl ListPage {
    fn within_chosen(&self, id: &Uuid) -> bool {
        self.filter.within == Some(*id)
    }

    fn filtered(&self) -> bool {
        !self.filter.q.is_empty()
            || self.filter.show != Show::Active
            || self.filter.within.is_some()
    }
}

fn can_manage<R: Register>(principal: &Principal) -> bool {
    principal.can(R::MANAGE)
}

pub async fn list<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Response> {
    let csv = params.format == "csv";
    let mut listing = params.listing::<R>(if csv { CSV_ROWS } else { PER_PAGE });
    if csv {
        listing.page = 1;
    }
    let filter = params.filter();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (rows, total) = R::list(&mut tx, &filter, &listing).await?;
    let within_options = match R::WITHIN {
        Some(_) if !csv => R::within_options(&mut tx).await?,
        _ => Vec::new(),
    };
    tx.commit().await?;
    if csv {
        let header: Vec<String> = R::COLUMNS.iter().map(|c| c.label.to_string()).collect();
        let cells: Vec<Vec<ExportCell>> = rows
            .iter()
            .map(|r| {
                R::cells(r)
                    .into_iter()
                    .map(|c| ExportCell::Text(c.text))
                    .collect()
            })
            .collect();
        let bytes = crate::exports::csv(&header, &cells)?;
        return Ok(attachment(
            bytes,
            "text/csv; charset=utf-8",
            &format!("{}.csv", R::MANY),
        ));
    }
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ListPage {
        chrome: Chrome::signed_in(R::TITLE, &principal, csrf, R::PATHS.list),
        title: R::TITLE,
        lead: R::LEAD,
        one: R::ONE,
        new_href: R::PATHS.new,
        list_href: R::PATHS.list,
        import_href: R::IMPORT.map(|i| i.page),
        can_manage: can_manage::<R>(&principal),
        retires: R::RETIRES,
        columns: R::COLUMNS,
        rows: rows.iter().map(R::cells).collect(),
        listing: listing.with_total(total),
        filter,
        within_label: R::WITHIN,
        within_options,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "setup/record.html")]
struct RecordPage {
    chrome: Chrome,
    csrf: String,
    title: &'static str,
    list_href: &'static str,
    one: &'static str,
    label: String,
    retired: bool,
    retires: bool,
    /// Whether the register has a current record, and whether this is it.
    has_current: bool,
    current: bool,
    facts: Vec<Fact>,
    usage: Vec<Usage>,
    can_manage: bool,
    href: String,
}

fn one_href(template: &str, id: Uuid) -> String {
    template.replace("{id}", &id.to_string())
}

pub async fn show<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::get::<R>(&mut tx, id, false).await?;
    let usage = R::usage(&mut tx, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let label = R::label(&row);
    let page = RecordPage {
        chrome: Chrome::signed_in(label.clone(), &principal, csrf.clone(), R::PATHS.list),
        csrf,
        title: R::TITLE,
        list_href: R::PATHS.list,
        one: R::ONE,
        label,
        retired: R::is_retired(&row),
        retires: R::RETIRES,
        has_current: R::CURRENT.is_some(),
        current: R::is_current(&row),
        facts: R::facts(&row),
        usage: usage.into_iter().filter(|u| u.count > 0).collect(),
        can_manage: can_manage::<R>(&principal),
        href: one_href(R::PATHS.one, id),
    };
    Ok((jar, render(&page)?).into_response())
}

/// A page of one form of fields (`view::Field`), in the one form pattern: the setup
/// registers' forms, and other records edited field by field (a student's details).
#[derive(Template)]
#[template(path = "setup/form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// The breadcrumbs above the list: (words, address).
    pub area: (&'static str, &'static str),
    pub title: &'static str,
    pub list_href: &'static str,
    pub heading: String,
    /// "The room" in the error summary.
    pub what: String,
    pub action: String,
    pub button: String,
    pub back: String,
    pub fields: Vec<Field>,
    pub errors: Errors,
}

impl FormPage {
    /// The page with the college's chrome: 200, or 422 when it gives a refused form back.
    pub fn respond(self, jar: CookieJar) -> AppResult<Response> {
        let status = if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok((status, jar, render(&self)?).into_response())
    }

    fn is_kind(field: &Field, kind: &str) -> bool {
        matches!(
            (field.kind, kind),
            (
                Kind::Text | Kind::Number | Kind::Date | Kind::Time | Kind::DateTime,
                "input"
            ) | (Kind::Select, "select")
                | (Kind::Ticks, "ticks")
                | (Kind::Textarea, "textarea")
        )
    }
}

/// The form page: new when `id` is none, otherwise the edit of `label`.
async fn render_form<R: Register>(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Option<(Uuid, String)>,
    typed: &R::Form,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let fields = R::fields(&mut tx, typed).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let (heading, action, button, back) = match &id {
        None => (
            format!("New {}", R::ONE),
            R::PATHS.list.to_string(),
            format!("Add the {}", R::ONE),
            R::PATHS.list.to_string(),
        ),
        Some((id, label)) => (
            format!("Edit {label}"),
            one_href(R::PATHS.one, *id),
            "Save the changes".to_string(),
            one_href(R::PATHS.one, *id),
        ),
    };
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), R::PATHS.list),
        csrf,
        area: R::AREA,
        title: R::TITLE,
        list_href: R::PATHS.list,
        heading,
        what: format!("The {}", R::ONE),
        action,
        button,
        back,
        fields,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn new<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_form::<R>(
        &state,
        &principal,
        jar,
        None,
        &R::Form::default(),
        Vec::new(),
    )
    .await
}

pub async fn create<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<R::Form>,
) -> AppResult<Response> {
    let (input, found) = R::parse(&typed);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = service::save::<R>(&mut tx, &context, None, &input, found).await;
    form::settle(&state, tx, result)
        .done(|row| {
            Done::to(one_href(R::PATHS.one, R::id(&row)))
                .message(format!("{} created", R::label(&row)))
        })
        .again(async |errors| render_form::<R>(&state, &principal, jar, None, &typed, errors).await)
        .await
}

pub async fn edit<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::get::<R>(&mut tx, id, false).await?;
    tx.commit().await?;
    let typed = R::form_of(&R::input_of(&row));
    render_form::<R>(
        &state,
        &principal,
        jar,
        Some((id, R::label(&row))),
        &typed,
        Vec::new(),
    )
    .await
}

pub async fn update<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(typed): Form<R::Form>,
) -> AppResult<Response> {
    let (input, found) = R::parse(&typed);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let label = R::find(&mut tx, id, false)
        .await?
        .map(|r| R::label(&r))
        .ok_or(AppError::NotFound)?;
    let result = service::save::<R>(&mut tx, &context, Some(id), &input, found).await;
    form::settle(&state, tx, result)
        .done(|row| {
            Done::to(one_href(R::PATHS.one, id)).message(format!("{} saved", R::label(&row)))
        })
        .again(async |errors| {
            render_form::<R>(&state, &principal, jar, Some((id, label)), &typed, errors).await
        })
        .await
}

pub async fn confirm_delete<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::get::<R>(&mut tx, id, false).await?;
    service::refuse_if_used::<R>(&mut tx, &row).await?;
    tx.commit().await?;
    let label = R::label(&row);
    let back = one_href(R::PATHS.one, id);
    let (csrf, _) = csrf::for_page(&state, Some(&principal), jar);
    let chrome = Chrome::signed_in(
        format!("Delete {label}?"),
        &principal,
        csrf.clone(),
        R::PATHS.list,
    );
    Confirm::new(
        chrome,
        csrf,
        format!("Delete {label}?"),
        one_href(R::PATHS.delete, id),
    )
    .consequence(format!(
        "{label} is removed for good. Nothing uses it; the audit trail keeps what it was."
    ))
    .button(format!("Delete the {}", R::ONE))
    .back(back)
    .respond()
}

pub async fn delete<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::delete::<R>(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Done::to(R::PATHS.list)
        .message(format!("{} deleted", R::label(&row)))
        .respond(&state))
}

async fn retired<R: Register>(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    id: Uuid,
    retired: bool,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::set_retired::<R>(&mut tx, context, id, retired).await?;
    tx.commit().await?;
    let said = if retired {
        format!("{} {}", R::label(&row), R::RETIRE_WORDS.done)
    } else {
        format!("{} {}", R::label(&row), R::RETIRE_WORDS.undone)
    };
    Ok(Done::to(one_href(R::PATHS.one, id))
        .message(said)
        .respond(state))
}

pub async fn retire<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    retired::<R>(&state, &principal, &context, id, true).await
}

pub async fn restore<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    retired::<R>(&state, &principal, &context, id, false).await
}

/// Makes the record the college's current one.
pub async fn make_current<R: Register>(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let row = service::make_current::<R>(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Done::to(one_href(R::PATHS.one, id))
        .message(format!("{} is now the current {}", R::label(&row), R::ONE))
        .respond(&state))
}

#[derive(Template)]
#[template(path = "setup/index.html")]
struct IndexPage {
    chrome: Chrome,
    checklist: super::checklist::Checklist,
    /// (title, what it holds, count in use, address)
    registers: Vec<(&'static str, &'static str, i64, &'static str)>,
}

/// The registers of setting up, with how many records each holds in use.
pub async fn index(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    use crate::institution::calendar::entries::Entries;
    use crate::institution::calendar::periods::Periods;
    use crate::institution::calendar::terms::Terms;
    use crate::institution::calendar::years::Years;
    use crate::institution::departments::queries::{Departments, Programs};
    use crate::institution::places::queries::{Buildings, Campuses, Rooms};

    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let n = super::queries::counts(&mut tx).await?;
    let checklist = super::checklist::checklist(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = IndexPage {
        chrome: Chrome::signed_in("Setting up", &principal, csrf, "/setup"),
        checklist,
        registers: vec![
            (
                Campuses::TITLE,
                Campuses::LEAD,
                n.campuses,
                Campuses::PATHS.list,
            ),
            (
                Buildings::TITLE,
                Buildings::LEAD,
                n.buildings,
                Buildings::PATHS.list,
            ),
            (Rooms::TITLE, Rooms::LEAD, n.rooms, Rooms::PATHS.list),
            (
                Departments::TITLE,
                Departments::LEAD,
                n.departments,
                Departments::PATHS.list,
            ),
            (
                Programs::TITLE,
                Programs::LEAD,
                n.programs,
                Programs::PATHS.list,
            ),
            (Years::TITLE, Years::LEAD, n.years, Years::PATHS.list),
            (Terms::TITLE, Terms::LEAD, n.terms, Terms::PATHS.list),
            (
                Entries::TITLE,
                Entries::LEAD,
                n.entries,
                Entries::PATHS.list,
            ),
            (
                Periods::TITLE,
                Periods::LEAD,
                n.periods,
                Periods::PATHS.list,
            ),
        ],
    };
    Ok((jar, render(&page)?).into_response())
}
