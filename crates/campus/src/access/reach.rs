//! What each data scope reaches, defined once: which students (their own record, a
//! guardian's linked children, the students of the sections the user teaches, of the
//! user's department, or anyone in the college), which staff, which sections and which
//! achievements a reviewer may decide. Lists, single records and files all ask here, as
//! SQL conditions, so a list can never show what the record page would refuse.
//!
//! A condition is written with `READER` where the reader's user id goes; `Reach::sql`
//! puts a placeholder there (for fixed statements) and `Reach::push` a bound value (for
//! a `QueryBuilder`). Every scope the user holds counts, not only the widest.

use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::access::permissions::Scope;
use crate::access::principal::Grant;
use crate::error::AppError;

const READER: &str = "READER";

/// Students (`st`) by scope.
fn student_condition(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::Own => Some("st.user_id = READER"),
        Scope::OwnChildren => Some(
            "EXISTS (SELECT 1 FROM student_guardians l JOIN guardians g \
             ON g.college_id = l.college_id AND g.id = l.guardian_id \
             WHERE l.college_id = st.college_id AND l.student_id = st.id AND g.user_id = READER)",
        ),
        Scope::OwnSections => Some(
            "EXISTS (SELECT 1 FROM enrollments e JOIN section_teachers x \
             ON x.college_id = e.college_id AND x.section_id = e.section_id \
             JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
             WHERE e.college_id = st.college_id AND e.student_id = st.id \
               AND e.status <> 'dropped' AND sf.user_id = READER)",
        ),
        Scope::Department => Some(
            "st.program_id IN (SELECT p.id FROM programs p JOIN staff sf \
             ON sf.college_id = p.college_id AND sf.department_id = p.department_id \
             WHERE sf.user_id = READER)",
        ),
        Scope::College | Scope::Platform => None,
    }
}

/// Staff (`sf`) by scope: a narrower scope than the department reaches oneself.
fn staff_condition(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::Own | Scope::OwnChildren | Scope::OwnSections => Some("sf.user_id = READER"),
        Scope::Department => Some(
            "sf.department_id = (SELECT me.department_id FROM staff me WHERE me.user_id = READER)",
        ),
        Scope::College | Scope::Platform => None,
    }
}

/// Sections (`s`) by scope: the college's, or those the user teaches.
fn section_condition(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::College | Scope::Platform => None,
        _ => Some(
            "EXISTS (SELECT 1 FROM section_teachers x JOIN staff me \
             ON me.college_id = x.college_id AND me.id = x.staff_id \
             WHERE x.college_id = s.college_id AND x.section_id = s.id AND me.user_id = READER)",
        ),
    }
}

/// Achievements (`a`, of student `st`) a reviewer decides: the students their scope
/// reaches, or for `Own` the categories the college assigned them; a guardian's scope
/// reaches none.
fn review_condition(scope: Scope) -> Option<&'static str> {
    match scope {
        Scope::Own => Some(
            "EXISTS (SELECT 1 FROM achievement_organizers o \
             WHERE o.college_id = a.college_id AND o.category = a.category AND o.user_id = READER)",
        ),
        Scope::OwnChildren => Some("false"),
        other => student_condition(other),
    }
}

/// The SQL condition a grant reaches: `None` for everything, else the held scopes'
/// conditions, any of which lets a row through.
#[derive(Debug, Clone)]
pub struct Reach {
    any_of: Option<Vec<&'static str>>,
    /// A condition every row must also meet (nobody reviews their own achievements).
    and_also: Option<&'static str>,
    reader: Uuid,
}

impl Reach {
    fn of(grant: &Grant, condition: fn(Scope) -> Option<&'static str>) -> Reach {
        let mut any_of = Vec::new();
        for scope in std::iter::once(grant.scope).chain(grant.also.iter().copied()) {
            match condition(scope) {
                None => {
                    return Reach {
                        any_of: None,
                        and_also: None,
                        reader: grant.user_id,
                    };
                }
                Some(c) if !any_of.contains(&c) => any_of.push(c),
                Some(_) => {}
            }
        }
        Reach {
            any_of: Some(any_of),
            and_also: None,
            reader: grant.user_id,
        }
    }

    fn text(&self) -> String {
        let any = match &self.any_of {
            None => "true".to_string(),
            Some(list) if list.is_empty() => "false".to_string(),
            Some(list) => format!("({})", list.join(" OR ")),
        };
        match self.and_also {
            Some(also) => format!("({also} AND {any})"),
            None => any,
        }
    }

    /// Whether every row passes (the college's whole reach).
    pub fn reaches_all(&self) -> bool {
        self.any_of.is_none() && self.and_also.is_none()
    }

    /// The condition with `reader` (a placeholder such as `$1`) for the reader's id.
    /// Made only of the fixed conditions above, so safe to place in a statement.
    pub fn sql(&self, reader: &str) -> String {
        self.text().replace(READER, reader)
    }

    /// The condition, appended to `sql` with the reader's id bound in each place.
    pub fn push(&self, sql: &mut QueryBuilder<Postgres>) {
        let text = self.text();
        let mut parts = text.split(READER).peekable();
        while let Some(part) = parts.next() {
            sql.push(part);
            if parts.peek().is_some() {
                sql.push_bind(self.reader);
            }
        }
    }
}

/// The students a grant reaches (alias `st`).
pub fn students(grant: &Grant) -> Reach {
    Reach::of(grant, student_condition)
}

/// The staff a grant reaches (alias `sf`).
pub fn staff(grant: &Grant) -> Reach {
    Reach::of(grant, staff_condition)
}

/// The sections a grant reaches (alias `s`).
pub fn sections(grant: &Grant) -> Reach {
    Reach::of(grant, section_condition)
}

/// The achievements a reviewer's grant reaches (aliases `a` and its student `st`).
pub fn reviews(grant: &Grant) -> Reach {
    Reach {
        and_also: Some("st.user_id IS DISTINCT FROM READER"),
        ..Reach::of(grant, review_condition)
    }
}

/// Whether `reach` lets through the row of `from` (a table with its alias) whose id is
/// `id`: `NotFound` when there is no such row, `Forbidden` when it is out of reach.
async fn check(
    conn: &mut PgConnection,
    from: &str,
    reach: Reach,
    id: Uuid,
) -> Result<(), AppError> {
    let reached: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM {from} WHERE {}.id = $1",
        reach.sql("$2"),
        from.rsplit(' ').next().unwrap_or(from)
    )))
    .bind(id)
    .bind(reach.reader)
    .fetch_optional(conn)
    .await?;
    settle(reached)
}

/// Whether the grant reaches a student already known to exist (found by an earlier check
/// in the same transaction): no statement when it reaches the whole college.
pub async fn reaches_known_student(
    conn: &mut PgConnection,
    grant: &Grant,
    student: Uuid,
) -> Result<bool, AppError> {
    if students(grant).reaches_all() {
        return Ok(true);
    }
    match authorize_student(conn, grant, student).await {
        Ok(()) => Ok(true),
        Err(AppError::Forbidden | AppError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// `NotFound` when the student does not exist, `Forbidden` when the grant does not reach them.
pub async fn authorize_student(
    conn: &mut PgConnection,
    grant: &Grant,
    student: Uuid,
) -> Result<(), AppError> {
    check(conn, "students st", students(grant), student).await
}

/// `NotFound` when the section does not exist, `Forbidden` when the grant does not
/// reach it (a teacher who does not teach it).
pub async fn authorize_section(
    conn: &mut PgConnection,
    grant: &Grant,
    section: Uuid,
) -> Result<(), AppError> {
    check(conn, "sections s", sections(grant), section).await
}

/// `NotFound` when the staff member does not exist, `Forbidden` when out of reach.
pub async fn authorize_staff(
    conn: &mut PgConnection,
    grant: &Grant,
    staff: Uuid,
) -> Result<(), AppError> {
    check(conn, "staff sf", self::staff(grant), staff).await
}

/// Whether the reviewer's grant reaches this achievement.
pub async fn may_review(
    conn: &mut PgConnection,
    grant: &Grant,
    achievement: Uuid,
) -> Result<bool, sqlx::Error> {
    let reached: Option<bool> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM achievements a JOIN students st ON st.college_id = a.college_id \
         AND st.id = a.student_id WHERE a.id = $1",
        reviews(grant).sql("$2")
    )))
    .bind(achievement)
    .bind(grant.user_id)
    .fetch_optional(conn)
    .await?;
    Ok(reached.unwrap_or(false))
}

fn settle(reached: Option<bool>) -> Result<(), AppError> {
    match reached {
        None => Err(AppError::NotFound),
        Some(true) => Ok(()),
        Some(false) => Err(AppError::Forbidden),
    }
}

/// The students a user may pick from on a results or documents page: themselves, or
/// their linked children.
pub async fn own_students(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT st.id AS \"id!\", st.first_name || ' ' || st.last_name AS \"name!\" FROM students st WHERE st.user_id = $1 \
         UNION ALL \
         SELECT st.id, st.first_name || ' ' || st.last_name FROM guardians g \
         JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id \
         JOIN students st ON st.college_id = l.college_id AND st.id = l.student_id \
         WHERE g.user_id = $1 ORDER BY 2", user)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.name)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::permissions::Permission;
    use crate::db::CollegeId;

    fn grant(scope: Scope, also: &[Scope]) -> Grant {
        let mut grant = Grant::for_system(
            Permission::StudentsRead,
            CollegeId(Uuid::nil()),
            Uuid::nil(),
            "r",
        );
        grant.scope = scope;
        grant.also = also.to_vec();
        grant
    }

    #[test]
    fn college_reaches_everything_and_every_held_scope_counts() {
        assert_eq!(
            students(&grant(Scope::College, &[Scope::Own])).sql("$1"),
            "true"
        );
        let both = students(&grant(Scope::Department, &[Scope::OwnChildren])).sql("$9");
        assert!(
            both.contains("sf.user_id = $9")
                && both.contains("g.user_id = $9")
                && both.contains(" OR ")
        );
        assert!(!both.contains(READER));
        let reviews = reviews(&grant(Scope::College, &[])).sql("$1");
        assert_eq!(reviews, "(st.user_id IS DISTINCT FROM $1 AND true)");
        assert_eq!(
            reviews_of(Scope::OwnChildren),
            "(st.user_id IS DISTINCT FROM $1 AND (false))"
        );
    }

    fn reviews_of(scope: Scope) -> String {
        reviews(&grant(scope, &[])).sql("$1")
    }

    #[test]
    fn a_query_builder_binds_the_reader_in_each_place() {
        let mut sql = QueryBuilder::<Postgres>::new("SELECT 1 FROM students st WHERE ");
        students(&grant(Scope::OwnSections, &[Scope::Own])).push(&mut sql);
        let text = sql.sql().as_str().to_string();
        assert!(
            text.contains("sf.user_id = $1") && text.contains("st.user_id = $2"),
            "{text}"
        );
    }
}
