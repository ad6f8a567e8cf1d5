//! The audit trail for administrators: filters, sortable columns (newest first unless
//! asked), numbered pages with the count, and export of the same selection as CSV.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use time::{Date, OffsetDateTime};

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::attachment::attachment;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::form::Errors;
use crate::web::layout::{Chrome, render};
use crate::web::list::{ListQuery, Listing};

/// Entries on a page of the trail.
const PER_PAGE: u32 = 50;
/// The most entries an export holds.
const EXPORT_LIMIT: u32 = 100_000;

/// What the trail is narrowed by.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filter {
    action: String,
    actor: String,
    object_type: String,
    object_id: String,
    from: String,
    to: String,
}

/// The trail's address: its filters, its sort and page (`web::list`), and `format=csv`
/// for every entry the filters select as a spreadsheet.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    action: String,
    actor: String,
    object_type: String,
    object_id: String,
    from: String,
    to: String,
    sort: String,
    dir: String,
    page: String,
    format: String,
}

/// The columns the trail sorts by, the first its default (newest first when the address
/// names no sort).
const SORTABLE: [&str; 3] = ["at", "actor", "action"];

impl AuditQuery {
    fn filter(&self) -> Filter {
        Filter {
            action: self.action.clone(),
            actor: self.actor.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }

    fn listing(&self, per_page: u32) -> Listing {
        let query = ListQuery {
            sort: self.sort.clone(),
            // Newest first until a column is chosen; every link then names its order.
            dir: if self.sort.is_empty() && self.dir.is_empty() {
                "desc".to_string()
            } else {
                self.dir.clone()
            },
            page: self.page.clone(),
        };
        Listing::new("/admin/audit", &query, &SORTABLE, per_page)
            .filter("action", &self.action)
            .filter("actor", &self.actor)
            .filter("object_type", &self.object_type)
            .filter("object_id", &self.object_id)
            .filter("from", &self.from)
            .filter("to", &self.to)
    }
}

/// The fixed order of a sort key, each ending in the entry's number (unique).
fn order_of(sort: &str) -> &'static [&'static str] {
    match sort {
        "actor" => &["u.email", "a.id"],
        "action" => &["a.action", "a.id"],
        _ => &["a.id"],
    }
}

struct Parsed {
    from: Option<Date>,
    to: Option<Date>,
}

fn parse(filter: &Filter) -> Result<Parsed, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = |field: &str, raw: &str| -> Result<Option<Date>, FieldError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        Date::parse(raw.trim(), &format)
            .map(Some)
            .map_err(|_| FieldError::new(field, "must be a date such as 2026-09-01"))
    };
    let mut errors = Vec::new();
    let from = date("from", &filter.from)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let to = date("to", &filter.to)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if errors.is_empty() {
        Ok(Parsed { from, to })
    } else {
        Err(AppError::Validation(errors))
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    /// The entry's number, which orders the list.
    id: i64,
    /// Its place in the chain, once sealed (seconds after it is written).
    seq: Option<i64>,
    at: OffsetDateTime,
    /// The actor's account, whose page their email links to.
    actor_id: Option<uuid::Uuid>,
    actor: Option<String>,
    actor_role: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    ip: Option<String>,
    request_id: Option<String>,
    /// How many entries the filters select (every row of a statement says the same), when
    /// counted.
    total: i64,
}

/// The pages an object type has, by its id; a type not named here has none.
fn page_of(object_type: &str, id: &str) -> Option<String> {
    let path = match object_type {
        "student" => format!("/students/{id}"),
        "user" => format!("/admin/users/{id}"),
        "section" => format!("/sections/{id}"),
        "application" => format!("/admissions/applications/{id}"),
        "intake" => format!("/admissions/intakes/{id}"),
        "ticket" => format!("/tickets/{id}"),
        "assignment" => format!("/assignments/{id}"),
        "assessment" => format!("/assessments/{id}/marks"),
        "class_session" => format!("/sessions/{id}/mark"),
        "course" => format!("/catalog/courses/{id}"),
        "campus" => format!("/setup/campuses/{id}"),
        "building" => format!("/setup/buildings/{id}"),
        "room" => format!("/setup/rooms/{id}"),
        "department" => format!("/setup/departments/{id}"),
        "program" => format!("/setup/programs/{id}"),
        "academic_year" => format!("/setup/years/{id}"),
        "term" => format!("/setup/terms/{id}"),
        "calendar_entry" => format!("/setup/calendar/{id}"),
        "bell_period" => format!("/setup/periods/{id}"),
        "role" => "/admin/roles".to_string(),
        "guardian_link_request" => "/guardians/requests".to_string(),
        "document_job" => "/documents/report-cards".to_string(),
        _ => return None,
    };
    // An id is a UUID or a short name: anything else is not made a link.
    id.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .then_some(path)
}

/// A value of a change as people read it: text without quotes, lists joined, nothing
/// as a dash, long values cut.
fn shown(value: &serde_json::Value) -> String {
    use serde_json::Value;
    let text = match value {
        Value::Null => "—".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "none".to_string(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), shown(v)))
            .collect::<Vec<_>>()
            .join("; "),
    };
    const MAX: usize = 120;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl Row {
    /// Where the object's page is, when its type has one.
    fn object_link(&self) -> Option<String> {
        page_of(self.object_type.as_deref()?, self.object_id.as_deref()?)
    }

    /// The object's type in words.
    fn object_label(&self) -> String {
        self.object_type
            .as_deref()
            .map(crate::web::words::label)
            .unwrap_or_default()
    }

    /// The start of the object's id, to tell two apart where there is no page to link.
    fn object_short(&self) -> String {
        self.object_id
            .as_deref()
            .map(|id| id.chars().take(8).collect())
            .unwrap_or_default()
    }

    /// The change as `field: value` lines: each field recorded after, with its value
    /// before when that differs; the fields only recorded before (a removal), as they were.
    fn changes(&self) -> Vec<(String, String)> {
        use serde_json::Value;
        let before = match &self.before {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        };
        let mut lines = Vec::new();
        match &self.after {
            Some(Value::Object(after)) => {
                for (key, value) in after {
                    let was = before.and_then(|b| b.get(key)).filter(|was| *was != value);
                    let text = match was {
                        Some(was) => format!("{} → {}", shown(was), shown(value)),
                        None => shown(value),
                    };
                    lines.push((key.replace('_', " "), text));
                }
                if let Some(before) = before {
                    for (key, value) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
                        lines.push((key.replace('_', " "), format!("was {}", shown(value))));
                    }
                }
            }
            Some(other) => lines.push(("after".to_string(), shown(other))),
            None => match &self.before {
                Some(Value::Object(before)) => {
                    for (key, value) in before {
                        lines.push((key.replace('_', " "), format!("was {}", shown(value))));
                    }
                }
                Some(other) => lines.push(("before".to_string(), shown(other))),
                None => {}
            },
        }
        lines
    }
}

/// The newest entry whose action is `action` in the college the connection acts for:
/// when, by whom (their email) and what it recorded after. A page shows with it what
/// its last run did (the OneRoster page, its latest import).
pub async fn latest(
    conn: &mut PgConnection,
    action: &str,
) -> Result<Option<(OffsetDateTime, Option<String>, Option<serde_json::Value>)>, sqlx::Error> {
    let filter = Filter {
        action: action.to_string(),
        ..Filter::default()
    };
    let parsed = Parsed {
        from: None,
        to: None,
    };
    let mut q = select(&filter, &parsed, false);
    q.push(" ORDER BY a.id DESC LIMIT 20");
    let rows: Vec<Row> = q.build_query_as().fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .find(|r| r.action == action)
        .map(|r| (r.at, r.actor, r.after)))
}

/// The one place the trail's filters become SQL, every value bound; the caller adds the
/// order and the page. When `counted`, each row carries the count of every entry selected
/// (which reads them all; otherwise `total` is 0 and a limit can stop the scan early).
fn select(filter: &Filter, parsed: &Parsed, counted: bool) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::new(
        "SELECT a.id, a.seq, a.at, a.actor_user_id AS actor_id, u.email::text AS actor, a.actor_role, \
            a.action, a.object_type, a.object_id, a.before, a.after, host(a.ip) AS ip, a.request_id, ",
    );
    q.push(if counted {
        "count(*) OVER () AS total"
    } else {
        "0::int8 AS total"
    });
    q.push(
        " FROM audit_log a LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.actor_user_id \
         WHERE true",
    );
    if !filter.action.trim().is_empty() {
        q.push(" AND a.action LIKE ")
            .push_bind(format!("{}%", escape_like(filter.action.trim())));
    }
    if !filter.actor.trim().is_empty() {
        q.push(" AND u.email = ")
            .push_bind(filter.actor.trim().to_lowercase());
    }
    if !filter.object_type.trim().is_empty() {
        q.push(" AND a.object_type = ")
            .push_bind(filter.object_type.trim().to_string());
    }
    if !filter.object_id.trim().is_empty() {
        q.push(" AND a.object_id = ")
            .push_bind(filter.object_id.trim().to_string());
    }
    if let Some(from) = parsed.from {
        q.push(" AND a.at >= ").push_bind(from).push("::date");
    }
    if let Some(to) = parsed.to {
        q.push(" AND a.at < ").push_bind(to).push("::date + 1");
    }
    q
}

/// The entries `filter` selects, sorted and paged as `listing` says.
async fn entries(
    conn: &mut PgConnection,
    filter: &Filter,
    parsed: &Parsed,
    listing: &Listing,
) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let mut q = select(filter, parsed, true);
    q.push(" ORDER BY ");
    for (i, column) in order_of(&listing.sort).iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push(*column).push(" ").push(listing.direction());
    }
    q.push(" LIMIT ")
        .push_bind(listing.limit())
        .push(" OFFSET ")
        .push_bind(listing.offset());
    let rows: Vec<Row> = q.build_query_as().fetch_all(conn).await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows, total))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    chrome: Chrome,
    filter: Filter,
    listing: Listing,
    rows: Vec<Row>,
    /// Whether the filters were valid and the trail read.
    searched: bool,
    errors: Errors,
}

impl AuditPage {
    /// Whether any filter narrows the trail (a link then clears them).
    fn filtered(&self) -> bool {
        [
            &self.filter.action,
            &self.filter.actor,
            &self.filter.object_type,
            &self.filter.object_id,
            &self.filter.from,
            &self.filter.to,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Response> {
    if query.format == "csv" {
        return export_csv(&state, &principal, &query).await;
    }
    let filter = query.filter();
    let mut listing = query.listing(PER_PAGE);
    // A filter that does not parse is shown again with its errors, and no entries.
    let (rows, errors) = match parse(&filter) {
        Ok(parsed) => {
            let mut tx = begin_for_college(&state.db, principal.college).await?;
            let (rows, total) = entries(&mut tx, &filter, &parsed, &listing).await?;
            let total = if rows.is_empty() && listing.page > 1 {
                // Past the last page: the count comes from the first, so the pager leads back.
                let mut first = listing.clone();
                first.page = 1;
                entries(&mut tx, &filter, &parsed, &first).await?.1
            } else {
                total
            };
            tx.commit().await?;
            listing = listing.with_total(total);
            (rows, Vec::new())
        }
        Err(AppError::Validation(errors)) => (Vec::new(), errors),
        Err(other) => return Err(other),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = AuditPage {
        chrome: Chrome::signed_in("Audit trail", &principal, csrf, "/admin/audit"),
        filter,
        listing,
        rows,
        searched: errors.is_empty(),
        errors: errors.into(),
    };
    Ok((status, jar, render(&page)?).into_response())
}

/// `/admin/audit.csv`: the same as the trail's `format=csv`.
pub async fn export(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Response> {
    export_csv(&state, &principal, &query).await
}

/// Quotes a CSV cell, and defuses cells a spreadsheet would run as a formula. (The trail
/// sits below the domains, so it writes its own CSV rather than use `exports`.)
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Every entry the filters select (up to `EXPORT_LIMIT`), sorted as the page is, as CSV
/// with formula cells defused.
async fn export_csv(
    state: &AppState,
    principal: &Principal,
    query: &AuditQuery,
) -> AppResult<Response> {
    let filter = query.filter();
    let parsed = parse(&filter)?;
    let mut listing = query.listing(EXPORT_LIMIT);
    listing.page = 1;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (rows, _) = entries(&mut tx, &filter, &parsed, &listing).await?;
    tx.commit().await?;
    let mut csv = String::from(
        "seq,at,actor,actor_role,action,object_type,object_id,before,after,ip,request_id\n",
    );
    for r in &rows {
        let json =
            |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        let fields = [
            r.seq.map(|seq| seq.to_string()).unwrap_or_default(),
            r.at.to_string(),
            r.actor.clone().unwrap_or_default(),
            r.actor_role.clone().unwrap_or_default(),
            r.action.clone(),
            r.object_type.clone().unwrap_or_default(),
            r.object_id.clone().unwrap_or_default(),
            json(&r.before),
            json(&r.after),
            r.ip.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
        ];
        csv.push_str(&fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(","));
        csv.push('\n');
    }
    Ok(attachment(
        csv.into_bytes(),
        "text/csv; charset=utf-8",
        &format!("audit-{}.csv", principal.college_slug),
    ))
}

#[cfg(test)]
mod tests {
    use super::{cell, escape_like, order_of};

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "\"plain\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(escape_like("a_b%"), "a\\_b\\%");
    }

    #[test]
    fn every_sort_ends_in_the_entry_number() {
        for sort in ["at", "actor", "action", "password; --"] {
            assert_eq!(order_of(sort).last(), Some(&"a.id"));
        }
    }
}
