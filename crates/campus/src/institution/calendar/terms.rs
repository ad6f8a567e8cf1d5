//! The terms' register: each within its academic year, none overlapping, one current
//! (of the current year), a term with sections or registration not deleted.

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{Term, TermInput};
use super::years::span_words;
use crate::error::FieldError;
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage};
use crate::institution::setup::{Actions, Current, Filter, Paths, Register};
use crate::web::list::Listing;
use crate::web::time::day;

pub struct Terms;

impl Register for Terms {
    const ONE: &'static str = "term";
    const MANY: &'static str = "terms";
    const TITLE: &'static str = "Terms";
    const LEAD: &'static str = "The terms (semesters) of each academic year, one of them current: sections, registration and results belong to a term.";
    const OBJECT: &'static str = "term";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/terms");
    const ACTIONS: Actions = crate::institution::setup::actions!("term");
    const SORTS: &'static [&'static str] = &["starts", "name", "year"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("name", "Name"),
        Column::sorted("year", "Academic year"),
        Column::sorted("starts", "Dates"),
        Column::plain("Sections"),
        Column::plain("Current"),
    ];
    const RETIRES: bool = false;
    const WITHIN: Option<&'static str> = Some("Academic year");
    const CURRENT: Option<Current> = Some(Current {
        path: "/setup/terms/{id}/make-current",
        action: "term.made_current",
    });

    type Row = Term;
    type Input = TermInput;
    type Form = TermInput;

    fn id(row: &Term) -> Uuid {
        row.id
    }

    fn label(row: &Term) -> String {
        format!("Term {} ({})", row.name, row.academic_year)
    }

    fn is_current(row: &Term) -> bool {
        row.current
    }

    fn cells(row: &Term) -> Vec<Cell> {
        vec![
            Cell::link(&row.name, format!("/setup/terms/{}", row.id)),
            Cell::link(
                &row.academic_year,
                format!("/setup/years/{}", row.academic_year_id),
            ),
            Cell::text(span_words(row.starts_on, row.ends_on)),
            Cell::text(row.sections.to_string()),
            Cell::text(if row.current { "Current" } else { "" }),
        ]
    }

    fn facts(row: &Term) -> Vec<Fact> {
        vec![
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new(
                "Academic year",
                Cell::link(
                    &row.academic_year,
                    format!("/setup/years/{}", row.academic_year_id),
                ),
            ),
            Fact::new("First day", Cell::text(day(row.starts_on))),
            Fact::new("Last day", Cell::text(day(row.ends_on))),
            Fact::new(
                "Current",
                Cell::text(if row.current { "Yes" } else { "No" }),
            ),
        ]
    }

    fn input_of(row: &Term) -> TermInput {
        TermInput {
            name: row.name.clone(),
            academic_year: row.academic_year.clone(),
            starts_on: row.starts_on.to_string(),
            ends_on: row.ends_on.to_string(),
        }
    }

    fn form_of(input: &TermInput) -> TermInput {
        input.clone()
    }

    fn parse(form: &TermInput) -> (TermInput, Vec<FieldError>) {
        (form.clone(), Vec::new())
    }

    fn check(input: &TermInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "terms_name_unique" => Some(("name", "is taken by another term of that year")),
            "terms_no_overlap" => Some(("starts_on", "overlaps another term")),
            "terms_within_year" => Some(("starts_on", "lies outside its academic year")),
            _ => None,
        }
    }

    async fn fields(conn: &mut PgConnection, form: &TermInput) -> Result<Vec<Field>, sqlx::Error> {
        let years =
            sqlx::query!("SELECT name, starts_on, ends_on FROM academic_years ORDER BY starts_on")
                .fetch_all(conn)
                .await?;
        let mut choices = vec![(String::new(), "Choose an academic year".to_string())];
        choices.extend(years.into_iter().map(|y| {
            let words = format!("{} ({})", y.name, span_words(y.starts_on, y.ends_on));
            (y.name, words)
        }));
        Ok(vec![
            Field::new("name", "Name", Kind::Text, &form.name).hint("e.g. Odd semester"),
            Field::new(
                "academic_year",
                "Academic year",
                Kind::Select,
                form.academic_year.trim(),
            )
            .options(choices),
            Field::new("starts_on", "First day", Kind::Date, &form.starts_on),
            Field::new("ends_on", "Last day", Kind::Date, &form.ends_on),
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
    ) -> Result<(Vec<Term>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT t.id, t.name, t.academic_year_id, y.name AS academic_year, t.starts_on, t.ends_on, t.is_current,
                      (SELECT count(*) FROM sections s WHERE s.college_id = t.college_id AND s.term_id = t.id) AS "sections!",
                      count(*) OVER () AS "total!"
               FROM terms t JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id
               WHERE ($1 = '' OR t.name ILIKE $2 OR y.name ILIKE $2)
                 AND ($3::uuid IS NULL OR t.academic_year_id = $3)
               ORDER BY CASE WHEN $4 = 'name' AND NOT $5 THEN t.name END,
                        CASE WHEN $4 = 'name' AND $5 THEN t.name END DESC,
                        CASE WHEN $4 = 'year' AND NOT $5 THEN y.starts_on END,
                        CASE WHEN $4 = 'year' AND $5 THEN y.starts_on END DESC,
                        CASE WHEN $4 = 'starts' AND $5 THEN t.starts_on END DESC,
                        t.starts_on
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
                .map(|r| Term {
                    id: r.id,
                    name: r.name,
                    academic_year_id: r.academic_year_id,
                    academic_year: r.academic_year,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    current: r.is_current,
                    sections: r.sections,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<Term>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM terms WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        sqlx::query_as!(
            Term,
            r#"SELECT t.id, t.name, t.academic_year_id, y.name AS academic_year, t.starts_on, t.ends_on,
                      t.is_current AS current,
                      (SELECT count(*) FROM sections s WHERE s.college_id = t.college_id AND s.term_id = t.id) AS "sections!"
               FROM terms t JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id
               WHERE t.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM sections WHERE term_id = $1) AS "sections!",
                      (SELECT count(*) FROM registration_windows WHERE term_id = $1) AS "windows!",
                      (SELECT count(*) FROM issued_documents WHERE term_id = $1) AS "documents!",
                      (SELECT count(*) FROM document_jobs WHERE term_id = $1) AS "jobs!",
                      (SELECT count(*) FROM rollovers WHERE from_term_id = $1 OR to_term_id = $1) AS "rollovers!",
                      (SELECT count(*) FROM carried_requirements WHERE from_term_id = $1) AS "carried!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.sections, "section", "sections"),
            Usage::new(r.windows, "registration window", "registration windows"),
            Usage::new(r.documents, "issued document", "issued documents"),
            Usage::new(r.jobs, "printing job", "printing jobs"),
            Usage::new(r.rollovers, "year-end rollover", "year-end rollovers"),
            Usage::new(r.carried, "carried requirement", "carried requirements"),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &TermInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let Some((starts, ends)) = input.span() else {
            return Ok(Err(input.problems()));
        };
        // The year is locked so its dates cannot move from under the check.
        let Some(year) = sqlx::query!(
            "SELECT id, name, starts_on, ends_on FROM academic_years WHERE name = $1 FOR SHARE",
            input.academic_year.trim()
        )
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(Err(vec![FieldError::new(
                "academic_year",
                format!("no academic year is named {}", input.academic_year.trim()),
            )]));
        };
        if starts < year.starts_on || ends > year.ends_on {
            return Ok(Err(vec![FieldError::new(
                if starts < year.starts_on {
                    "starts_on"
                } else {
                    "ends_on"
                },
                format!(
                    "must lie within the academic year {} ({})",
                    year.name,
                    span_words(year.starts_on, year.ends_on)
                ),
            )]));
        }
        let overlap = sqlx::query!(
            r#"SELECT t.name, y.name AS year, t.starts_on, t.ends_on
               FROM terms t JOIN academic_years y ON y.college_id = t.college_id AND y.id = t.academic_year_id
               WHERE t.id IS DISTINCT FROM $1 AND daterange(t.starts_on, t.ends_on, '[]') && daterange($2, $3, '[]')
               ORDER BY t.starts_on LIMIT 1"#,
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
                    "overlaps the term {} of {} ({})",
                    other.name,
                    other.year,
                    span_words(other.starts_on, other.ends_on)
                ),
            )]));
        }
        let name = input.name.trim();
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO terms (college_id, academic_year_id, name, starts_on, ends_on) \
                     VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
                    year.id,
                    name,
                    starts,
                    ends
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE terms SET academic_year_id = $2, name = $3, starts_on = $4, ends_on = $5 WHERE id = $1",
                    id,
                    year.id,
                    name,
                    starts,
                    ends
                )
                .execute(&mut *conn)
                .await?;
                // A current term moved to a year that is not current is current no more.
                sqlx::query!("SELECT calendar_settle_current(app_current_college())")
                    .execute(conn)
                    .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM terms WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// The term becomes current, and its academic year with it.
    async fn make_current(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE academic_years SET is_current = false WHERE is_current \
             AND id <> (SELECT academic_year_id FROM terms WHERE id = $1)",
            id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "UPDATE academic_years SET is_current = true WHERE id = (SELECT academic_year_id FROM terms WHERE id = $1)",
            id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "UPDATE terms SET is_current = false WHERE is_current AND id <> $1",
            id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!("UPDATE terms SET is_current = true WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }
}
