//! The users list page: filters (words of a name or email, status, role), sortable
//! columns, numbered pages and the CSV of what is filtered; and invitations sent again
//! to the invited users ticked on it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::Cell;
use crate::users::model::{Status, UserView};
use crate::users::{queries, service};
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

/// Users on a page of the list.
const PER_PAGE: u32 = 50;
/// The most rows the list's CSV holds.
const CSV_LIMIT: u32 = 10_000;

/// The users list's address: its filters, its sort and page (`web::list`), and
/// `format=csv` for every row the filters select as a spreadsheet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    q: String,
    status: String,
    role: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl ListParams {
    /// The list's address read back from the `back` field of its bulk form (only the
    /// query of an `/admin/users` address is read; anything else is the whole list).
    fn from_back(back: &str) -> ListParams {
        back.strip_prefix("/admin/users?")
            .and_then(|query| serde_urlencoded::from_str(query).ok())
            .unwrap_or_default()
    }

    fn listing(&self, per_page: u32) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        Listing::new("/admin/users", &query, &queries::SORTABLE, per_page)
            .filter("q", &self.q)
            .filter("status", &self.status)
            .filter("role", &self.role)
    }

    /// The status filter, or its field error.
    fn status(&self) -> Result<Option<Status>, FieldError> {
        match self.status.trim() {
            "" => Ok(None),
            s => Status::parse(s)
                .map(Some)
                .ok_or_else(|| FieldError::new("status", "must be invited, active or deactivated")),
        }
    }

    fn role(&self) -> Option<&str> {
        Some(self.role.trim()).filter(|r| !r.is_empty())
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    chrome: Chrome,
    csrf: String,
    users: Vec<UserView>,
    q: String,
    status: String,
    role: String,
    roles: Vec<(String, String)>,
    can_manage: bool,
    listing: Listing,
    /// The users ticked when the bulk form was refused.
    ticked: Vec<Uuid>,
    /// Whether the filters were valid and the list read.
    searched: bool,
    /// What the summary says was not done when `errors` is not empty.
    refused: &'static str,
    errors: Errors,
}

impl ListPage {
    /// A role's name as people read it (custom roles by their label).
    fn role_label(&self, role: &str) -> String {
        self.roles
            .iter()
            .find(|(name, _)| name == role)
            .map_or_else(
                || crate::web::words::label(role),
                |(_, label)| label.clone(),
            )
    }

    fn is_ticked(&self, id: &Uuid) -> bool {
        self.ticked.contains(id)
    }

    /// Whether rows can be ticked: an administrator, and an invited user on this page.
    fn can_invite(&self) -> bool {
        self.can_manage && self.users.iter().any(|u| u.status == "invited")
    }

    /// This page of the list, where the bulk form comes back to.
    fn back(&self) -> String {
        self.listing.page_href(self.listing.page)
    }

    /// Whether any filter narrows the list (a link then clears them).
    fn filtered(&self) -> bool {
        [&self.q, &self.status, &self.role]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Response> {
    if params.format == "csv" {
        return export(&state, &principal, &params).await;
    }
    render_list(&state, &principal, jar, params, Vec::new(), Vec::new()).await
}

/// Every user the filters select (up to `CSV_LIMIT`), sorted as the page is, as CSV.
async fn export(
    state: &AppState,
    principal: &Principal,
    params: &ListParams,
) -> AppResult<Response> {
    let status = params.status().map_err(|e| AppError::Validation(vec![e]))?;
    let mut listing = params.listing(CSV_LIMIT);
    listing.page = 1;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (users, _) = queries::list(&mut tx, &params.q, status, params.role(), &listing).await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let label = |role: &String| {
        roles
            .iter()
            .find(|(name, _)| name == role)
            .map_or_else(|| crate::web::words::label(role), |(_, l)| l.clone())
    };
    let header: Vec<String> = ["Email", "Name", "Roles", "Status", "Last sign-in"]
        .into_iter()
        .map(String::from)
        .collect();
    let rows: Vec<Vec<Cell>> = users
        .into_iter()
        .map(|u| {
            vec![
                Cell::Text(u.email),
                Cell::Text(u.display_name),
                Cell::Text(u.roles.iter().map(label).collect::<Vec<_>>().join(", ")),
                Cell::Text(u.status),
                u.last_login_at
                    .and_then(|at| at.format(&Rfc3339).ok())
                    .map_or(Cell::Empty, Cell::Text),
            ]
        })
        .collect();
    let bytes = crate::exports::csv(&header, &rows)?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("users-{}.csv", principal.college_slug),
    ))
}

/// The list as `params` asks, with `ticked` and `errors` from a refused bulk form (the
/// page is then answered with 422, as it is for a filter that does not fit).
async fn render_list(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    params: ListParams,
    ticked: Vec<Uuid>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut listing = params.listing(PER_PAGE);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (users, filter_errors) = match params.status() {
        Ok(status) => {
            let (users, total) =
                queries::list(&mut tx, &params.q, status, params.role(), &listing).await?;
            let total = if users.is_empty() && listing.page > 1 {
                // Past the last page: the count comes from the first, so the pager leads back.
                let mut first = listing.clone();
                first.page = 1;
                queries::list(&mut tx, &params.q, status, params.role(), &first)
                    .await?
                    .1
            } else {
                total
            };
            listing = listing.with_total(total);
            (users, Vec::new())
        }
        Err(error) => (Vec::new(), vec![error]),
    };
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let refused = if errors.is_empty() {
        "The search was not run."
    } else {
        "No invitations were sent."
    };
    let searched = filter_errors.is_empty();
    let mut errors = errors;
    errors.extend(filter_errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = ListPage {
        chrome: Chrome::signed_in("Users", principal, csrf.clone(), "/admin/users"),
        csrf,
        users,
        q: params.q,
        status: params.status,
        role: params.role,
        roles,
        can_manage: principal.can(Permission::UsersManage),
        listing,
        ticked,
        searched,
        refused,
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

/// The bulk form around the users list: the ticked users (`user`, one field each) and
/// `back`, the list's address.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    user: Vec<String>,
    back: String,
}

/// Mails a new invitation to each ticked invited user, in one transaction; back to the
/// same page of the list with a message, or the list again with the ticks and why not.
pub async fn invite_many(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<InviteForm>,
) -> AppResult<Response> {
    let params = ListParams::from_back(&form.back);
    let back = params.listing(PER_PAGE);
    let back = back.page_href(back.page);
    let ticked = crate::web::list::ticked(&form.user);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = service::send_invitations(
        &mut tx,
        principal.college,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        &ticked,
    )
    .await;
    form::settle(&state, tx, result)
        .done(|sent| {
            let message = if sent == 1 {
                "1 invitation sent".to_string()
            } else {
                format!("{sent} invitations sent")
            };
            Done::to(back).message(message)
        })
        .again(async |errors| render_list(&state, &principal, jar, params, ticked, errors).await)
        .await
}
