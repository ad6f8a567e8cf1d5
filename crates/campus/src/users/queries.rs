//! The users list in the database: the filters the administration page and the API share
//! (words of a name or email, status, role), and the sorted, counted list the page shows
//! and exports.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::users::model::{Status, UserView};
use crate::web::list::Listing;

/// A user as lists show them, with their roles; the conditions follow `WHERE`.
pub(crate) const COLUMNS: &str = "SELECT u.id, u.email::text AS email, u.display_name, u.status, \
    ARRAY(SELECT r.role FROM role_assignments r WHERE r.college_id = u.college_id \
          AND r.user_id = u.id ORDER BY r.role) AS roles, \
    u.last_login_at, u.created_at";

/// `FROM users u WHERE ...`: the filters given, every value bound. Only the filters given
/// become SQL, so each query gets a plan of its own shape (a generic plan of "$1 IS NULL
/// OR ..." would read every account).
pub(crate) fn push_filters(
    q: &mut QueryBuilder<Postgres>,
    search: &str,
    status: Option<Status>,
    role: Option<&str>,
) {
    q.push(" FROM users u WHERE u.college_id = app_current_college()");
    let search = search.trim();
    if !search.is_empty() {
        let pattern = format!(
            "%{}%",
            search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (u.email::text || ' ' || u.display_name) ILIKE ")
            .push_bind(pattern);
    }
    if let Some(status) = status {
        q.push(" AND u.status = ").push_bind(status.as_str());
    }
    if let Some(role) = role {
        q.push(
            " AND EXISTS (SELECT 1 FROM role_assignments x \
                WHERE x.college_id = u.college_id AND x.user_id = u.id AND x.role = ",
        )
        .push_bind(role.to_string())
        .push(")");
    }
}

/// A line of the list with the count of every line its filters select.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    user: UserView,
    total: i64,
}

/// The columns the users list sorts by, the first its default.
pub const SORTABLE: [&str; 4] = ["email", "name", "status", "last_sign_in"];

/// The fixed order of a sort key, each ending in a unique tie-breaker.
fn order_of(sort: &str) -> &'static [&'static str] {
    match sort {
        "name" => &["u.display_name", "u.email", "u.id"],
        "status" => &["u.status", "u.email", "u.id"],
        "last_sign_in" => &["u.last_login_at", "u.email", "u.id"],
        _ => &["u.email", "u.id"],
    }
}

/// One page of the users list (or, for its CSV, the first `listing.limit()` lines),
/// sorted as `listing` says, with the count of every user the filters select (in the
/// same statement).
pub async fn list(
    conn: &mut PgConnection,
    search: &str,
    status: Option<Status>,
    role: Option<&str>,
    listing: &Listing,
) -> Result<(Vec<UserView>, i64), sqlx::Error> {
    let mut q = QueryBuilder::new(format!("{COLUMNS}, count(*) OVER () AS total"));
    push_filters(&mut q, search, status, role);
    q.push(" ORDER BY ");
    for (i, column) in order_of(&listing.sort).iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push(*column).push(" ").push(listing.direction());
        if *column == "u.last_login_at" {
            // Who never signed in comes last either way.
            q.push(" NULLS LAST");
        }
    }
    q.push(" LIMIT ")
        .push_bind(listing.limit())
        .push(" OFFSET ")
        .push_bind(listing.offset());
    let rows: Vec<Counted> = q.build_query_as().fetch_all(conn).await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows.into_iter().map(|r| r.user).collect(), total))
}
