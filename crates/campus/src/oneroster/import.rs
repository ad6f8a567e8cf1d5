//! Importing a OneRoster 1.1 or 1.2 bulk archive: school years and terms, courses,
//! classes (sections), users (students, teachers, parents and guardians, linked by
//! their agents), enrollments and demographics (birth dates). Every row is checked
//! first; problems are named by file, line and column, and the import then writes all
//! or nothing. OneRoster's `sourcedId`s are kept beside Campus's records, so a second
//! import of the same archive updates instead of duplicating.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, AuditContext, Entry};
use crate::error::AppError;
use crate::oneroster::archive;
use crate::oneroster::table::{Problem, Table};

const MAX_LISTED: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub preview: bool,
    /// The program (code) new students join: OneRoster has no programs.
    pub program: String,
    /// The department (code) of courses and teachers whose org is not a known department.
    pub department: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, Default)]
pub struct Report {
    /// `1.1` or `1.2`, from the manifest.
    pub version: String,
    pub years_new: usize,
    pub terms_new: usize,
    pub courses_new: usize,
    pub sections_new: usize,
    pub students_new: usize,
    pub students_existing: usize,
    pub staff_new: usize,
    pub guardians_new: usize,
    pub links_new: usize,
    pub enrollments: usize,
    pub teaching: usize,
    /// Enrollments a delta archive marks `tobedeleted`, dropped.
    pub dropped: usize,
    /// Accounts of users a delta archive marks `tobedeleted`, deactivated.
    pub deactivated: usize,
    /// Files and rows Campus leaves alone (grading periods, resources, user profiles...).
    pub ignored: Vec<String>,
    pub problem_count: usize,
    /// The first 500 problems.
    pub problems: Vec<Problem>,
    pub committed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Student,
    Teacher,
    Staff,
    Guardian,
}

fn kind_of(role: &str) -> Option<Kind> {
    match role {
        "student" => Some(Kind::Student),
        "teacher" => Some(Kind::Teacher),
        "administrator"
        | "aide"
        | "proctor"
        | "districtAdministrator"
        | "siteAdministrator"
        | "principal"
        | "systemAdministrator" => Some(Kind::Staff),
        "parent" | "guardian" | "relative" => Some(Kind::Guardian),
        _ => None,
    }
}

/// A date as exporters write them: `2023-05-01`, with a time after it
/// (`2023-05-01T18:25:43.511Z`, `2017-05-06 08:01:05`), or `M/D/YYYY` as US exporters
/// write it (`D/M/YYYY` when the first number cannot be a month).
fn date(text: &str) -> Option<Date> {
    let text = text.trim();
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    if let Some(found) = text.get(..10).and_then(|head| Date::parse(head, &iso).ok()) {
        return Some(found);
    }
    let day_part = text.split([' ', 'T']).next().unwrap_or(text);
    let parts: Vec<u32> = day_part
        .split('/')
        .map(|p| p.parse::<u32>().ok())
        .collect::<Option<Vec<_>>>()?;
    let [first, second, year] = parts[..] else {
        return None;
    };
    let (month, day) = if first > 12 {
        (second, first)
    } else {
        (first, second)
    };
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// A Campus number (student, staff) from an exporter's identifier or username, which may
/// be `mary.jones` or an email: letters and digits kept, anything else a dash, an
/// email's domain dropped.
fn number_from(text: &str) -> String {
    let local = text.trim().split('@').next().unwrap_or_default();
    let mut out = String::new();
    for c in code(local).chars() {
        if c.is_ascii_uppercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(30).collect()
}

/// A OneRoster identifier as a Campus code (upper case, spaces to dashes).
fn code(text: &str) -> String {
    text.trim()
        .to_uppercase()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c == '_' {
                '-'
            } else {
                c
            }
        })
        .collect()
}

fn valid_number(text: &str) -> bool {
    (3..=30).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Text a spreadsheet would run as a formula.
fn formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[derive(Default)]
struct Plan {
    years: Vec<(Uuid, String, Date, Date, String)>,
    terms: Vec<(Uuid, Uuid, String, Date, Date, String)>,
    courses: Vec<(Uuid, Uuid, String, String, String, bool)>,
    sections: Vec<(Uuid, Uuid, Uuid, String, String, bool)>,
    students: Vec<PlannedStudent>,
    staff: Vec<PlannedStaff>,
    guardians: Vec<PlannedGuardian>,
    links: Vec<(Uuid, Uuid)>,
    enrollments: Vec<(Uuid, Uuid)>,
    teaching: Vec<(Uuid, Uuid)>,
    dropped: Vec<(Uuid, Uuid)>,
    untaught: Vec<(Uuid, Uuid)>,
    deactivate: Vec<Uuid>,
    /// `dateLastModified` of the rows applied, by (file, sourcedId).
    modified: HashMap<(String, String), OffsetDateTime>,
}

/// Whether a row says its object is gone from the source system (`status` is
/// `tobedeleted`, as delta archives send it).
fn deleted(table: &Table, row: &crate::oneroster::table::Row) -> bool {
    table.get(row, "status").eq_ignore_ascii_case("tobedeleted")
}

struct PlannedStudent {
    id: Uuid,
    new: bool,
    sourced: String,
    number: String,
    first: String,
    last: String,
    email: Option<String>,
    phone: Option<String>,
    born: Option<Date>,
}

struct PlannedStaff {
    id: Uuid,
    new: bool,
    sourced: String,
    number: String,
    first: String,
    last: String,
    email: Option<String>,
    teacher: bool,
}

struct PlannedGuardian {
    id: Uuid,
    new: bool,
    sourced: String,
    first: String,
    last: String,
    email: Option<String>,
    phone: Option<String>,
}

/// Campus records already matched to OneRoster ids, by (kind, sourcedId).
async fn known_ids(
    conn: &mut PgConnection,
) -> Result<HashMap<(String, String), (Uuid, Option<OffsetDateTime>)>, sqlx::Error> {
    let rows: Vec<(String, String, Uuid, Option<OffsetDateTime>)> =
        sqlx::query!("SELECT kind, sourced_id, campus_id, modified_at FROM oneroster_ids")
            .fetch_all(conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.kind, r.sourced_id, r.campus_id, r.modified_at))
                    .collect::<Vec<_>>()
            })?;
    Ok(rows
        .into_iter()
        .map(|(k, s, c, m)| ((k, s), (c, m)))
        .collect())
}

/// The file a kind of Campus record comes from.
fn file_of(kind: &str) -> &'static str {
    match kind {
        "academic_year" | "term" => "academicSessions.csv",
        "course" => "courses.csv",
        "section" => "classes.csv",
        _ => "users.csv",
    }
}

/// `dateLastModified` as exporters write it: RFC 3339 (`2023-05-01T18:25:43.511Z`), a
/// date and time without a zone (taken as UTC), or a date.
fn modified(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Some(at);
    }
    let plain = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    if let Ok(at) = time::PrimitiveDateTime::parse(text.get(..19).unwrap_or(text), &plain) {
        return Some(at.assume_utc());
    }
    date(text).map(|d| d.midnight().assume_utc())
}

/// Checks the archive and, unless previewing or a problem stops it, writes it all.
pub async fn run(
    conn: &mut PgConnection,
    context: &AuditContext,
    bytes: &[u8],
    options: &Options,
) -> Result<Report, AppError> {
    let archive = archive::read(bytes)?;
    let mut problems = Vec::new();
    let mut report = Report {
        ignored: archive.ignored.clone(),
        ..Report::default()
    };
    let manifest = Table::read(
        "manifest.csv",
        &archive.files["manifest.csv"],
        &["propertyName", "value"],
        &mut problems,
    );
    let mut properties = HashMap::new();
    for row in &manifest.rows {
        properties.insert(
            manifest.get(row, "propertyName").to_string(),
            (row.line, manifest.get(row, "value").to_string()),
        );
    }
    let version = properties
        .get("oneroster.version")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if !["1.1", "1.2"].contains(&version.as_str()) {
        problems.push(Problem {
            file: "manifest.csv".into(),
            line: properties.get("oneroster.version").map_or(0, |(l, _)| *l),
            column: "value".into(),
            message: format!("oneroster.version must be 1.1 or 1.2, not `{version}`"),
        });
    }
    report.version = version.clone();
    let v12 = version == "1.2";
    let mut present: HashMap<&str, &str> = HashMap::new();
    for file in archive::FILES.iter().skip(1) {
        let stem = file.trim_end_matches(".csv");
        let mode = properties
            .get(&format!("file.{stem}"))
            .map_or("", |(_, v)| v.as_str());
        let (line, _) = properties
            .get(&format!("file.{stem}"))
            .cloned()
            .unwrap_or_default();
        match (mode, archive.files.get(*file)) {
            ("bulk" | "delta", None) => problems.push(Problem {
                file: "manifest.csv".into(),
                line,
                column: "value".into(),
                message: format!("file.{stem} is {mode} but {file} is not in the archive"),
            }),
            ("absent", Some(_)) => report
                .ignored
                .push(format!("{file} (absent in the manifest)")),
            (_, Some(text)) => {
                present.insert(file, text.as_str());
            }
            _ => {}
        }
    }
    for file in ["userProfiles.csv", "resources.csv"] {
        if present.remove(file).is_some() {
            report.ignored.push(file.into());
        }
    }

    let programs: HashMap<String, Uuid> =
        sqlx::query_as::<_, (String, Uuid)>("SELECT code, id FROM programs")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let departments: Vec<(Uuid, String, String)> =
        sqlx::query!("SELECT id, code, lower(name) AS \"name!\" FROM departments ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.id, r.code, r.name))
                    .collect::<Vec<_>>()
            })?;
    let default_department = if options.department.trim().is_empty() {
        departments.first().map(|d| d.0)
    } else {
        departments
            .iter()
            .find(|d| d.1 == code(&options.department))
            .map(|d| d.0)
    };
    let known = known_ids(conn).await?;
    let known_of = |kind: &str, sourced: &str| {
        known
            .get(&(kind.to_string(), sourced.to_string()))
            .map(|(id, _)| *id)
    };
    // A row is stale when Campus already has this object as modified at or after the
    // row's `dateLastModified` (an older delta, or the same archive again).
    let stale = |table: &Table, row: &crate::oneroster::table::Row| {
        let Some(at) = modified(table.get(row, "dateLastModified")) else {
            return false;
        };
        let sourced = table.get(row, "sourcedId");
        known.iter().any(|((kind, id), (_, stored))| {
            id == sourced && file_of(kind) == table.file && stored.is_some_and(|stored| stored > at)
        })
    };
    let mut plan = Plan::default();
    // Rows a delta archive marks `tobedeleted` for records Campus keeps with their
    // history (years, terms, courses, classes): left as they are, and reported.
    let mut kept_back: std::collections::BTreeMap<&str, usize> = Default::default();
    let read = |file: &str, required: &[&str], problems: &mut Vec<Problem>| {
        present
            .get(file)
            .map(|text| Table::read(file, text, required, problems))
    };

    // Orgs: departments are matched to Campus's by code or name; the rest are context.
    let mut org_departments: HashMap<String, Uuid> = HashMap::new();
    if let Some(orgs) = read("orgs.csv", &["sourcedId", "name", "type"], &mut problems) {
        for row in &orgs.rows {
            if deleted(&orgs, row) {
                *kept_back.entry("orgs.csv").or_default() += 1;
                continue;
            }
            if stale(&orgs, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(orgs.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (orgs.file.clone(), orgs.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            if orgs.get(row, "type") == "department" {
                let identifier = code(orgs.get(row, "identifier"));
                let name = orgs.get(row, "name").to_lowercase();
                if let Some(d) = departments
                    .iter()
                    .find(|d| d.1 == identifier || d.2 == name)
                {
                    org_departments.insert(orgs.get(row, "sourcedId").to_string(), d.0);
                }
            }
        }
    }

    // Academic sessions: school years, then the terms inside them.
    let mut years: HashMap<String, Uuid> = HashMap::new();
    let mut terms: HashMap<String, Uuid> = HashMap::new();
    if let Some(sessions) = read(
        "academicSessions.csv",
        &["sourcedId", "title", "type", "startDate", "endDate"],
        &mut problems,
    ) {
        let existing_years: Vec<(Uuid, String, Date, Date)> =
            sqlx::query!("SELECT id, name, starts_on, ends_on FROM academic_years")
                .fetch_all(&mut *conn)
                .await
                .map(|v| {
                    v.into_iter()
                        .map(|r| (r.id, r.name, r.starts_on, r.ends_on))
                        .collect::<Vec<_>>()
                })?;
        let existing_terms: Vec<(Uuid, Uuid, String, Date, Date)> =
            sqlx::query!("SELECT id, academic_year_id, name, starts_on, ends_on FROM terms")
                .fetch_all(&mut *conn)
                .await
                .map(|v| {
                    v.into_iter()
                        .map(|r| (r.id, r.academic_year_id, r.name, r.starts_on, r.ends_on))
                        .collect::<Vec<_>>()
                })?;
        let mut grading_periods = 0;
        for pass in ["schoolYear", "term"] {
            for row in &sessions.rows {
                if deleted(&sessions, row) {
                    *kept_back.entry("academicSessions.csv").or_default() += 1;
                    continue;
                }
                if stale(&sessions, row) {
                    *kept_back.entry("older rows").or_default() += 1;
                    continue;
                }
                if let Some(at) = modified(sessions.get(row, "dateLastModified")) {
                    plan.modified.insert(
                        (
                            sessions.file.clone(),
                            sessions.get(row, "sourcedId").to_string(),
                        ),
                        at,
                    );
                }
                let kind = sessions.get(row, "type");
                let sourced = sessions.get(row, "sourcedId").to_string();
                let is_year = kind == "schoolYear";
                if (pass == "schoolYear") != is_year {
                    continue;
                }
                if kind == "gradingPeriod" {
                    grading_periods += 1;
                    continue;
                }
                if !["schoolYear", "term", "semester"].contains(&kind) {
                    problems.push(sessions.problem(
                        row,
                        "type",
                        format!("`{kind}` is not schoolYear, term, semester or gradingPeriod"),
                    ));
                    continue;
                }
                let title = sessions.get(row, "title").to_string();
                let (Some(starts), Some(ends)) = (
                    date(sessions.get(row, "startDate")),
                    date(sessions.get(row, "endDate")),
                ) else {
                    problems.push(sessions.problem(
                        row,
                        "startDate",
                        "startDate and endDate must be dates such as 2026-07-01",
                    ));
                    continue;
                };
                if ends <= starts || !(2..=60).contains(&title.chars().count()) || formula(&title) {
                    problems.push(sessions.problem(
                        row,
                        "title",
                        "needs a title of 2 to 60 characters and an end after its start",
                    ));
                    continue;
                }
                if is_year {
                    let found = known_of("academic_year", &sourced).or_else(|| {
                        existing_years
                            .iter()
                            .find(|y| y.1 == title || (y.2 == starts && y.3 == ends))
                            .map(|y| y.0)
                    });
                    let id = match found {
                        Some(id) => id,
                        None => {
                            if let Some(clash) =
                                existing_years.iter().find(|y| y.2 <= ends && starts <= y.3)
                            {
                                problems.push(sessions.problem(
                                    row,
                                    "startDate",
                                    format!("overlaps the school year {}", clash.1),
                                ));
                                continue;
                            }
                            let id = Uuid::new_v4();
                            plan.years
                                .push((id, title.clone(), starts, ends, sourced.clone()));
                            id
                        }
                    };
                    years.insert(sourced, id);
                } else {
                    let parent = sessions.get(row, "parentSourcedId");
                    let year = years
                        .get(parent)
                        .copied()
                        .or_else(|| known_of("academic_year", parent))
                        .or_else(|| {
                            existing_years
                                .iter()
                                .find(|y| y.2 <= starts && ends <= y.3)
                                .map(|y| y.0)
                        });
                    // A term with no parent (optional in the spec) gets a school year of
                    // its own dates, unless that would overlap one Campus has.
                    let year = match year {
                        Some(year) => year,
                        None if parent.is_empty()
                            && !existing_years.iter().any(|y| y.2 <= ends && starts <= y.3) =>
                        {
                            let id = Uuid::new_v4();
                            plan.years.push((
                                id,
                                format!("{}-{}", starts.year(), ends.year()),
                                starts,
                                ends,
                                format!("{sourced}#year"),
                            ));
                            years.insert(format!("{sourced}#year"), id);
                            id
                        }
                        None => {
                            problems.push(sessions.problem(
                                row,
                                "parentSourcedId",
                                "names no school year of the archive or of Campus",
                            ));
                            continue;
                        }
                    };
                    let found = known_of("term", &sourced).or_else(|| {
                        existing_terms
                            .iter()
                            .find(|t| {
                                t.1 == year && (t.2 == title || (t.3 == starts && t.4 == ends))
                            })
                            .map(|t| t.0)
                    });
                    let id = match found {
                        Some(id) => id,
                        None => {
                            let clash = existing_terms
                                .iter()
                                .map(|t| (&t.2, t.3, t.4))
                                .chain(plan.terms.iter().map(|t| (&t.2, t.3, t.4)))
                                .find(|t| t.1 <= ends && starts <= t.2)
                                .map(|t| t.0.clone());
                            if let Some(clash) = clash {
                                problems.push(sessions.problem(
                                    row,
                                    "startDate",
                                    format!("overlaps the term {clash}"),
                                ));
                                continue;
                            }
                            let id = Uuid::new_v4();
                            plan.terms.push((
                                id,
                                year,
                                title.clone(),
                                starts,
                                ends,
                                sourced.clone(),
                            ));
                            id
                        }
                    };
                    terms.insert(sourced, id);
                }
            }
        }
        if grading_periods > 0 {
            report
                .ignored
                .push(format!("{grading_periods} grading periods"));
        }
    }

    // Courses.
    let mut courses: HashMap<String, Uuid> = HashMap::new();
    if let Some(table) = read(
        "courses.csv",
        &["sourcedId", "title", "orgSourcedId"],
        &mut problems,
    ) {
        let existing: HashMap<String, Uuid> =
            sqlx::query_as::<_, (String, Uuid)>("SELECT code, id FROM courses")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let mut seen = HashSet::new();
        for row in &table.rows {
            if deleted(&table, row) {
                *kept_back.entry("courses.csv").or_default() += 1;
                continue;
            }
            if stale(&table, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(table.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (table.file.clone(), table.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            let sourced = table.get(row, "sourcedId").to_string();
            let title = table.get(row, "title").to_string();
            // Exporters may leave the optional courseCode empty: the course's sourcedId
            // then serves as its code.
            let given_code = match table.get(row, "courseCode") {
                "" => table.get(row, "sourcedId"),
                given => given,
            };
            let course_code = number_from(given_code);
            let code_ok = course_code.len() >= 2
                && course_code.len() <= 20
                && course_code.starts_with(|c: char| c.is_ascii_uppercase())
                && course_code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if !code_ok {
                problems.push(table.problem(
                    row,
                    "courseCode",
                    format!("`{given_code}` is not a course code such as CS101"),
                ));
                continue;
            }
            if !seen.insert(course_code.clone()) {
                problems.push(table.problem(
                    row,
                    "courseCode",
                    format!("{course_code} appears twice"),
                ));
                continue;
            }
            if !(2..=200).contains(&title.chars().count()) || formula(&title) {
                problems.push(table.problem(row, "title", "must be 2 to 200 plain characters"));
                continue;
            }
            let department = org_departments
                .get(table.get(row, "orgSourcedId"))
                .copied()
                .or(default_department);
            let Some(department) = department else {
                problems.push(table.problem(
                    row,
                    "orgSourcedId",
                    "is no department of Campus; choose a default department",
                ));
                continue;
            };
            let found =
                known_of("course", &sourced).or_else(|| existing.get(&course_code).copied());
            let id = found.unwrap_or_else(Uuid::new_v4);
            plan.courses.push((
                id,
                department,
                course_code,
                title,
                sourced.clone(),
                found.is_none(),
            ));
            courses.insert(sourced, id);
        }
    }

    // Classes become sections.
    let mut sections: HashMap<String, Uuid> = HashMap::new();
    if let Some(table) = read(
        "classes.csv",
        &["sourcedId", "title", "courseSourcedId", "termSourcedIds"],
        &mut problems,
    ) {
        let existing: HashMap<(Uuid, Uuid, String), Uuid> =
            sqlx::query_as::<_, (Uuid, Uuid, String, Uuid)>(
                "SELECT course_id, term_id, code, id FROM sections",
            )
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(c, t, s, id)| ((c, t, s), id))
            .collect();
        let course_codes: HashMap<String, Uuid> =
            sqlx::query_as::<_, (String, Uuid)>("SELECT code, id FROM courses")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        for row in &table.rows {
            if deleted(&table, row) {
                *kept_back.entry("classes.csv").or_default() += 1;
                continue;
            }
            if stale(&table, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(table.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (table.file.clone(), table.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            let sourced = table.get(row, "sourcedId").to_string();
            let course_sourced = table.get(row, "courseSourcedId").to_string();
            let found = courses
                .get(&course_sourced)
                .copied()
                .or_else(|| known_of("course", &course_sourced));
            // A class whose course is not in the archive (exporters send classes alone):
            // its course is made from the class, coded by the course's sourcedId.
            let course = match (found, default_department) {
                (Some(course), _) => course,
                (None, Some(department)) if !course_sourced.is_empty() => {
                    let course_code = number_from(&course_sourced);
                    let title = table.get(row, "title").to_string();
                    let usable = (2..=20).contains(&course_code.len())
                        && course_code.starts_with(|c: char| c.is_ascii_uppercase())
                        && (2..=200).contains(&title.chars().count())
                        && !formula(&title);
                    if !usable {
                        problems.push(table.problem(
                            row,
                            "courseSourcedId",
                            format!(
                                "names no course of the archive or of Campus ({course_sourced})"
                            ),
                        ));
                        continue;
                    }
                    let existing = known_of("course", &course_sourced)
                        .or_else(|| course_codes.get(&course_code).copied());
                    let id = existing.unwrap_or_else(Uuid::new_v4);
                    plan.courses.push((
                        id,
                        department,
                        course_code,
                        title,
                        course_sourced.clone(),
                        existing.is_none(),
                    ));
                    courses.insert(course_sourced.clone(), id);
                    id
                }
                (None, _) => {
                    problems.push(table.problem(
                        row,
                        "courseSourcedId",
                        format!("names no course ({course_sourced}); choose a default department to make it from the class"),
                    ));
                    continue;
                }
            };
            let term = table
                .get(row, "termSourcedIds")
                .split(',')
                .map(str::trim)
                .find_map(|t| terms.get(t).copied().or_else(|| known_of("term", t)));
            let Some(term) = term else {
                problems.push(table.problem(
                    row,
                    "termSourcedIds",
                    "names no term of the archive or of Campus",
                ));
                continue;
            };
            let raw = table.get(row, "classCode");
            let section_code = if raw.is_empty() {
                "A".to_string()
            } else {
                code(raw)
            };
            let code_ok = (1..=10).contains(&section_code.len())
                && section_code.starts_with(|c: char| c.is_ascii_alphanumeric())
                && section_code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if !code_ok {
                problems.push(table.problem(
                    row,
                    "classCode",
                    "must be up to 10 letters, digits or dashes",
                ));
                continue;
            }
            let found = known_of("section", &sourced)
                .or_else(|| existing.get(&(course, term, section_code.clone())).copied());
            let id = found.unwrap_or_else(Uuid::new_v4);
            plan.sections.push((
                id,
                course,
                term,
                section_code,
                sourced.clone(),
                found.is_none(),
            ));
            sections.insert(sourced, id);
        }
    }

    // Users, with their role from users.csv (1.1) or roles.csv (1.2).
    let mut roles_of: HashMap<String, String> = HashMap::new();
    if v12
        && let Some(table) = read(
            "roles.csv",
            &["sourcedId", "userSourcedId", "roleType", "role"],
            &mut problems,
        )
    {
        for row in &table.rows {
            if deleted(&table, row) {
                *kept_back.entry("roles.csv").or_default() += 1;
                continue;
            }
            if stale(&table, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(table.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (table.file.clone(), table.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            let user = table.get(row, "userSourcedId").to_string();
            if table.get(row, "roleType") == "primary" || !roles_of.contains_key(&user) {
                roles_of.insert(user, table.get(row, "role").to_string());
            }
        }
    }
    let mut births: HashMap<String, Date> = HashMap::new();
    if let Some(table) = read("demographics.csv", &["sourcedId"], &mut problems) {
        for row in &table.rows {
            if deleted(&table, row) {
                *kept_back.entry("demographics.csv").or_default() += 1;
                continue;
            }
            if stale(&table, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(table.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (table.file.clone(), table.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            let text = table.get(row, "birthDate");
            if text.is_empty() {
                continue;
            }
            match date(text) {
                Some(d) => {
                    births.insert(table.get(row, "sourcedId").to_string(), d);
                }
                None => problems.push(table.problem(
                    row,
                    "birthDate",
                    format!("`{text}` is not a date such as 2008-04-30"),
                )),
            }
        }
    }
    let mut users: HashMap<String, (Kind, Uuid)> = HashMap::new();
    let mut agents: Vec<(String, String)> = Vec::new();
    let required: &[&str] = if v12 {
        &[
            "sourcedId",
            "enabledUser",
            "username",
            "givenName",
            "familyName",
        ]
    } else {
        &[
            "sourcedId",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "givenName",
            "familyName",
        ]
    };
    if let Some(table) = read("users.csv", required, &mut problems) {
        let program = programs.get(&code(&options.program)).copied();
        let numbers: HashMap<String, Uuid> =
            sqlx::query_as::<_, (String, Uuid)>("SELECT student_number, id FROM students")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let staff_numbers: HashMap<String, Uuid> =
            sqlx::query_as::<_, (String, Uuid)>("SELECT staff_number, id FROM staff")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
        let guardian_emails: HashMap<String, Uuid> = sqlx::query_as::<_, (String, Uuid)>(
            "SELECT lower(email::text), id FROM guardians WHERE email IS NOT NULL",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        let mut seen_numbers = HashSet::new();
        let mut missing_program = false;
        for row in &table.rows {
            if deleted(&table, row) {
                let sourced = table.get(row, "sourcedId");
                let known = known_of("student", sourced)
                    .or_else(|| known_of("staff", sourced))
                    .or_else(|| known_of("guardian", sourced));
                match known {
                    Some(id) => plan.deactivate.push(id),
                    None => *kept_back.entry("users.csv").or_default() += 1,
                }
                continue;
            }
            if stale(&table, row) {
                *kept_back.entry("older rows").or_default() += 1;
                continue;
            }
            if let Some(at) = modified(table.get(row, "dateLastModified")) {
                plan.modified.insert(
                    (table.file.clone(), table.get(row, "sourcedId").to_string()),
                    at,
                );
            }
            let sourced = table.get(row, "sourcedId").to_string();
            let role = if v12 {
                roles_of.get(&sourced).cloned().unwrap_or_default()
            } else {
                table.get(row, "role").to_string()
            };
            let Some(kind) = kind_of(&role) else {
                let column = if v12 { "sourcedId" } else { "role" };
                problems.push(table.problem(
                    row,
                    column,
                    format!("has no role Campus knows (`{role}`)"),
                ));
                continue;
            };
            let first = table.get(row, "givenName").to_string();
            let last = table.get(row, "familyName").to_string();
            let mut bad = false;
            for (column, value) in [("givenName", &first), ("familyName", &last)] {
                if !(1..=100).contains(&value.chars().count()) || formula(value) {
                    problems.push(table.problem(row, column, "must be 1 to 100 plain characters"));
                    bad = true;
                }
            }
            let email_text = table.get(row, "email");
            let email = if email_text.is_empty() {
                None
            } else {
                match crate::people::model::Email::parse("email", email_text) {
                    Ok(e) => Some(e.as_str().to_lowercase()),
                    Err(e) => {
                        problems.push(table.problem(row, "email", e.message));
                        bad = true;
                        None
                    }
                }
            };
            let phone = [table.get(row, "phone"), table.get(row, "sms")]
                .into_iter()
                .find(|p| !p.is_empty())
                .filter(|p| p.chars().count() <= 40 && !p.starts_with(['=', '@']))
                .map(str::to_string);
            for agent in table
                .get(row, "agentSourcedIds")
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
            {
                agents.push((sourced.clone(), agent.to_string()));
            }
            let identifier = table.get(row, "identifier");
            let number = number_from(if identifier.is_empty() {
                table.get(row, "username")
            } else {
                identifier
            });
            match kind {
                Kind::Student | Kind::Teacher | Kind::Staff if !valid_number(&number) => {
                    problems.push(table.problem(row, "identifier", format!("`{number}` cannot be a Campus number (3 to 30 letters, digits or dashes)")));
                    continue;
                }
                Kind::Student | Kind::Teacher | Kind::Staff
                    if !seen_numbers.insert((kind == Kind::Student, number.clone())) =>
                {
                    problems.push(table.problem(
                        row,
                        "identifier",
                        format!("{number} appears twice"),
                    ));
                    continue;
                }
                _ => {}
            }
            if bad {
                continue;
            }
            match kind {
                Kind::Student => {
                    let found =
                        known_of("student", &sourced).or_else(|| numbers.get(&number).copied());
                    if found.is_none() && program.is_none() {
                        missing_program = true;
                    }
                    let id = found.unwrap_or_else(Uuid::new_v4);
                    plan.students.push(PlannedStudent {
                        id,
                        new: found.is_none(),
                        sourced: sourced.clone(),
                        number,
                        first,
                        last,
                        email,
                        phone,
                        born: births.get(&sourced).copied(),
                    });
                    users.insert(sourced, (kind, id));
                }
                Kind::Teacher | Kind::Staff => {
                    let found =
                        known_of("staff", &sourced).or_else(|| staff_numbers.get(&number).copied());
                    let id = found.unwrap_or_else(Uuid::new_v4);
                    plan.staff.push(PlannedStaff {
                        id,
                        new: found.is_none(),
                        sourced: sourced.clone(),
                        number,
                        first,
                        last,
                        email,
                        teacher: kind == Kind::Teacher,
                    });
                    users.insert(sourced, (kind, id));
                }
                Kind::Guardian => {
                    let found = known_of("guardian", &sourced)
                        .or_else(|| email.as_ref().and_then(|e| guardian_emails.get(e).copied()));
                    let id = found.unwrap_or_else(Uuid::new_v4);
                    plan.guardians.push(PlannedGuardian {
                        id,
                        new: found.is_none(),
                        sourced: sourced.clone(),
                        first,
                        last,
                        email,
                        phone,
                    });
                    users.insert(sourced, (kind, id));
                }
            }
        }
        if missing_program {
            problems.push(Problem {
                file: "users.csv".into(),
                line: 0,
                column: "role".into(),
                message:
                    "new students need a program: choose the program they join (OneRoster has none)"
                        .into(),
            });
        }
    }
    // Agents link students and their parents, whichever side names the other.
    let mut linked = HashSet::new();
    for (a, b) in &agents {
        let pair = match (users.get(a), users.get(b)) {
            (Some((Kind::Student, s)), Some((Kind::Guardian, g)))
            | (Some((Kind::Guardian, g)), Some((Kind::Student, s))) => Some((*s, *g)),
            _ => None,
        };
        if let Some(pair) = pair
            && linked.insert(pair)
        {
            plan.links.push(pair);
        }
    }

    if let Some(table) = read(
        "enrollments.csv",
        &["sourcedId", "classSourcedId", "userSourcedId", "role"],
        &mut problems,
    ) {
        for row in &table.rows {
            let class = table.get(row, "classSourcedId");
            let Some(section) = sections
                .get(class)
                .copied()
                .or_else(|| known_of("section", class))
            else {
                problems.push(table.problem(
                    row,
                    "classSourcedId",
                    format!("names no class ({class})"),
                ));
                continue;
            };
            let user = table.get(row, "userSourcedId");
            let found = users.get(user).copied().or_else(|| {
                known_of("student", user)
                    .map(|id| (Kind::Student, id))
                    .or_else(|| known_of("staff", user).map(|id| (Kind::Teacher, id)))
            });
            let gone = deleted(&table, row);
            match (table.get(row, "role"), found) {
                ("student", Some((Kind::Student, student))) if gone => {
                    plan.dropped.push((section, student))
                }
                ("teacher", Some((Kind::Teacher | Kind::Staff, staff))) if gone => {
                    plan.untaught.push((section, staff))
                }
                ("student", Some((Kind::Student, student))) => {
                    plan.enrollments.push((section, student))
                }
                ("teacher", Some((Kind::Teacher | Kind::Staff, staff))) => {
                    plan.teaching.push((section, staff))
                }
                (role, Some(_)) if !["student", "teacher"].contains(&role) => {}
                (_, None) => problems.push(table.problem(
                    row,
                    "userSourcedId",
                    format!("names no user ({user})"),
                )),
                (role, Some(_)) => {
                    problems.push(table.problem(row, "role", format!("the user is not a {role}")))
                }
            }
        }
    }

    report.years_new = plan.years.len();
    report.terms_new = plan.terms.len();
    report.courses_new = plan.courses.iter().filter(|c| c.5).count();
    report.sections_new = plan.sections.iter().filter(|s| s.5).count();
    report.students_new = plan.students.iter().filter(|s| s.new).count();
    report.students_existing = plan.students.len() - report.students_new;
    report.staff_new = plan.staff.iter().filter(|s| s.new).count();
    report.guardians_new = plan.guardians.iter().filter(|g| g.new).count();
    report.links_new = plan.links.len();
    report.enrollments = plan.enrollments.len();
    report.teaching = plan.teaching.len();
    report.dropped = plan.dropped.len();
    report.deactivated = plan.deactivate.len();
    for (file, n) in kept_back {
        report.ignored.push(if file == "older rows" {
            format!("{n} rows older than what Campus has (by dateLastModified), not applied again")
        } else {
            format!("{n} rows of {file} marked tobedeleted (Campus keeps them with their history)")
        });
    }
    report.problem_count = problems.len();
    report.problems = problems.into_iter().take(MAX_LISTED).collect();
    if options.preview || report.problem_count > 0 {
        return Ok(report);
    }
    let program = programs.get(&code(&options.program)).copied();
    write(conn, context, &plan, program, default_department).await?;
    audit::record(
        conn,
        context,
        Entry::new("oneroster.imported").after(serde_json::to_value(&report).unwrap_or_default()),
    )
    .await?;
    report.committed = true;
    Ok(report)
}

async fn remember(
    conn: &mut PgConnection,
    plan: &Plan,
    kind: &str,
    sourced: &str,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    let at = plan
        .modified
        .get(&(file_of(kind).to_string(), sourced.to_string()))
        .copied();
    sqlx::query!(
        "INSERT INTO oneroster_ids (college_id, kind, sourced_id, campus_id, modified_at) \
         VALUES (app_current_college(), $1, $2, $3, $4) \
         ON CONFLICT (college_id, kind, sourced_id) DO UPDATE SET campus_id = EXCLUDED.campus_id, \
           modified_at = greatest(oneroster_ids.modified_at, EXCLUDED.modified_at)",
        kind,
        sourced,
        id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn write(
    conn: &mut PgConnection,
    context: &AuditContext,
    plan: &Plan,
    program: Option<Uuid>,
    department: Option<Uuid>,
) -> Result<(), AppError> {
    for (id, name, starts, ends, sourced) in &plan.years {
        sqlx::query!("INSERT INTO academic_years (college_id, id, name, starts_on, ends_on) VALUES (app_current_college(), $1, $2, $3, $4)", id, name, starts, ends)
.execute(&mut *conn).await?;
        remember(conn, plan, "academic_year", sourced, *id).await?;
    }
    for (id, year, name, starts, ends, sourced) in &plan.terms {
        sqlx::query!("INSERT INTO terms (college_id, id, academic_year_id, name, starts_on, ends_on) VALUES (app_current_college(), $1, $2, $3, $4, $5)", id, year, name, starts, ends)
.execute(&mut *conn).await?;
        remember(conn, plan, "term", sourced, *id).await?;
    }
    for (id, dept, course_code, title, sourced, new) in &plan.courses {
        if *new {
            sqlx::query!("INSERT INTO courses (college_id, id, department_id, code, title, credits) VALUES (app_current_college(), $1, $2, $3, $4, 3)", id, dept, course_code, title)
.execute(&mut *conn).await?;
        } else {
            sqlx::query!(
                "UPDATE courses SET title = $2 WHERE id = $1 AND title IS DISTINCT FROM $2",
                id,
                title
            )
            .execute(&mut *conn)
            .await?;
        }
        remember(conn, plan, "course", sourced, *id).await?;
    }
    for (id, course, term, section_code, sourced, new) in &plan.sections {
        if *new {
            sqlx::query!("INSERT INTO sections (college_id, id, course_id, term_id, code, capacity) VALUES (app_current_college(), $1, $2, $3, $4, 60)", id, course, term, section_code)
.execute(&mut *conn).await?;
        }
        remember(conn, plan, "section", sourced, *id).await?;
    }
    for s in &plan.students {
        if s.new {
            let Some(program) = program else {
                return Err(AppError::BadRequest("new students need a program".into()));
            };
            sqlx::query!("INSERT INTO students (college_id, id, student_number, first_name, last_name, email, phone, date_of_birth, program_id, admitted_on) \
                 VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7, $8, current_date)", s.id, &s.number, &s.first, &s.last, s.email.as_deref(), s.phone.as_deref(), s.born, program)
.execute(&mut *conn).await?;
        } else {
            sqlx::query!("UPDATE students SET first_name = $2, last_name = $3, email = coalesce($4::citext, email), \
                    phone = coalesce($5, phone), date_of_birth = coalesce($6, date_of_birth) WHERE id = $1", s.id, &s.first, &s.last, s.email.as_deref(), s.phone.as_deref(), s.born)
.execute(&mut *conn).await?;
        }
        remember(conn, plan, "student", &s.sourced, s.id).await?;
    }
    for s in &plan.staff {
        if s.new {
            sqlx::query!("INSERT INTO staff (college_id, id, staff_number, first_name, last_name, email, department_id, joined_on) \
                 VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, current_date)", s.id, &s.number, &s.first, &s.last, s.email.as_deref(), department)
.execute(&mut *conn).await?;
            // Teachers with an email get an invited account (an administrator sends the
            // invitation from the users' page when the term is ready).
            if let (true, Some(email)) = (s.teacher, &s.email) {
                let user: Option<Uuid> = sqlx::query_scalar!("INSERT INTO users (college_id, email, display_name, status) VALUES (app_current_college(), $1, $2, 'invited') \
                     ON CONFLICT (college_id, email) DO NOTHING RETURNING id", email, format!("{} {}", s.first, s.last))
                .fetch_optional(&mut *conn).await?;
                if let Some(user) = user {
                    sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'teacher')", user)
.execute(&mut *conn).await?;
                    sqlx::query!("UPDATE staff SET user_id = $2 WHERE id = $1", s.id, user)
                        .execute(&mut *conn)
                        .await?;
                }
            }
        } else {
            sqlx::query!("UPDATE staff SET first_name = $2, last_name = $3, email = coalesce($4::citext, email) WHERE id = $1", s.id, &s.first, &s.last, s.email.as_deref())
.execute(&mut *conn).await?;
        }
        remember(conn, plan, "staff", &s.sourced, s.id).await?;
    }
    for g in &plan.guardians {
        if g.new {
            sqlx::query!("INSERT INTO guardians (college_id, id, first_name, last_name, email, phone) VALUES (app_current_college(), $1, $2, $3, $4, $5)", g.id, &g.first, &g.last, g.email.as_deref(), g.phone.as_deref())
.execute(&mut *conn).await?;
        } else {
            sqlx::query!("UPDATE guardians SET first_name = $2, last_name = $3, phone = coalesce($4, phone) WHERE id = $1", g.id, &g.first, &g.last, g.phone.as_deref())
.execute(&mut *conn).await?;
        }
        remember(conn, plan, "guardian", &g.sourced, g.id).await?;
    }
    for (student, guardian) in &plan.links {
        sqlx::query!(
            "INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship) \
             VALUES (app_current_college(), $1, $2, 'guardian') ON CONFLICT DO NOTHING",
            student,
            guardian
        )
        .execute(&mut *conn)
        .await?;
    }
    for (section, student) in &plan.enrollments {
        sqlx::query!("INSERT INTO enrollments (college_id, section_id, student_id, status) VALUES (app_current_college(), $1, $2, 'enrolled') \
             ON CONFLICT (college_id, section_id, student_id) DO UPDATE SET status = 'enrolled'", section, student)
.execute(&mut *conn).await?;
    }
    for (section, staff) in &plan.teaching {
        sqlx::query!("INSERT INTO section_teachers (college_id, section_id, staff_id) VALUES (app_current_college(), $1, $2) ON CONFLICT DO NOTHING", section, staff)
.execute(&mut *conn).await?;
    }
    // A delta's deletions: enrollments dropped as a registrar's drop would (the freed
    // seat goes to the first student waiting), teaching ended, accounts deactivated
    // (records and their history stay).
    for (section, student) in &plan.dropped {
        match crate::academics::catalog::service::drop(conn, context, *student, *section).await {
            Ok(()) | Err(AppError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    for (section, staff) in &plan.untaught {
        sqlx::query!(
            "DELETE FROM section_teachers WHERE section_id = $1 AND staff_id = $2",
            section,
            staff
        )
        .execute(&mut *conn)
        .await?;
    }
    if !plan.deactivate.is_empty() {
        sqlx::query!(
            "UPDATE users SET status = 'deactivated' WHERE status <> 'deactivated' AND id IN ( \
               SELECT user_id FROM students WHERE id = ANY($1) \
               UNION SELECT user_id FROM staff WHERE id = ANY($1) \
               UNION SELECT user_id FROM guardians WHERE id = ANY($1))",
            &plan.deactivate
        )
        .execute(&mut *conn)
        .await?;
    }
    // A roster is what it is: a section holds at least those it enrolls.
    let touched: Vec<Uuid> = plan
        .enrollments
        .iter()
        .chain(plan.dropped.iter())
        .map(|e| e.0)
        .collect();
    sqlx::query!(
        "UPDATE sections s SET enrolled = x.n, capacity = greatest(s.capacity, x.n) FROM \
           (SELECT t.id AS section_id, (SELECT count(*)::int FROM enrollments e \
              WHERE e.section_id = t.id AND e.status = 'enrolled') AS n \
            FROM unnest($1::uuid[]) AS t(id)) x \
         WHERE s.id = x.section_id",
        &touched
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
