//! The academic years' register: one current, none overlapping, a year holding terms
//! not deleted.

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{AcademicYear, AcademicYearInput};
use crate::error::FieldError;
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage};
use crate::institution::setup::{Actions, Current, Filter, Paths, Register};
use crate::web::list::Listing;
use crate::web::time::day;

pub struct Years;

/// A span in words: "1 Jul 2026 to 30 Jun 2027".
pub fn span_words(starts: time::Date, ends: time::Date) -> String {
    format!("{} to {}", day(starts), day(ends))
}

impl Register for Years {
    const ONE: &'static str = "academic year";
    const MANY: &'static str = "academic years";
    const TITLE: &'static str = "Academic years";
    const LEAD: &'static str =
        "The college's years, one of them current; terms lie within them and no two years overlap.";
    const OBJECT: &'static str = "academic_year";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/years");
    const ACTIONS: Actions = crate::institution::setup::actions!("academic_year");
    const SORTS: &'static [&'static str] = &["starts", "name"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("name", "Name"),
        Column::sorted("starts", "Dates"),
        Column::plain("Terms"),
        Column::plain("Current"),
    ];
    const RETIRES: bool = false;
    const WITHIN: Option<&'static str> = None;
    const CURRENT: Option<Current> = Some(Current {
        path: "/setup/years/{id}/make-current",
        action: "academic_year.made_current",
    });

    type Row = AcademicYear;
    type Input = AcademicYearInput;
    type Form = AcademicYearInput;

    fn id(row: &AcademicYear) -> Uuid {
        row.id
    }

    fn label(row: &AcademicYear) -> String {
        format!("Academic year {}", row.name)
    }

    fn is_current(row: &AcademicYear) -> bool {
        row.current
    }

    fn cells(row: &AcademicYear) -> Vec<Cell> {
        vec![
            Cell::link(&row.name, format!("/setup/years/{}", row.id)),
            Cell::text(span_words(row.starts_on, row.ends_on)),
            Cell::link(
                row.terms.to_string(),
                format!("/setup/terms?within={}", row.id),
            ),
            Cell::text(if row.current { "Current" } else { "" }),
        ]
    }

    fn facts(row: &AcademicYear) -> Vec<Fact> {
        vec![
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new("First day", Cell::text(day(row.starts_on))),
            Fact::new("Last day", Cell::text(day(row.ends_on))),
            Fact::new(
                "Current",
                Cell::text(if row.current { "Yes" } else { "No" }),
            ),
        ]
    }

    fn input_of(row: &AcademicYear) -> AcademicYearInput {
        AcademicYearInput {
            name: row.name.clone(),
            starts_on: row.starts_on.to_string(),
            ends_on: row.ends_on.to_string(),
        }
    }

    fn form_of(input: &AcademicYearInput) -> AcademicYearInput {
        input.clone()
    }

    fn parse(form: &AcademicYearInput) -> (AcademicYearInput, Vec<FieldError>) {
        (form.clone(), Vec::new())
    }

    fn check(input: &AcademicYearInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "academic_years_name_unique" => Some(("name", "is taken by another academic year")),
            "academic_years_no_overlap" => Some(("starts_on", "overlaps another academic year")),
            "terms_within_year" => Some((
                "starts_on",
                "would leave one of its terms outside the year: change the terms first",
            )),
            _ => None,
        }
    }

    async fn fields(
        _: &mut PgConnection,
        form: &AcademicYearInput,
    ) -> Result<Vec<Field>, sqlx::Error> {
        Ok(vec![
            Field::new("name", "Name", Kind::Text, &form.name).hint("e.g. 2026–27"),
            Field::new("starts_on", "First day", Kind::Date, &form.starts_on),
            Field::new("ends_on", "Last day", Kind::Date, &form.ends_on),
        ])
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<AcademicYear>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT y.id, y.name, y.starts_on, y.ends_on, y.is_current,
                      (SELECT count(*) FROM terms t WHERE t.college_id = y.college_id AND t.academic_year_id = y.id) AS "terms!",
                      count(*) OVER () AS "total!"
               FROM academic_years y
               WHERE ($1 = '' OR y.name ILIKE $2)
               ORDER BY CASE WHEN $3 = 'name' AND NOT $4 THEN y.name END,
                        CASE WHEN $3 = 'name' AND $4 THEN y.name END DESC,
                        CASE WHEN $3 = 'starts' AND $4 THEN y.starts_on END DESC,
                        y.starts_on
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
                .map(|r| AcademicYear {
                    id: r.id,
                    name: r.name,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    current: r.is_current,
                    terms: r.terms,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<AcademicYear>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM academic_years WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        sqlx::query_as!(
            AcademicYear,
            r#"SELECT y.id, y.name, y.starts_on, y.ends_on, y.is_current AS current,
                      (SELECT count(*) FROM terms t WHERE t.college_id = y.college_id AND t.academic_year_id = y.id) AS "terms!"
               FROM academic_years y WHERE y.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let terms = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM terms WHERE academic_year_id = $1"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(terms, "term", "terms").listed_at(format!("/setup/terms?within={id}")),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &AcademicYearInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let Some((starts, ends)) = input.span() else {
            return Ok(Err(input.problems()));
        };
        let overlap = sqlx::query!(
            "SELECT name, starts_on, ends_on FROM academic_years \
             WHERE id IS DISTINCT FROM $1 AND daterange(starts_on, ends_on, '[]') && daterange($2, $3, '[]') \
             ORDER BY starts_on LIMIT 1",
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
                    "overlaps the academic year {} ({})",
                    other.name,
                    span_words(other.starts_on, other.ends_on)
                ),
            )]));
        }
        if let Some(id) = id {
            let outside = sqlx::query!(
                "SELECT name, starts_on, ends_on FROM terms \
                 WHERE academic_year_id = $1 AND (starts_on < $2 OR ends_on > $3) ORDER BY starts_on LIMIT 1",
                id,
                starts,
                ends
            )
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(term) = outside {
                return Ok(Err(vec![FieldError::new(
                    "starts_on",
                    format!(
                        "would leave its term {} ({}) outside the year: change the term first",
                        term.name,
                        span_words(term.starts_on, term.ends_on)
                    ),
                )]));
            }
        }
        let name = input.name.trim();
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO academic_years (college_id, name, starts_on, ends_on) \
                     VALUES (app_current_college(), $1, $2, $3) RETURNING id",
                    name,
                    starts,
                    ends
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE academic_years SET name = $2, starts_on = $3, ends_on = $4 WHERE id = $1",
                    id,
                    name,
                    starts,
                    ends
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM academic_years WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// The year becomes current; the current term becomes one of its own (the database
    /// chooses it: the one running today, else the next, else the nearest).
    async fn make_current(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE academic_years SET is_current = false WHERE is_current AND id <> $1",
            id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "UPDATE academic_years SET is_current = true WHERE id = $1",
            id
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!("SELECT calendar_settle_current(app_current_college())")
            .execute(conn)
            .await?;
        Ok(())
    }
}
