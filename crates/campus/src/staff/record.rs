//! Staff records kept by the college: created, edited, marked as left (kept, with the
//! teaching and advising they are part of) or deleted while nothing refers to them, and
//! imported from CSV. A register of the setup machinery; the list and the profile are
//! this module's own pages (`/staff`, `/staff/{id}`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::error::FieldError;
use crate::institution::setup::import::Import;
use crate::institution::setup::rules::{code, code_of, name_problem, optional, resolved, words_of};
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage, options};
use crate::institution::setup::{Actions, Filter, Paths, Register, RetireWords};
use crate::people::model::{Email, phone_problem};
use crate::web::clock::parse_date;
use crate::web::list::Listing;

/// How a staff member is employed, stored code and words.
pub const EMPLOYMENT: [(&str, &str); 4] = [
    ("full_time", "Full time"),
    ("part_time", "Part time"),
    ("visiting", "Visiting"),
    ("contract", "Contract"),
];

/// The statuses a record is given by its form; `left` is given by marking it so.
const PRESENT: [(&str, &str); 2] = [("active", "Active"), ("on_leave", "On leave")];

/// A staff member's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = StaffRecord)]
pub struct StaffRow {
    pub id: Uuid,
    pub staff_number: String,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub department_id: Option<Uuid>,
    /// The department's code.
    pub department: Option<String>,
    /// `full_time`, `part_time`, `visiting` or `contract`.
    pub employment_type: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(serialize_with = "crate::web::json::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub joined_on: Option<Date>,
    /// `active`, `on_leave` or `left`.
    pub status: String,
    /// The account they sign in with, if they have one.
    pub user_id: Option<Uuid>,
    /// Whether they have left (the record kept).
    pub retired: bool,
}

/// A staff record as it is saved; also its form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = StaffInput)]
#[serde(default)]
pub struct StaffInput {
    /// Capital letters, digits and hyphens, 3 to 30, e.g. `ST-0042`; unique.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{2,29}$")]
    pub staff_number: String,
    #[schema(pattern = "^\\S.{0,98}\\S?$")]
    pub first_name: String,
    #[schema(pattern = "^\\S.{0,98}\\S?$")]
    pub last_name: String,
    /// e.g. `Associate Professor`.
    #[schema(max_length = 100)]
    pub title: String,
    /// The department, by code; empty for none.
    pub department: String,
    #[schema(pattern = "^(|full_time|part_time|visiting|contract)$")]
    pub employment_type: String,
    /// Empty for none.
    pub email: String,
    pub phone: String,
    /// e.g. `2019-07-01`; empty for none.
    #[schema(pattern = "^(|[0-9]{4}-[0-9]{2}-[0-9]{2})$")]
    pub joined_on: String,
    /// `active` or `on_leave`; a record is marked as left by its own action.
    #[schema(pattern = "^(|active|on_leave)$")]
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = StaffPatch)]
pub struct StaffPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{2,29}$")]
    pub staff_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,98}\\S?$")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^\\S.{0,98}\\S?$")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(|full_time|part_time|visiting|contract)$")]
    pub employment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(|[0-9]{4}-[0-9]{2}-[0-9]{2})$")]
    pub joined_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^(|active|on_leave)$")]
    pub status: Option<String>,
}

impl StaffInput {
    /// The employment type and status as saved: a blank one is the usual.
    fn employment(&self) -> &str {
        match self.employment_type.trim() {
            "" => "full_time",
            typed => typed,
        }
    }

    fn presence(&self) -> &str {
        match self.status.trim() {
            "" => "active",
            typed => typed,
        }
    }

    pub fn problems(&self) -> Vec<FieldError> {
        let number = code(&self.staff_number);
        let mut found: Vec<FieldError> = Vec::new();
        let number_ok = (3..=30).contains(&number.len())
            && number.starts_with(|c: char| c.is_ascii_alphanumeric())
            && number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if number.is_empty() {
            found.push(FieldError::new("staff_number", "is required"));
        } else if !number_ok {
            found.push(FieldError::new(
                "staff_number",
                "must be 3 to 30 capital letters, digits and hyphens, e.g. ST-0042",
            ));
        }
        found.extend(name_problem("first_name", &self.first_name, 1, 100));
        found.extend(name_problem("last_name", &self.last_name, 1, 100));
        if self.title.trim().chars().count() > 100 {
            found.push(FieldError::new("title", "must be at most 100 characters"));
        }
        if !EMPLOYMENT.iter().any(|(e, _)| *e == self.employment()) {
            found.push(FieldError::new(
                "employment_type",
                "must be one of full_time, part_time, visiting, contract",
            ));
        }
        if !PRESENT.iter().any(|(s, _)| *s == self.presence()) {
            found.push(FieldError::new(
                "status",
                "must be active or on_leave (mark a record as left with its own action)",
            ));
        }
        if !self.email.trim().is_empty()
            && let Err(e) = Email::parse("email", self.email.trim())
        {
            found.push(e);
        }
        if !self.phone.trim().is_empty() {
            found.extend(phone_problem("phone", &self.phone));
        }
        if !self.joined_on.trim().is_empty()
            && let Err(e) = parse_date("joined_on", &self.joined_on)
        {
            found.push(e);
        }
        found
    }
}

pub struct Staff;

impl Register for Staff {
    const ONE: &'static str = "staff member";
    const MANY: &'static str = "staff";
    const TITLE: &'static str = "Staff";
    const LEAD: &'static str = "The college's teaching and support staff.";
    const OBJECT: &'static str = "staff";
    const PATHS: Paths = Paths {
        list: "/staff",
        new: "/staff/new",
        one: "/staff/{id}",
        edit: "/staff/{id}/edit",
        delete: "/staff/{id}/delete",
        retire: "/staff/{id}/left",
        restore: "/staff/{id}/returned",
    };
    const ACTIONS: Actions = Actions {
        created: "staff.created",
        changed: "staff.changed",
        deleted: "staff.deleted",
        retired: "staff.left",
        restored: "staff.returned",
    };
    const SORTS: &'static [&'static str] = &["number", "name"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("number", "Staff number"),
        Column::sorted("name", "Name"),
        Column::plain("Title"),
        Column::plain("Department"),
        Column::plain("Employment"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = Some("Department");
    const IMPORT: Option<Import> = Some(Import {
        page: "/staff/import",
        required: &["staff_number", "first_name", "last_name"],
        optional: &[
            "title",
            "department",
            "employment_type",
            "email",
            "phone",
            "joined_on",
            "status",
        ],
        example: "ST-0042,Asha,Rao,Associate Professor,CSE,full_time,asha.rao@college.edu,+91 98765 43210,2019-07-01,active",
    });
    const READ: Permission = Permission::StaffRead;
    const MANAGE: Permission = Permission::StaffManage;
    const OWN_PAGES: bool = true;
    const AREA: (&'static str, &'static str) = ("Staff", "/staff");
    const RETIRE_WORDS: RetireWords = RetireWords {
        instead: "Mark them as left instead: the record stays with their teaching and advising.",
        done: "is marked as left: the record is kept",
        undone: "is back at work",
    };

    type Row = StaffRow;
    type Input = StaffInput;
    type Form = StaffInput;

    fn id(row: &StaffRow) -> Uuid {
        row.id
    }

    fn label(row: &StaffRow) -> String {
        format!(
            "{} {} ({})",
            row.first_name, row.last_name, row.staff_number
        )
    }

    fn is_retired(row: &StaffRow) -> bool {
        row.retired
    }

    fn cells(row: &StaffRow) -> Vec<Cell> {
        vec![
            Cell::link(&row.staff_number, format!("/staff/{}", row.id)),
            Cell::text(format!("{} {}", row.first_name, row.last_name)),
            Cell::maybe(row.title.clone()),
            Cell::maybe(row.department.clone()),
            Cell::text(words_of(&EMPLOYMENT, &row.employment_type)),
            Cell::text(crate::web::words::label(&row.status)),
        ]
    }

    fn facts(row: &StaffRow) -> Vec<Fact> {
        vec![
            Fact::new("Staff number", Cell::text(&row.staff_number)),
            Fact::new(
                "Employment",
                Cell::text(words_of(&EMPLOYMENT, &row.employment_type)),
            ),
        ]
    }

    fn input_of(row: &StaffRow) -> StaffInput {
        StaffInput {
            staff_number: row.staff_number.clone(),
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            title: row.title.clone().unwrap_or_default(),
            department: row.department.clone().unwrap_or_default(),
            employment_type: row.employment_type.clone(),
            email: row.email.clone().unwrap_or_default(),
            phone: row.phone.clone().unwrap_or_default(),
            joined_on: row.joined_on.map(|d| d.to_string()).unwrap_or_default(),
            // A record that has left is edited as it was before; leaving is its own action.
            status: if row.status == "left" {
                "active".to_string()
            } else {
                row.status.clone()
            },
        }
    }

    fn form_of(input: &StaffInput) -> StaffInput {
        input.clone()
    }

    fn parse(form: &StaffInput) -> (StaffInput, Vec<FieldError>) {
        (form.clone(), Vec::new())
    }

    fn check(input: &StaffInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "staff_number_unique" => Some(("staff_number", "is another staff member's")),
            _ => None,
        }
    }

    /// Employment types and statuses may be written in words ("Part time").
    fn form_of_cells(cells: &BTreeMap<String, String>) -> Result<StaffInput, String> {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        Ok(StaffInput {
            staff_number: cell("staff_number"),
            first_name: cell("first_name"),
            last_name: cell("last_name"),
            title: cell("title"),
            department: cell("department"),
            employment_type: code_of(&EMPLOYMENT, &cell("employment_type")),
            email: cell("email"),
            phone: cell("phone"),
            joined_on: cell("joined_on"),
            status: code_of(&PRESENT, &cell("status")),
        })
    }

    async fn existing(
        conn: &mut PgConnection,
        input: &StaffInput,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT id FROM staff WHERE staff_number = $1",
            code(&input.staff_number)
        )
        .fetch_optional(conn)
        .await
    }

    async fn fields(conn: &mut PgConnection, form: &StaffInput) -> Result<Vec<Field>, sqlx::Error> {
        let departments = sqlx::query!(
            "SELECT code, name FROM departments WHERE retired_at IS NULL OR code = $1 ORDER BY code",
            code(&form.department)
        )
        .fetch_all(conn)
        .await?;
        let mut choices = vec![(String::new(), "None".to_string())];
        choices.extend(
            departments
                .into_iter()
                .map(|d| (d.code.clone(), format!("{} — {}", d.code, d.name))),
        );
        Ok(vec![
            Field::new(
                "staff_number",
                "Staff number",
                Kind::Text,
                &form.staff_number,
            )
            .hint("Capital letters, digits and hyphens, e.g. ST-0042"),
            Field::new("first_name", "First name", Kind::Text, &form.first_name),
            Field::new("last_name", "Last name", Kind::Text, &form.last_name),
            Field::new("title", "Title", Kind::Text, &form.title).hint("e.g. Associate Professor"),
            Field::new(
                "department",
                "Department",
                Kind::Select,
                &code(&form.department),
            )
            .options(choices),
            Field::new(
                "employment_type",
                "Employment",
                Kind::Select,
                form.employment(),
            )
            .options(options(&EMPLOYMENT)),
            Field::new("email", "Email", Kind::Text, &form.email).hint(
                "Where the college writes to them; their account's sign-in is set under Users",
            ),
            Field::new("phone", "Phone", Kind::Text, &form.phone),
            Field::new("joined_on", "Joined on", Kind::Date, &form.joined_on),
            Field::new("status", "Status", Kind::Select, form.presence())
                .options(options(&PRESENT)),
        ])
    }

    async fn within_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        Ok(
            sqlx::query!("SELECT id, code FROM departments ORDER BY code")
                .fetch_all(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r.code))
                .collect(),
        )
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<StaffRow>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT s.id, s.staff_number, s.first_name, s.last_name, s.title, s.department_id, d.code AS "department?",
                      s.employment_type, s.email::text AS email, s.phone, s.joined_on, s.status, s.user_id,
                      count(*) OVER () AS "total!"
               FROM staff s LEFT JOIN departments d ON d.college_id = s.college_id AND d.id = s.department_id
               WHERE ($1 = '' OR s.staff_number ILIKE $2 OR s.first_name || ' ' || s.last_name ILIKE $2)
                 AND ($3::bool IS NULL OR (s.status = 'left') = $3)
                 AND ($4::uuid IS NULL OR s.department_id = $4)
               ORDER BY CASE WHEN $5 = 'name' AND NOT $6 THEN s.last_name || ' ' || s.first_name END,
                        CASE WHEN $5 = 'name' AND $6 THEN s.last_name || ' ' || s.first_name END DESC,
                        CASE WHEN $5 = 'number' AND $6 THEN s.staff_number END DESC,
                        s.staff_number
               LIMIT $7 OFFSET $8"#,
            filter.q,
            filter.pattern(),
            filter.show.retired(),
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
                .map(|r| StaffRow {
                    id: r.id,
                    staff_number: r.staff_number,
                    first_name: r.first_name,
                    last_name: r.last_name,
                    title: r.title,
                    department_id: r.department_id,
                    department: r.department,
                    employment_type: r.employment_type,
                    email: r.email,
                    phone: r.phone,
                    joined_on: r.joined_on,
                    retired: r.status == "left",
                    status: r.status,
                    user_id: r.user_id,
                })
                .collect(),
            total,
        ))
    }

    async fn find(
        conn: &mut PgConnection,
        id: Uuid,
        lock: bool,
    ) -> Result<Option<StaffRow>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM staff WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query!(
            r#"SELECT s.id, s.staff_number, s.first_name, s.last_name, s.title, s.department_id, d.code AS "department?",
                      s.employment_type, s.email::text AS email, s.phone, s.joined_on, s.status, s.user_id
               FROM staff s LEFT JOIN departments d ON d.college_id = s.college_id AND d.id = s.department_id
               WHERE s.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|r| StaffRow {
            id: r.id,
            staff_number: r.staff_number,
            first_name: r.first_name,
            last_name: r.last_name,
            title: r.title,
            department_id: r.department_id,
            department: r.department,
            employment_type: r.employment_type,
            email: r.email,
            phone: r.phone,
            joined_on: r.joined_on,
            retired: r.status == "left",
            status: r.status,
            user_id: r.user_id,
        }))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM section_teachers WHERE staff_id = $1) AS "sections!",
                      (SELECT count(*) FROM students WHERE advisor_staff_id = $1) AS "advisees!",
                      (SELECT count(*) FROM departments WHERE head_staff_id = $1) AS "heads!",
                      (SELECT count(*) FROM staff WHERE id = $1 AND user_id IS NOT NULL) AS "account!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.sections, "section taught", "sections taught"),
            Usage::new(r.advisees, "advisee", "advisees"),
            Usage::new(r.heads, "department headed", "departments headed"),
            Usage::new(r.account, "sign-in account", "sign-in accounts"),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &StaffInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let department = match optional(&input.department) {
            None => None,
            Some(typed) => {
                let found = sqlx::query!(
                    r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM departments WHERE code = $1"#,
                    code(&typed)
                )
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| (r.id, r.retired));
                let current = match id {
                    Some(id) => {
                        sqlx::query_scalar!("SELECT department_id FROM staff WHERE id = $1", id)
                            .fetch_optional(&mut *conn)
                            .await?
                            .flatten()
                    }
                    None => None,
                };
                match resolved("department", "department", &typed, found, current) {
                    Ok(department) => Some(department),
                    Err(e) => return Ok(Err(e)),
                }
            }
        };
        let joined = optional(&input.joined_on).and_then(|d| parse_date("joined_on", &d).ok());
        let email = optional(&input.email).map(|e| e.to_lowercase());
        let (number, first, last) = (
            code(&input.staff_number),
            input.first_name.trim(),
            input.last_name.trim(),
        );
        let (title, phone) = (optional(&input.title), optional(&input.phone));
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO staff (college_id, staff_number, first_name, last_name, title, department_id, \
                         employment_type, email, phone, joined_on, status) \
                     VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    number,
                    first,
                    last,
                    title,
                    department,
                    input.employment(),
                    email,
                    phone,
                    joined,
                    input.presence()
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                // A record that has left stays so: only its own action brings it back.
                sqlx::query!(
                    "UPDATE staff SET staff_number = $2, first_name = $3, last_name = $4, title = $5, department_id = $6, \
                         employment_type = $7, email = $8, phone = $9, joined_on = $10, \
                         status = CASE WHEN status = 'left' THEN 'left' ELSE $11 END, updated_at = now() \
                     WHERE id = $1",
                    id,
                    number,
                    first,
                    last,
                    title,
                    department,
                    input.employment(),
                    email,
                    phone,
                    joined,
                    input.presence()
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM staff WHERE id = $1", id)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn set_retired(
        conn: &mut PgConnection,
        id: Uuid,
        retired: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            "UPDATE staff SET status = CASE WHEN $2 THEN 'left' ELSE 'active' END, updated_at = now() WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
