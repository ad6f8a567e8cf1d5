//! Staff record pages: the list (filters, sortable columns, pages and its CSV), and a
//! staff member's profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::exports::Cell;
use crate::staff::model::{ListFilter, Profile, STATUSES, StaffLine};
use crate::staff::queries;
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::Errors;
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

/// Staff on a page of the list.
const PER_PAGE: u32 = 25;
/// The most rows the list's CSV holds.
const CSV_LIMIT: u32 = 10_000;

/// The staff list's address: its filters, its sort and page (`web::list`), and
/// `format=csv` for every row the filters select as a spreadsheet.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListParams {
    q: String,
    department: String,
    status: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

impl ListParams {
    fn filter(&self) -> ListFilter {
        ListFilter {
            q: self.q.clone(),
            department: self.department.clone(),
            status: self.status.clone(),
        }
    }

    fn listing(&self, per_page: u32) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page.clone(),
        };
        Listing::new("/staff", &query, &queries::SORTABLE, per_page)
            .filter("q", &self.q)
            .filter("department", &self.department)
            .filter("status", &self.status)
    }
}

#[derive(Template)]
#[template(path = "staff/search.html")]
struct SearchView {
    chrome: Chrome,
    filter: ListFilter,
    listing: Listing,
    staff: Vec<StaffLine>,
    departments: Vec<(String, String)>,
    statuses: [&'static str; 3],
    /// Whether the filters were valid and the list read.
    searched: bool,
    can_manage: bool,
    errors: Errors,
}

impl SearchView {
    /// Whether any filter narrows the list (a link then clears them).
    fn filtered(&self) -> bool {
        [&self.filter.q, &self.filter.department, &self.filter.status]
            .iter()
            .any(|v| !v.trim().is_empty())
    }
}

pub async fn search_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(params): ApiQuery<ListParams>,
) -> AppResult<Response> {
    let filter = params.filter();
    if params.format == "csv" {
        let mut listing = params.listing(CSV_LIMIT);
        listing.page = 1;
        let mut tx = begin_for_college(&state.db, principal.college).await?;
        let (staff, _) = queries::list(&mut tx, &grant, &filter, &listing).await?;
        tx.commit().await?;
        let header: Vec<String> = ["Number", "Name", "Title", "Department", "Status"]
            .into_iter()
            .map(String::from)
            .collect();
        let text = |value: Option<String>| value.map_or(Cell::Empty, Cell::Text);
        let rows: Vec<Vec<Cell>> = staff
            .into_iter()
            .map(|s| {
                vec![
                    Cell::Text(s.staff_number),
                    Cell::Text(s.name),
                    text(s.title),
                    text(s.department),
                    Cell::Text(s.status),
                ]
            })
            .collect();
        let bytes = crate::exports::csv(&header, &rows)?;
        return Ok(attachment(
            bytes,
            "text/csv; charset=utf-8",
            &format!("staff-{}.csv", principal.college_slug),
        ));
    }
    let mut listing = params.listing(PER_PAGE);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let listed = queries::list(&mut tx, &grant, &filter, &listing).await;
    let (staff, errors) = match listed {
        Ok((staff, total)) if staff.is_empty() && listing.page > 1 => {
            // Past the last page: the count comes from the first, so the pager leads back.
            let mut first = listing.clone();
            first.page = 1;
            let (_, total_first) = queries::list(&mut tx, &grant, &filter, &first).await?;
            listing = listing.with_total(total.max(total_first));
            (staff, Vec::new())
        }
        Ok((staff, total)) => {
            listing = listing.with_total(total);
            (staff, Vec::new())
        }
        Err(AppError::Validation(errors)) => (Vec::new(), errors),
        Err(other) => return Err(other),
    };
    let departments: Vec<(String, String)> = queries::departments(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = SearchView {
        chrome: Chrome::signed_in("Staff", &principal, csrf, "/staff"),
        filter,
        listing,
        staff,
        departments,
        statuses: STATUSES,
        searched: errors.is_empty(),
        can_manage: principal.can(Permission::StaffManage),
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "staff/profile.html")]
struct ProfileView {
    chrome: Chrome,
    csrf: String,
    profile: Profile,
    can_manage: bool,
    can_see_accounts: bool,
    can_give_account: bool,
    /// Their identity cards, for those who issue them.
    cards: Vec<crate::documents::lifecycle::model::IssuedLine>,
}

impl ProfileView {
    fn employment(&self) -> String {
        crate::institution::setup::rules::words_of(
            &crate::staff::record::EMPLOYMENT,
            &self.profile.employment_type,
        )
    }
}

pub async fn profile_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let profile = queries::profile(&mut tx, &grant, id).await?;
    let can_manage = principal.can(Permission::StaffManage);
    let cards = if can_manage {
        crate::documents::lifecycle::queries::of_staff(&mut tx, id).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let view = ProfileView {
        chrome: Chrome::signed_in(
            format!("{} {}", profile.first_name, profile.last_name),
            &principal,
            csrf.clone(),
            "/staff",
        ),
        csrf,
        profile,
        can_manage,
        cards,
        can_see_accounts: principal.can(Permission::UsersRead),
        can_give_account: principal.can(Permission::UsersManage),
    };
    Ok((jar, render(&view)?).into_response())
}
