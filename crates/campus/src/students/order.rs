//! The students list of a whole college, at the cost of its page's rows at any depth.
//!
//! Sorting the college's students for each page (and counting them) grew with the
//! college. Each server instead remembers, per college and sort, every student's line
//! as the list shows it (number, name, program, year, status) in the order the database
//! sorted them, read in one statement; a page is then a run of it. What is remembered is
//! only as good as its version: the database bumps `student_list_versions` with every
//! change to what the list shows, orders or filters by (migration 0051), and each page
//! reads the version first, in one round trip to the database with the college set (so
//! under the tenant policy like every read), and reads the order again when it moved.
//!
//! Only for readers who reach the whole college and lists without search words: the
//! search's words and the narrower reaches select few students, sorted in SQL.

use std::sync::Arc;

use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::access::principal::Grant;
use crate::db::remembered::{Key, Remembered, STUDENTS};
use crate::db::{CollegeId, begin_for_college};
use crate::error::AppError;
use crate::students::model::{ListFilter, STATUSES, StudentLine};
use crate::web::list::Listing;

/// One student as the order keeps them.
struct Entry {
    id: Uuid,
    number: String,
    name: String,
    /// Index into `Order::programs`.
    program: u32,
    year: i16,
    /// Index into `STATUSES`.
    status: u8,
}

/// A college's students in one sort's ascending order, and its programs by code.
struct Order {
    version: i64,
    entries: Vec<Entry>,
    /// (id, code, "code name"), by code: the filter's choices.
    programs: Vec<(Uuid, String, String)>,
}

impl Order {
    fn line(&self, e: &Entry) -> StudentLine {
        StudentLine {
            id: e.id,
            student_number: e.number.clone(),
            name: e.name.clone(),
            program: self
                .programs
                .get(e.program as usize)
                .map(|p| p.2.clone())
                .unwrap_or_default(),
            year_of_study: e.year,
            status: STATUSES[usize::from(e.status)].to_string(),
        }
    }
}

/// A page of the list as the order gives it.
pub struct OrderedPage {
    pub lines: Vec<StudentLine>,
    pub total: i64,
    /// The programs to filter by, (code, "code name").
    pub programs: Vec<(String, String)>,
}

/// The filters as the order reads them; `None` when one is not valid (the list's SQL
/// path then names the problem).
struct Wanted {
    status: Option<u8>,
    program: Option<String>,
    year: Option<i16>,
}

impl Wanted {
    fn of(filter: &ListFilter) -> Option<Wanted> {
        let status = match filter.status.trim() {
            "" => None,
            s => Some(STATUSES.iter().position(|k| *k == s)? as u8),
        };
        let year = match filter.year.trim() {
            "" => None,
            y => Some(y.parse::<i16>().ok().filter(|y| (1..=10).contains(y))?),
        };
        let program = Some(filter.program.trim().to_uppercase()).filter(|p| !p.is_empty());
        Some(Wanted {
            status,
            program,
            year,
        })
    }
}

/// The page `listing` asks for, when the order serves it: a reader who reaches every
/// student, no search words, valid filters. `None` otherwise.
pub async fn page(
    pool: &PgPool,
    remembered: &Remembered,
    college: CollegeId,
    grant: &Grant,
    filter: &ListFilter,
    listing: &Listing,
) -> Result<Option<OrderedPage>, AppError> {
    if !filter.q.trim().is_empty() || !crate::access::reach::students(grant).reaches_all() {
        return Ok(None);
    }
    let Some(wanted) = Wanted::of(filter) else {
        return Ok(None);
    };
    let sort = sort_key(&listing.sort);
    let key = Key::new(STUDENTS, Some(college), sort);
    let now = version(pool, college).await?;
    let order = match remembered.get::<Order>(&key) {
        Some(order) if order.version == now => order,
        _ => {
            // One fill at a time: the requests that missed together wait for it rather
            // than each sorting the college again.
            let _filling = FILLING.lock().await;
            match remembered.get::<Order>(&key) {
                Some(order) if order.version >= now => order,
                _ => fill(pool, remembered, college, key, sort).await?,
            }
        }
    };
    let (entries, total) = slice(&order, &wanted, listing);
    Ok(Some(OrderedPage {
        lines: entries.into_iter().map(|e| order.line(e)).collect(),
        total,
        programs: order
            .programs
            .iter()
            .map(|(_, code, label)| (code.clone(), label.clone()))
            .collect(),
    }))
}

/// Held while an order is read from the database.
static FILLING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The list's version for the college: one round trip, the college set for the read as
/// for every tenant read (a simple query's statements share one transaction).
async fn version(pool: &PgPool, college: CollegeId) -> Result<i64, AppError> {
    let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SELECT set_config('app.college_id', '{}', true); \
         SELECT coalesce((SELECT version FROM student_list_versions), 0)",
        college.0.hyphenated()
    )))
    .fetch_all(pool)
    .await?;
    let last = rows.last().ok_or(AppError::NotFound)?;
    Ok(last.try_get::<i64, _>(0)?)
}

/// The sort's name as the order keys it (the list's default for anything else).
fn sort_key(sort: &str) -> &'static str {
    match sort {
        "number" => "number",
        "program" => "program",
        "year" => "year",
        "status" => "status",
        _ => "name",
    }
}

/// The entries of the page and the count of every student the filters select.
fn slice<'a>(order: &'a Order, wanted: &Wanted, listing: &Listing) -> (Vec<&'a Entry>, i64) {
    let program = match &wanted.program {
        None => None,
        Some(code) => match order.programs.iter().position(|(_, c, _)| c == code) {
            Some(i) => Some(i as u32),
            // An unknown program selects nobody.
            None => return (Vec::new(), 0),
        },
    };
    let (offset, limit) = (
        listing.offset().max(0) as usize,
        listing.limit().max(0) as usize,
    );
    let n = order.entries.len();
    if wanted.status.is_none() && program.is_none() && wanted.year.is_none() {
        // Unfiltered: the page is a run of the order, read without a scan.
        let page = (offset.min(n)..(offset + limit).min(n))
            .map(|i| &order.entries[if listing.desc { n - 1 - i } else { i }])
            .collect();
        return (page, n as i64);
    }
    let selected = |e: &&Entry| {
        wanted.status.is_none_or(|s| e.status == s)
            && program.is_none_or(|p| e.program == p)
            && wanted.year.is_none_or(|y| e.year == y)
    };
    let mut page = Vec::with_capacity(limit);
    let mut total = 0usize;
    let mut take = |e: &'a Entry| {
        if total >= offset && page.len() < limit {
            page.push(e);
        }
        total += 1;
    };
    if listing.desc {
        order
            .entries
            .iter()
            .rev()
            .filter(selected)
            .for_each(&mut take);
    } else {
        order.entries.iter().filter(selected).for_each(&mut take);
    }
    (page, total as i64)
}

/// Reads the college's order for `sort` (with the version, in the same statement) and
/// its programs, and remembers them.
async fn fill(
    pool: &PgPool,
    remembered: &Remembered,
    college: CollegeId,
    key: Key,
    sort: &'static str,
) -> Result<Arc<Order>, AppError> {
    let mut tx = begin_for_college(pool, college).await?;
    // One statement per sort, each checked at compile time; only the order differs.
    macro_rules! ordered {
        ($order:literal) => {
            sqlx::query!(
                r#"SELECT v.version AS "version!", st.id AS "id?", st.student_number AS "number?",
                          st.first_name || ' ' || st.last_name AS "name?", st.program_id AS "program_id?",
                          st.year_of_study AS "year?", st.status AS "status?"
                   FROM (SELECT coalesce((SELECT version FROM student_list_versions), 0) AS version) v
                   LEFT JOIN students st ON true
                   ORDER BY "# + $order
            )
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.version, r.id, r.number, r.name, r.program_id, r.year, r.status))
            .collect::<Vec<_>>()
        };
    }
    let read = match sort {
        "number" => ordered!("st.student_number, st.id"),
        "program" => ordered!(
            "(SELECT p.code || ' ' || p.name FROM programs p WHERE p.college_id = st.college_id \
             AND p.id = st.program_id), st.last_name, st.first_name, st.id"
        ),
        "year" => ordered!("st.year_of_study, st.last_name, st.first_name, st.id"),
        "status" => ordered!("st.status, st.last_name, st.first_name, st.id"),
        _ => ordered!("st.last_name, st.first_name, st.id"),
    };
    let programs: Vec<(i64, Uuid, String, String)> = sqlx::query!(
        r#"SELECT coalesce((SELECT version FROM student_list_versions), 0) AS "version!",
                  id, code, code || ' ' || name AS "label!"
           FROM programs ORDER BY code"#
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.version, r.id, r.code, r.label))
    .collect();
    tx.commit().await?;
    let version = read.first().map_or(0, |r| r.0);
    let place: std::collections::HashMap<Uuid, u32> = programs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.1, i as u32))
        .collect();
    let entries = read
        .into_iter()
        .filter_map(|(_, id, number, name, program, year, status)| {
            Some(Entry {
                id: id?,
                number: number?,
                name: name.unwrap_or_default(),
                program: program
                    .and_then(|p| place.get(&p).copied())
                    .unwrap_or(u32::MAX),
                year: year?,
                status: STATUSES
                    .iter()
                    .position(|s| Some(*s) == status.as_deref())? as u8,
            })
        })
        .collect();
    // The two statements saw the same list when they saw the same version.
    let consistent = programs.first().is_none_or(|p| p.0 == version);
    let order = Arc::new(Order {
        version,
        entries,
        programs: programs
            .into_iter()
            .map(|(_, id, code, label)| (id, code, label))
            .collect(),
    });
    if consistent {
        remembered.keep(key, order.clone());
    }
    Ok(order)
}
