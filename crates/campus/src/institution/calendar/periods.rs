//! The bell schedule's register: the named periods of the teaching day, none
//! overlapping. Meetings keep their own times, so a period is in use while weekly
//! meetings are held exactly in it, and is then not deleted.

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{BellPeriod, BellPeriodForm, BellPeriodInput};
use crate::error::FieldError;
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage, options};
use crate::institution::setup::{Actions, Filter, Paths, Register};
use crate::web::clock::show_time;
use crate::web::list::Listing;

pub struct Periods;

const USES: [(&str, &str); 2] = [("class", "Classes"), ("break", "A break (no classes)")];

struct PeriodRecord {
    id: Uuid,
    name: String,
    start_minute: i32,
    end_minute: i32,
    is_break: bool,
    meetings: i64,
}

impl From<PeriodRecord> for BellPeriod {
    fn from(r: PeriodRecord) -> BellPeriod {
        BellPeriod {
            id: r.id,
            name: r.name,
            starts: show_time(r.start_minute),
            ends: show_time(r.end_minute),
            start_minute: r.start_minute,
            end_minute: r.end_minute,
            is_break: r.is_break,
            meetings: r.meetings,
        }
    }
}

impl Register for Periods {
    const ONE: &'static str = "bell period";
    const MANY: &'static str = "bell periods";
    const TITLE: &'static str = "Bell schedule";
    const LEAD: &'static str =
        "The named periods of a teaching day and its breaks: the rows of the timetable builder.";
    const OBJECT: &'static str = "bell_period";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/periods");
    const ACTIONS: Actions = crate::institution::setup::actions!("bell_period");
    const SORTS: &'static [&'static str] = &["starts", "name"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("starts", "Time"),
        Column::sorted("name", "Name"),
        Column::plain("Use"),
        Column::plain("Meetings"),
    ];
    const RETIRES: bool = false;
    const WITHIN: Option<&'static str> = None;

    type Row = BellPeriod;
    type Input = BellPeriodInput;
    type Form = BellPeriodForm;

    fn id(row: &BellPeriod) -> Uuid {
        row.id
    }

    fn label(row: &BellPeriod) -> String {
        format!("Period {} ({}–{})", row.name, row.starts, row.ends)
    }

    fn cells(row: &BellPeriod) -> Vec<Cell> {
        vec![
            Cell::link(
                format!("{}–{}", row.starts, row.ends),
                format!("/setup/periods/{}", row.id),
            ),
            Cell::text(&row.name),
            Cell::text(if row.is_break { "Break" } else { "Classes" }),
            Cell::text(row.meetings.to_string()),
        ]
    }

    fn facts(row: &BellPeriod) -> Vec<Fact> {
        vec![
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new("Starts", Cell::text(&row.starts)),
            Fact::new("Ends", Cell::text(&row.ends)),
            Fact::new(
                "Use",
                Cell::text(if row.is_break {
                    "A break (no classes)"
                } else {
                    "Classes"
                }),
            ),
        ]
    }

    fn input_of(row: &BellPeriod) -> BellPeriodInput {
        BellPeriodInput {
            name: row.name.clone(),
            starts: row.starts.clone(),
            ends: row.ends.clone(),
            is_break: row.is_break,
        }
    }

    fn form_of(input: &BellPeriodInput) -> BellPeriodForm {
        BellPeriodForm {
            name: input.name.clone(),
            starts: input.starts.clone(),
            ends: input.ends.clone(),
            use_for: if input.is_break { "break" } else { "class" }.to_string(),
        }
    }

    fn parse(form: &BellPeriodForm) -> (BellPeriodInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        if !form.use_for.is_empty() && !USES.iter().any(|(u, _)| *u == form.use_for) {
            errors.push(FieldError::new("use_for", "must be classes or a break"));
        }
        (
            BellPeriodInput {
                name: form.name.clone(),
                starts: form.starts.clone(),
                ends: form.ends.clone(),
                is_break: form.use_for == "break",
            },
            errors,
        )
    }

    fn check(input: &BellPeriodInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "bell_periods_name_unique" => Some(("name", "is taken by another period")),
            "bell_periods_no_overlap" => Some(("starts", "overlaps another period")),
            _ => None,
        }
    }

    async fn fields(
        _: &mut PgConnection,
        form: &BellPeriodForm,
    ) -> Result<Vec<Field>, sqlx::Error> {
        let use_for = if form.use_for.is_empty() {
            "class"
        } else {
            form.use_for.as_str()
        };
        Ok(vec![
            Field::new("name", "Name", Kind::Text, &form.name).hint("e.g. Period 1, Lunch"),
            Field::new("starts", "Starts", Kind::Time, &form.starts),
            Field::new("ends", "Ends", Kind::Time, &form.ends),
            Field::new("use_for", "Use", Kind::Select, use_for).options(options(&USES)),
        ])
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<BellPeriod>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT p.id, p.name, p.start_minute, p.end_minute, p.is_break,
                      (SELECT count(*) FROM section_meetings m WHERE m.college_id = p.college_id
                         AND m.start_minute = p.start_minute AND m.end_minute = p.end_minute) AS "meetings!",
                      count(*) OVER () AS "total!"
               FROM bell_periods p
               WHERE ($1 = '' OR p.name ILIKE $2)
               ORDER BY CASE WHEN $3 = 'name' AND NOT $4 THEN p.name END,
                        CASE WHEN $3 = 'name' AND $4 THEN p.name END DESC,
                        CASE WHEN $3 = 'starts' AND $4 THEN p.start_minute END DESC,
                        p.start_minute
               LIMIT $5 OFFSET $6"#,
            filter.q,
            filter.pattern(),
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
                .map(|r| {
                    BellPeriod::from(PeriodRecord {
                        id: r.id,
                        name: r.name,
                        start_minute: r.start_minute,
                        end_minute: r.end_minute,
                        is_break: r.is_break,
                        meetings: r.meetings,
                    })
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<BellPeriod>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM bell_periods WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query_as!(
            PeriodRecord,
            r#"SELECT p.id, p.name, p.start_minute, p.end_minute, p.is_break,
                      (SELECT count(*) FROM section_meetings m WHERE m.college_id = p.college_id
                         AND m.start_minute = p.start_minute AND m.end_minute = p.end_minute) AS "meetings!"
               FROM bell_periods p WHERE p.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(BellPeriod::from))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let meetings = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM section_meetings m JOIN bell_periods p
                 ON p.college_id = m.college_id AND p.start_minute = m.start_minute AND p.end_minute = m.end_minute
               WHERE p.id = $1"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![Usage::new(
            meetings,
            "weekly section meeting",
            "weekly section meetings",
        )])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &BellPeriodInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let Some((start, end)) = input.minutes() else {
            return Ok(Err(input.problems()));
        };
        let overlap = sqlx::query!(
            "SELECT name, start_minute, end_minute FROM bell_periods \
             WHERE id IS DISTINCT FROM $1 AND int4range(start_minute, end_minute) && int4range($2, $3) \
             ORDER BY start_minute LIMIT 1",
            id,
            start,
            end
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(other) = overlap {
            return Ok(Err(vec![FieldError::new(
                "starts",
                format!(
                    "overlaps the period {} ({}–{})",
                    other.name,
                    show_time(other.start_minute),
                    show_time(other.end_minute)
                ),
            )]));
        }
        if let Some(id) = id {
            // Moving a period that meetings follow would leave them behind, unnamed.
            let moved = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM section_meetings m JOIN bell_periods p
                     ON p.college_id = m.college_id AND p.start_minute = m.start_minute AND p.end_minute = m.end_minute
                   WHERE p.id = $1 AND (p.start_minute <> $2 OR p.end_minute <> $3)"#,
                id,
                start,
                end
            )
            .fetch_one(&mut *conn)
            .await?;
            if moved > 0 {
                return Ok(Err(vec![FieldError::new(
                    "starts",
                    format!(
                        "cannot move: {moved} weekly section meetings are held in this period; move them first"
                    ),
                )]));
            }
        }
        let name = input.name.trim();
        let id = match id {
            None => sqlx::query_scalar!(
                "INSERT INTO bell_periods (college_id, name, start_minute, end_minute, is_break) \
                     VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
                name,
                start,
                end,
                input.is_break
            )
            .fetch_one(conn)
            .await?,
            Some(id) => {
                sqlx::query!(
                    "UPDATE bell_periods SET name = $2, start_minute = $3, end_minute = $4, is_break = $5 WHERE id = $1",
                    id,
                    name,
                    start,
                    end,
                    input.is_break
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM bell_periods WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// The bell schedule, earliest first: (name, start minute, end minute, is a break).
pub async fn schedule(
    conn: &mut PgConnection,
) -> Result<Vec<(String, i32, i32, bool)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT name, start_minute, end_minute, is_break FROM bell_periods ORDER BY start_minute"
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.name, r.start_minute, r.end_minute, r.is_break))
    .collect())
}
