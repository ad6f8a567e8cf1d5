//! The calendar's register: holidays, exam periods (never two at once) and events.
//! Nothing refers to an entry, so any is deleted; holidays and exam periods suspend
//! classes (see `suspended`).

use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::model::{CalendarEntry, CalendarEntryInput, KINDS};
use super::years::span_words;
use crate::error::FieldError;
use crate::institution::setup::rules::words_of;
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage, options};
use crate::institution::setup::{Actions, Filter, Paths, Register};
use crate::web::list::Listing;
use crate::web::time::day;

pub struct Entries;

/// The entry's dates in words: one day, or its first and last.
fn when(row: &CalendarEntry) -> String {
    if row.starts_on == row.ends_on {
        day(row.starts_on)
    } else {
        span_words(row.starts_on, row.ends_on)
    }
}

impl Register for Entries {
    const ONE: &'static str = "calendar entry";
    const MANY: &'static str = "calendar entries";
    const TITLE: &'static str = "Calendar";
    const LEAD: &'static str = "Holidays, exam periods and events. No classes are held on holidays or in exam periods: attendance and the timetable skip them.";
    const OBJECT: &'static str = "calendar_entry";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/calendar");
    const ACTIONS: Actions = crate::institution::setup::actions!("calendar_entry");
    const SORTS: &'static [&'static str] = &["starts", "name", "kind"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("starts", "When"),
        Column::sorted("name", "Name"),
        Column::sorted("kind", "Kind"),
        Column::plain("For"),
        Column::plain("Classes"),
    ];
    const RETIRES: bool = false;
    const WITHIN: Option<&'static str> = Some("Academic year");

    type Row = CalendarEntry;
    type Input = CalendarEntryInput;
    type Form = CalendarEntryInput;

    fn id(row: &CalendarEntry) -> Uuid {
        row.id
    }

    fn label(row: &CalendarEntry) -> String {
        format!("{} {}", words_of(&KINDS, &row.kind), row.name)
    }

    fn cells(row: &CalendarEntry) -> Vec<Cell> {
        vec![
            Cell::link(when(row), format!("/setup/calendar/{}", row.id)),
            Cell::text(&row.name),
            Cell::text(words_of(&KINDS, &row.kind)),
            Cell::text(row.for_whom()),
            Cell::text(classes_words(&row.kind)),
        ]
    }

    fn facts(row: &CalendarEntry) -> Vec<Fact> {
        vec![
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new("Kind", Cell::text(words_of(&KINDS, &row.kind))),
            Fact::new("When", Cell::text(when(row))),
            Fact::new("For", Cell::text(row.for_whom())),
            Fact::new("Classes", Cell::text(classes_words(&row.kind))),
            Fact::new(
                "Notes",
                Cell::maybe((!row.notes.is_empty()).then_some(&row.notes)),
            ),
        ]
    }

    fn input_of(row: &CalendarEntry) -> CalendarEntryInput {
        CalendarEntryInput {
            kind: row.kind.clone(),
            name: row.name.clone(),
            starts_on: row.starts_on.to_string(),
            ends_on: row.ends_on.to_string(),
            notes: row.notes.clone(),
            department: row.department_id.map(|d| d.to_string()).unwrap_or_default(),
            section: row.section_id.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn form_of(input: &CalendarEntryInput) -> CalendarEntryInput {
        input.clone()
    }

    fn parse(form: &CalendarEntryInput) -> (CalendarEntryInput, Vec<FieldError>) {
        (form.clone(), Vec::new())
    }

    fn check(input: &CalendarEntryInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "calendar_exam_periods_no_overlap" => {
                Some(("starts_on", "overlaps another exam period"))
            }
            "calendar_entries_department_fk" => {
                Some(("department", "is not one of the college's departments"))
            }
            "calendar_entries_section_fk" => {
                Some(("section", "is not one of the college's sections"))
            }
            _ => None,
        }
    }

    async fn fields(
        conn: &mut PgConnection,
        form: &CalendarEntryInput,
    ) -> Result<Vec<Field>, sqlx::Error> {
        let mut departments = vec![(String::new(), "The whole college".to_string())];
        departments.extend(
            sqlx::query!(r#"SELECT id::text AS "id!", name FROM departments ORDER BY name"#)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r.name)),
        );
        // The sections of the current and later terms (an event is still to come).
        let mut sections = vec![(String::new(), "No one section".to_string())];
        sections.extend(
            sqlx::query!(
                r#"SELECT s.id::text AS "id!", c.code || ' ' || s.code || ' · ' || t.name AS "label!"
                   FROM sections s
                   JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
                   JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
                   WHERE t.ends_on >= current_date OR s.id::text = $1
                   ORDER BY t.starts_on, c.code, s.code LIMIT 3000"#,
                form.section.trim()
            )
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.label)),
        );
        let kind = if form.kind.is_empty() {
            "holiday"
        } else {
            form.kind.as_str()
        };
        Ok(vec![
            Field::new("kind", "Kind", Kind::Select, kind)
                .options(options(&KINDS))
                .hint("Holidays and exam periods suspend classes"),
            Field::new("name", "Name", Kind::Text, &form.name).hint("e.g. Diwali"),
            Field::new("starts_on", "First day", Kind::Date, &form.starts_on),
            Field::new("ends_on", "Last day", Kind::Date, &form.ends_on)
                .hint("The same as the first for a single day"),
            Field::new(
                "department",
                "For a department",
                Kind::Select,
                form.department.trim(),
            )
            .options(departments)
            .hint("Events only: its staff and the students of its programs"),
            Field::new(
                "section",
                "For a section",
                Kind::Select,
                form.section.trim(),
            )
            .options(sections)
            .hint("Events only: its students and teachers"),
            Field::new("notes", "Notes", Kind::Textarea, &form.notes),
        ])
    }

    async fn within_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        Ok(
            sqlx::query!("SELECT id, name FROM academic_years ORDER BY starts_on")
                .fetch_all(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
        )
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<CalendarEntry>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT e.id, e.kind, e.name, e.starts_on, e.ends_on, e.notes, e.department_id, d.name AS "department?", e.section_id, c.code || ' ' || s.code AS "section?", count(*) OVER () AS "total!"
               FROM calendar_entries e
               LEFT JOIN departments d ON d.college_id = e.college_id AND d.id = e.department_id
               LEFT JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id
               LEFT JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
               WHERE ($1 = '' OR e.name ILIKE $2 OR e.notes ILIKE $2)
                 AND ($3::uuid IS NULL OR EXISTS (
                     SELECT 1 FROM academic_years y WHERE y.id = $3
                       AND daterange(y.starts_on, y.ends_on, '[]') && daterange(e.starts_on, e.ends_on, '[]')))
               ORDER BY CASE WHEN $4 = 'name' AND NOT $5 THEN e.name END,
                        CASE WHEN $4 = 'name' AND $5 THEN e.name END DESC,
                        CASE WHEN $4 = 'kind' AND NOT $5 THEN e.kind END,
                        CASE WHEN $4 = 'kind' AND $5 THEN e.kind END DESC,
                        CASE WHEN $4 = 'starts' AND $5 THEN e.starts_on END DESC,
                        e.starts_on, e.name
               LIMIT $6 OFFSET $7"#,
            filter.q,
            filter.pattern(),
            filter.within,
            listing.sort,
            listing.desc,
            listing.limit(),
            listing.offset(),
        )
        .fetch_all(conn)
        .await?;
        let total = rows.first().map_or(0, |r| r.total);
        Ok((
            rows.into_iter()
                .map(|r| CalendarEntry {
                    id: r.id,
                    kind: r.kind,
                    name: r.name,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    notes: r.notes,
                    department_id: r.department_id,
                    department: r.department,
                    section_id: r.section_id,
                    section: r.section,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<CalendarEntry>, sqlx::Error> {
        if lock {
            sqlx::query!(
                "SELECT id FROM calendar_entries WHERE id = $1 FOR UPDATE",
                id
            )
            .fetch_optional(&mut *conn)
            .await?;
        }
        sqlx::query_as!(
            CalendarEntry,
            r#"SELECT e.id, e.kind, e.name, e.starts_on, e.ends_on, e.notes, e.department_id, d.name AS "department?", e.section_id, c.code || ' ' || s.code AS "section?"
               FROM calendar_entries e
               LEFT JOIN departments d ON d.college_id = e.college_id AND d.id = e.department_id
               LEFT JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id
               LEFT JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
               WHERE e.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await
    }

    async fn usage(_: &mut PgConnection, _: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        Ok(Vec::new())
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &CalendarEntryInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let Some((starts, ends)) = input.span() else {
            return Ok(Err(input.problems()));
        };
        if input.kind == "exam_period" {
            let overlap = sqlx::query!(
                "SELECT name, starts_on, ends_on FROM calendar_entries \
                 WHERE kind = 'exam_period' AND id IS DISTINCT FROM $1 \
                   AND daterange(starts_on, ends_on, '[]') && daterange($2, $3, '[]') ORDER BY starts_on LIMIT 1",
                id,
                starts,
                ends
            )
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(other) = overlap {
                return Ok(Err(vec![FieldError::new(
                    "starts_on",
                    format!(
                        "overlaps the exam period {} ({})",
                        other.name,
                        span_words(other.starts_on, other.ends_on)
                    ),
                )]));
            }
        }
        let (name, notes) = (input.name.trim(), input.notes.trim());
        let (department, section) = input.scope();
        let id = match id {
            None => sqlx::query_scalar!(
                "INSERT INTO calendar_entries (college_id, kind, name, starts_on, ends_on, notes, department_id, section_id) \
                     VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7) RETURNING id",
                input.kind,
                name,
                starts,
                ends,
                notes,
                department,
                section
            )
            .fetch_one(conn)
            .await?,
            Some(id) => {
                sqlx::query!(
                    "UPDATE calendar_entries SET kind = $2, name = $3, starts_on = $4, ends_on = $5, notes = $6, \
                         department_id = $7, section_id = $8 WHERE id = $1",
                    id,
                    input.kind,
                    name,
                    starts,
                    ends,
                    notes,
                    department,
                    section
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM calendar_entries WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }
}

fn classes_words(kind: &str) -> &'static str {
    if suspends_classes(kind) {
        "No classes"
    } else {
        "Classes as usual"
    }
}

/// Whether an entry of this kind means no classes are held.
pub fn suspends_classes(kind: &str) -> bool {
    matches!(kind, "holiday" | "exam_period")
}

/// The entry that suspends classes on a day, as (kind, name), if any does.
pub async fn suspended(
    conn: &mut PgConnection,
    on: Date,
) -> Result<Option<(String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT kind, name FROM calendar_entries \
         WHERE kind IN ('holiday', 'exam_period') AND daterange(starts_on, ends_on, '[]') @> $1::date \
         ORDER BY kind DESC, starts_on LIMIT 1",
        on
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.kind, r.name)))
}

/// Entries overlapping a span of days that are for `reader`, earliest first: the whole
/// college's, and the events of their department and sections (the same audience keys
/// notices use). What a calendar, a dashboard or a feed shows.
pub async fn between(
    conn: &mut PgConnection,
    reader: Uuid,
    from: Date,
    to: Date,
    limit: i64,
) -> Result<Vec<CalendarEntry>, sqlx::Error> {
    sqlx::query_as!(
        CalendarEntry,
        r#"SELECT e.id, e.kind, e.name, e.starts_on, e.ends_on, e.notes, e.department_id, d.name AS "department?", e.section_id, c.code || ' ' || s.code AS "section?"
               FROM calendar_entries e
               LEFT JOIN departments d ON d.college_id = e.college_id AND d.id = e.department_id
               LEFT JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id
               LEFT JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
               WHERE daterange(e.starts_on, e.ends_on, '[]') && daterange($2, $3, '[]')
                 AND ((e.department_id IS NULL AND e.section_id IS NULL)
                      OR ARRAY['department:' || e.department_id, 'section:' || e.section_id]
                         && ARRAY(SELECT m.key FROM audience_members m WHERE m.user_id = $1))
               ORDER BY e.starts_on, e.name
               LIMIT $4"#,
        reader,
        from,
        to,
        limit
    )
    .fetch_all(conn)
    .await
}
