//! Ticket pages: the "open a ticket" form of the requests page, the queue of those who
//! handle tickets (filtered, sorted, by pages or as CSV, ticked tickets changed at once),
//! and a ticket's page with its comments, forms and live updates.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::Cell;
use crate::requests::pages::{Again, render_requests};
use crate::requests::tickets::model::{
    CATEGORIES, Comment, CommentInput, QueueFilter, STATUSES, TICKET_SORTS, Ticket, TicketInput,
    TicketLine, UpdateInput, topic,
};
use crate::requests::tickets::queries;
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};
use crate::web::words;

/// The "open a ticket" form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TicketForm {
    category: String,
    title: String,
    body: String,
    location: String,
}

pub async fn open_ticket_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(sent): Form<TicketForm>,
) -> AppResult<Response> {
    let input = TicketInput {
        category: sent.category,
        title: sent.title,
        body: sent.body,
        location: sent.location,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::open(&mut tx, &context, principal.user_id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("title")
        .done(|(id, number)| {
            Done::to(format!("/tickets/{id}")).message(format!("Ticket #{number} opened."))
        })
        .again(async |errors| {
            render_requests(
                &state,
                &principal,
                jar,
                Some((Again::Ticket(input), errors)),
            )
            .await
        })
        .await
}

/// Tickets on a page of the queue.
const PER_PAGE: u32 = 25;
/// The most rows a CSV export holds.
const CSV_ROWS: i64 = 10_000;

/// The queue's address: its filters, sort and page, and `format=csv` for every ticket the
/// filters select as a spreadsheet. (Every value is text, so a filter form's empty box or
/// a hand-typed address never fails to read.)
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    category: String,
    mine: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        QueueFilter {
            status: self.status.trim().to_string(),
            category: self.category.trim().to_string(),
            mine: matches!(self.mine.trim(), "true" | "on" | "1"),
        }
    }

    fn listing(&self) -> Listing {
        // Latest change first until another order is asked for.
        let dir = if self.sort.is_empty() && self.dir.is_empty() {
            "desc".to_string()
        } else {
            self.dir.clone()
        };
        let query = ListQuery {
            sort: self.sort.clone(),
            dir,
            page: self.page.clone(),
        };
        let filter = self.filter();
        Listing::new("/tickets", &query, &TICKET_SORTS, PER_PAGE)
            .filter("status", &filter.status)
            .filter("category", &filter.category)
            .filter("mine", if filter.mine { "true" } else { "" })
    }
}

#[derive(Template)]
#[template(path = "requests/queue.html")]
struct QueueView {
    chrome: Chrome,
    csrf: String,
    filter: QueueFilter,
    list: Listing,
    tickets: Vec<TicketLine>,
    statuses: [&'static str; 4],
    categories: [&'static str; 7],
    /// Where the bulk form posts: the list's own address, so it comes back to it.
    bulk_action: String,
    /// The bulk form as typed when it was refused: the tickets ticked, the status and
    /// the assignee.
    ticked: Vec<Uuid>,
    bulk: UpdateInput,
    errors: Errors,
}

impl QueueView {
    fn is_ticked(&self, id: &Uuid) -> bool {
        self.ticked.contains(id)
    }

    fn filtered(&self) -> bool {
        !self.filter.status.is_empty() || !self.filter.category.is_empty() || self.filter.mine
    }
}

/// The query string of a list's address (after `?`), kept by the bulk form.
fn query_of(href: &str) -> &str {
    href.split_once('?').map_or("", |(_, query)| query)
}

async fn render_queue(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    query: QueueQuery,
    again: Option<(Vec<Uuid>, UpdateInput, Vec<FieldError>)>,
) -> AppResult<Response> {
    let filter = query.filter();
    let list = query.listing();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let tickets = queries::page(
        &mut tx,
        principal,
        &filter,
        &list.sort,
        list.desc,
        list.limit(),
        list.offset(),
    )
    .await?;
    tx.commit().await?;
    let total = tickets.first().map_or(0, |t| t.total);
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let bulk_action = format!("/tickets/bulk?{}", query_of(&list.page_href(list.page)));
    let (ticked, bulk, errors) = again.unwrap_or_default();
    let view = QueueView {
        chrome: Chrome::signed_in("Tickets", principal, csrf.clone(), "/requests"),
        csrf,
        filter,
        list: list.with_total(total),
        tickets,
        statuses: STATUSES,
        categories: CATEGORIES,
        bulk_action,
        ticked,
        bulk,
        errors: errors.into(),
    };
    Ok((jar, render(&view)?).into_response())
}

/// Every ticket the filters select (up to `CSV_ROWS`), in the queue's order, as CSV.
async fn queue_csv(
    state: &AppState,
    principal: &Principal,
    query: &QueueQuery,
) -> AppResult<Response> {
    let list = query.listing();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let tickets = queries::page(
        &mut tx,
        principal,
        &query.filter(),
        &list.sort,
        list.desc,
        CSV_ROWS,
        0,
    )
    .await?;
    tx.commit().await?;
    let header: Vec<String> = [
        "Number", "Title", "Kind", "Location", "From", "Assignee", "Status", "Raised", "Updated",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let moment = |at: time::OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let rows: Vec<Vec<Cell>> = tickets
        .into_iter()
        .map(|t| {
            vec![
                Cell::Number(f64::from(t.number)),
                Cell::Text(t.title),
                Cell::Text(words::label(&t.category)),
                Cell::Text(t.location),
                Cell::Text(t.requester),
                t.assignee.map_or(Cell::Empty, Cell::Text),
                Cell::Text(words::label(&t.status)),
                Cell::Text(moment(t.created_at)),
                Cell::Text(moment(t.updated_at)),
            ]
        })
        .collect();
    let bytes = crate::exports::csv(&header, &rows)?;
    Ok(attachment(bytes, "text/csv; charset=utf-8", "tickets.csv"))
}

pub async fn queue_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> AppResult<Response> {
    if query.format == "csv" {
        return queue_csv(&state, &principal, &query).await;
    }
    render_queue(&state, &principal, jar, query, None).await
}

/// The queue's bulk form: the tickets ticked (one `ids` field each), and the status and
/// assignee to give them (either may be left empty).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BulkForm {
    ids: Vec<String>,
    status: String,
    assignee_email: String,
}

/// "3 tickets moved to in progress and assigned to …", or that none changed.
fn bulk_message(changed: usize, input: &UpdateInput) -> String {
    let tickets = if changed == 1 {
        "1 ticket".to_string()
    } else {
        format!("{changed} tickets")
    };
    if changed == 0 {
        return "No ticket changed: the ticked tickets were already so.".into();
    }
    let mut what = Vec::new();
    if !input.status.is_empty() {
        what.push(format!(
            "moved to {}",
            words::label(&input.status).to_lowercase()
        ));
    }
    if !input.assignee_email.trim().is_empty() {
        what.push(format!("assigned to {}", input.assignee_email.trim()));
    }
    format!("{tickets} {}.", what.join(" and "))
}

/// Changes every ticked ticket of the queue at once (status, assignee, or both), in one
/// transaction, and goes back to the same list saying how many changed.
pub async fn bulk_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<QueueQuery>,
    axum_extra::extract::Form(sent): axum_extra::extract::Form<BulkForm>,
) -> AppResult<Response> {
    let mut ids: Vec<Uuid> = Vec::new();
    let mut unreadable = false;
    for text in &sent.ids {
        match Uuid::parse_str(text.trim()) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(_) => unreadable = true,
        }
    }
    let input = UpdateInput {
        status: sent.status.trim().to_string(),
        assignee_email: sent.assignee_email.trim().to_string(),
    };
    let list = query.listing();
    let back = list.page_href(list.page);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = if unreadable {
        Err(AppError::Validation(vec![FieldError::new(
            "tickets",
            "a ticked ticket could not be read; tick them again",
        )]))
    } else {
        queries::update_many(&mut tx, &context, &principal, &ids, &input).await
    };
    let message = |changed: usize| bulk_message(changed, &input);
    form::settle(&state, tx, result)
        .done(|changed| Done::to(back).message(message(changed)))
        .again(async |errors| {
            let again = Some((ids, input.clone(), errors));
            render_queue(&state, &principal, jar, query, again).await
        })
        .await
}

#[derive(Template)]
#[template(path = "requests/ticket.html")]
struct TicketPage {
    chrome: Chrome,
    csrf: String,
    ticket: Ticket,
    comments: Vec<Comment>,
    handles: bool,
    statuses: [&'static str; 4],
    /// The refused form (`comment` or `update`), or empty.
    refused: &'static str,
    errors: Errors,
    /// What was typed in the comment form, and in the handling form.
    body: String,
    status: String,
    assignee_email: String,
}

/// A refused form of a ticket's page, with what was typed in it.
enum OnTicket {
    Comment(String),
    Update(UpdateInput),
}

async fn render_ticket(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    again: Option<(OnTicket, Vec<FieldError>)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (ticket, comments) = queries::view(&mut tx, principal, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let (mut refused, mut errors) = ("", Vec::new());
    let (mut body, mut status, mut assignee_email) =
        (String::new(), ticket.status.clone(), String::new());
    match again {
        None => {}
        Some((OnTicket::Comment(typed), found)) => {
            refused = "comment";
            errors = found;
            body = typed;
        }
        Some((OnTicket::Update(typed), found)) => {
            refused = "update";
            errors = found
                .into_iter()
                .map(|e| {
                    if e.field == "assignee_email" {
                        e
                    } else {
                        FieldError::new("status", e.message)
                    }
                })
                .collect();
            if !typed.status.is_empty() {
                status = typed.status;
            }
            assignee_email = typed.assignee_email;
        }
    }
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = TicketPage {
        chrome: Chrome::signed_in(
            format!("Ticket #{}", ticket.number),
            principal,
            csrf.clone(),
            "/requests",
        ),
        csrf,
        ticket,
        comments,
        handles: principal.can(Permission::TicketsManage),
        statuses: STATUSES,
        refused,
        errors: errors.into(),
        body,
        status,
        assignee_email,
    };
    Ok((code, jar, render(&view)?).into_response())
}

pub async fn ticket_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_ticket(&state, &principal, jar, id, None).await
}

/// Server-sent events telling a ticket's page that it changed.
pub async fn ticket_events(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::view(&mut tx, &principal, id).await?;
    tx.commit().await?;
    let recheck = crate::identity::signin::authenticate::recheck(
        &state,
        &principal,
        move |state, now| async move {
            let mut tx = begin_for_college(&state.db, now.college).await?;
            let seen = match queries::view(&mut tx, &now, id).await {
                Ok(_) => true,
                Err(AppError::NotFound | AppError::Forbidden) => false,
                Err(other) => return Err(other),
            };
            tx.commit().await?;
            Ok(seen)
        },
    );
    Ok(crate::live::changes(
        &state,
        principal.college,
        topic(id),
        recheck,
    ))
}

/// The "add a comment" form on a ticket.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CommentForm {
    body: String,
}

pub async fn comment_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(sent): Form<CommentForm>,
) -> AppResult<Response> {
    let input = CommentInput { body: sent.body };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::comment(&mut tx, &context, &principal, id, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("body")
        .done(|()| Done::to(format!("/tickets/{id}")).message("Comment added."))
        .again(async |errors| {
            let again = Some((OnTicket::Comment(input.body), errors));
            render_ticket(&state, &principal, jar, id, again).await
        })
        .await
}

/// The "update a ticket" form (status and assignee).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TicketUpdateForm {
    status: String,
    assignee_email: String,
}

pub async fn update_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(sent): Form<TicketUpdateForm>,
) -> AppResult<Response> {
    let input = UpdateInput {
        status: sent.status,
        assignee_email: sent.assignee_email,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::update(&mut tx, &context, &principal, id, &input).await;
    let message = if input.status.is_empty() {
        "Ticket updated.".to_string()
    } else {
        format!(
            "Ticket updated: {}.",
            words::label(&input.status).to_lowercase()
        )
    };
    form::settle(&state, tx, result)
        .conflict_on("status")
        .done(|()| Done::to(format!("/tickets/{id}")).message(message))
        .again(async |errors| {
            let again = Some((OnTicket::Update(input), errors));
            render_ticket(&state, &principal, jar, id, again).await
        })
        .await
}
