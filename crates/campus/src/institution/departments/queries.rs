//! The departments' and programs' registers: listed, read, written, retired and
//! deleted, and what uses each.

use std::collections::BTreeMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::{
    Department, DepartmentForm, DepartmentInput, LEVELS, Program, ProgramForm, ProgramInput,
};
use crate::error::FieldError;
use crate::institution::setup::import::Import;
use crate::institution::setup::rules::{code, code_of, optional, resolved, whole, words_of};
use crate::institution::setup::view::{Cell, Column, Fact, Field, Kind, Usage, options};
use crate::institution::setup::{Actions, Filter, Paths, Register};
use crate::web::list::Listing;

pub struct Departments;
pub struct Programs;

struct DepartmentRecord {
    id: Uuid,
    code: String,
    name: String,
    building_id: Option<Uuid>,
    building: Option<String>,
    head_staff_id: Option<Uuid>,
    head: Option<String>,
    head_name: Option<String>,
    programs: i64,
    staff: i64,
    retired: bool,
}

impl From<DepartmentRecord> for Department {
    fn from(r: DepartmentRecord) -> Department {
        Department {
            id: r.id,
            code: r.code,
            name: r.name,
            building_id: r.building_id,
            building: r.building,
            head_staff_id: r.head_staff_id,
            head: r.head,
            head_name: r.head_name,
            programs: r.programs,
            staff: r.staff,
            retired: r.retired,
        }
    }
}

impl Register for Departments {
    const ONE: &'static str = "department";
    const MANY: &'static str = "departments";
    const TITLE: &'static str = "Departments";
    const LEAD: &'static str = "Academic and administrative departments, their heads and where they are housed. Programs and courses belong to a department.";
    const OBJECT: &'static str = "department";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/departments");
    const ACTIONS: Actions = crate::institution::setup::actions!("department");
    const SORTS: &'static [&'static str] = &["code", "name"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("code", "Code"),
        Column::sorted("name", "Name"),
        Column::plain("Head"),
        Column::plain("Building"),
        Column::plain("Programs"),
        Column::plain("Staff"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = Some("Building");

    type Row = Department;
    type Input = DepartmentInput;
    type Form = DepartmentForm;
    const IMPORT: Option<Import> = Some(Import {
        page: "/setup/departments/import",
        required: &["code", "name"],
        optional: &["building", "head"],
        example: "CSE,Computer Science and Engineering,ENG,ST-0001",
    });

    fn id(row: &Department) -> Uuid {
        row.id
    }

    fn label(row: &Department) -> String {
        format!("Department {}", row.code)
    }

    fn is_retired(row: &Department) -> bool {
        row.retired
    }

    fn cells(row: &Department) -> Vec<Cell> {
        vec![
            Cell::link(&row.code, format!("/setup/departments/{}", row.id)),
            Cell::text(&row.name),
            head_cell(row),
            building_cell(row),
            Cell::link(
                row.programs.to_string(),
                format!("/setup/programs?within={}&show=all", row.id),
            ),
            Cell::text(row.staff.to_string()),
            Cell::status(row.retired),
        ]
    }

    fn facts(row: &Department) -> Vec<Fact> {
        vec![
            Fact::new("Code", Cell::text(&row.code)),
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new("Head", head_cell(row)),
            Fact::new("Building", building_cell(row)),
        ]
    }

    fn input_of(row: &Department) -> DepartmentInput {
        DepartmentInput {
            code: row.code.clone(),
            name: row.name.clone(),
            building: row.building.clone(),
            head: row.head.clone(),
        }
    }

    fn form_of(input: &DepartmentInput) -> DepartmentForm {
        DepartmentForm {
            code: input.code.clone(),
            name: input.name.clone(),
            building: input.building.clone().unwrap_or_default(),
            head: input.head.clone().unwrap_or_default(),
        }
    }

    fn parse(form: &DepartmentForm) -> (DepartmentInput, Vec<FieldError>) {
        (
            DepartmentInput {
                code: form.code.clone(),
                name: form.name.clone(),
                building: optional(&form.building),
                head: optional(&form.head),
            },
            Vec::new(),
        )
    }

    fn check(input: &DepartmentInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "departments_code_unique" => Some(("code", "is taken by another department")),
            _ => None,
        }
    }

    async fn existing(
        conn: &mut PgConnection,
        input: &DepartmentInput,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar!(
            "SELECT id FROM departments WHERE code = $1",
            code(&input.code)
        )
        .fetch_optional(conn)
        .await
    }

    async fn fields(
        conn: &mut PgConnection,
        form: &DepartmentForm,
    ) -> Result<Vec<Field>, sqlx::Error> {
        let buildings = sqlx::query!(
            "SELECT code, name FROM buildings WHERE retired_at IS NULL OR code = $1 ORDER BY code",
            code(&form.building)
        )
        .fetch_all(conn)
        .await?;
        let mut choices = vec![(String::new(), "None (it spans buildings)".to_string())];
        choices.extend(
            buildings
                .into_iter()
                .map(|b| (b.code.clone(), format!("{} — {}", b.code, b.name))),
        );
        Ok(vec![
            Field::new("code", "Code", Kind::Text, &form.code)
                .hint("Capital letters, digits and hyphens, e.g. CSE"),
            Field::new("name", "Name", Kind::Text, &form.name),
            Field::new("building", "Building", Kind::Select, &code(&form.building))
                .options(choices),
            Field::new("head", "Head (staff number)", Kind::Text, &form.head)
                .hint("Leave empty if there is none yet"),
        ])
    }

    async fn within_options(conn: &mut PgConnection) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
        Ok(sqlx::query!("SELECT id, code FROM buildings ORDER BY code")
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.code))
            .collect())
    }

    async fn list(
        conn: &mut PgConnection,
        filter: &Filter,
        listing: &Listing,
    ) -> Result<(Vec<Department>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT d.id, d.code, d.name, d.building_id, b.code AS "building?", d.head_staff_id,
                      s.staff_number AS "head?", s.first_name || ' ' || s.last_name AS "head_name?",
                      (SELECT count(*) FROM programs p WHERE p.college_id = d.college_id AND p.department_id = d.id) AS "programs!",
                      (SELECT count(*) FROM staff x WHERE x.college_id = d.college_id AND x.department_id = d.id) AS "staff!",
                      d.retired_at IS NOT NULL AS "retired!", count(*) OVER () AS "total!"
               FROM departments d
               LEFT JOIN buildings b ON b.college_id = d.college_id AND b.id = d.building_id
               LEFT JOIN staff s ON s.college_id = d.college_id AND s.id = d.head_staff_id
               WHERE ($1 = '' OR d.code ILIKE $2 OR d.name ILIKE $2)
                 AND ($3::bool IS NULL OR (d.retired_at IS NOT NULL) = $3)
                 AND ($4::uuid IS NULL OR d.building_id = $4)
               ORDER BY CASE WHEN $5 = 'name' AND NOT $6 THEN d.name END,
                        CASE WHEN $5 = 'name' AND $6 THEN d.name END DESC,
                        CASE WHEN $5 = 'code' AND $6 THEN d.code END DESC,
                        d.code
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
                .map(|r| {
                    Department::from(DepartmentRecord {
                        id: r.id,
                        code: r.code,
                        name: r.name,
                        building_id: r.building_id,
                        building: r.building,
                        head_staff_id: r.head_staff_id,
                        head: r.head,
                        head_name: r.head_name,
                        programs: r.programs,
                        staff: r.staff,
                        retired: r.retired,
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
    ) -> Result<Option<Department>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM departments WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query_as!(
            DepartmentRecord,
            r#"SELECT d.id, d.code, d.name, d.building_id, b.code AS "building?", d.head_staff_id,
                      s.staff_number AS "head?", s.first_name || ' ' || s.last_name AS "head_name?",
                      (SELECT count(*) FROM programs p WHERE p.college_id = d.college_id AND p.department_id = d.id) AS "programs!",
                      (SELECT count(*) FROM staff x WHERE x.college_id = d.college_id AND x.department_id = d.id) AS "staff!",
                      d.retired_at IS NOT NULL AS "retired!"
               FROM departments d
               LEFT JOIN buildings b ON b.college_id = d.college_id AND b.id = d.building_id
               LEFT JOIN staff s ON s.college_id = d.college_id AND s.id = d.head_staff_id
               WHERE d.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(Department::from))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM programs WHERE department_id = $1) AS "programs!",
                      (SELECT count(*) FROM staff WHERE department_id = $1) AS "staff!",
                      (SELECT count(*) FROM courses WHERE department_id = $1) AS "courses!",
                      (SELECT count(*) FROM role_assignments WHERE department_id = $1) AS "roles!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.programs, "program", "programs")
                .listed_at(format!("/setup/programs?within={id}&show=all")),
            Usage::new(r.staff, "staff member", "staff members"),
            Usage::new(r.courses, "course", "courses"),
            Usage::new(
                r.roles,
                "role given for the department",
                "roles given for the department",
            ),
        ])
    }

    async fn active_within(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let programs = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM programs WHERE department_id = $1 AND retired_at IS NULL"#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(programs, "program", "programs")
                .listed_at(format!("/setup/programs?within={id}")),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &DepartmentInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let current = match id {
            Some(id) => sqlx::query!(
                "SELECT building_id, head_staff_id FROM departments WHERE id = $1",
                id
            )
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.building_id, r.head_staff_id)),
            None => None,
        };
        let mut errors = Vec::new();
        let building = match input
            .building
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            None => None,
            Some(typed) => {
                let found = sqlx::query!(
                    r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM buildings WHERE code = $1"#,
                    code(typed)
                )
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| (r.id, r.retired));
                match resolved(
                    "building",
                    "building",
                    typed,
                    found,
                    current.and_then(|c| c.0),
                ) {
                    Ok(id) => Some(id),
                    Err(e) => {
                        errors.extend(e);
                        None
                    }
                }
            }
        };
        let head = match input
            .head
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            None => None,
            Some(typed) => {
                let found = sqlx::query_scalar!(
                    "SELECT id FROM staff WHERE staff_number = $1",
                    code(typed)
                )
                .fetch_optional(&mut *conn)
                .await?;
                if found.is_none() {
                    errors.push(FieldError::new(
                        "head",
                        format!("no staff member has the number {}", code(typed)),
                    ));
                }
                found
            }
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let (code, name) = (code(&input.code), input.name.trim());
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO departments (college_id, code, name, building_id, head_staff_id) \
                     VALUES (app_current_college(), $1, $2, $3, $4) RETURNING id",
                    code,
                    name,
                    building,
                    head
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE departments SET code = $2, name = $3, building_id = $4, head_staff_id = $5 WHERE id = $1",
                    id,
                    code,
                    name,
                    building,
                    head
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM departments WHERE id = $1", id)
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
            "UPDATE departments SET retired_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

fn head_cell(row: &Department) -> Cell {
    match (&row.head_staff_id, &row.head_name) {
        (Some(id), Some(name)) => Cell::link(name, format!("/staff/{id}")),
        _ => Cell::maybe(None::<String>),
    }
}

fn building_cell(row: &Department) -> Cell {
    match (&row.building_id, &row.building) {
        (Some(id), Some(code)) => Cell::link(code, format!("/setup/buildings/{id}")),
        _ => Cell::maybe(None::<String>),
    }
}

struct ProgramRecord {
    id: Uuid,
    code: String,
    name: String,
    department_id: Uuid,
    department: String,
    level: String,
    duration_years: i16,
    intake_capacity: Option<i32>,
    students: i64,
    retired: bool,
}

impl From<ProgramRecord> for Program {
    fn from(r: ProgramRecord) -> Program {
        Program {
            id: r.id,
            code: r.code,
            name: r.name,
            department_id: r.department_id,
            department: r.department,
            level: r.level,
            duration_years: r.duration_years,
            intake_capacity: r.intake_capacity,
            students: r.students,
            retired: r.retired,
        }
    }
}

impl Register for Programs {
    const ONE: &'static str = "program";
    const MANY: &'static str = "programs";
    const TITLE: &'static str = "Programs";
    const LEAD: &'static str = "What students enrol in: each offered by a department, with its level, length and yearly intake.";
    const OBJECT: &'static str = "program";
    const PATHS: Paths = crate::institution::setup::paths!("/setup/programs");
    const ACTIONS: Actions = crate::institution::setup::actions!("program");
    const SORTS: &'static [&'static str] = &["code", "name", "department", "level", "duration"];
    const COLUMNS: &'static [Column] = &[
        Column::sorted("code", "Code"),
        Column::sorted("name", "Name"),
        Column::sorted("department", "Department"),
        Column::sorted("level", "Level"),
        Column::figure("duration", "Years"),
        Column::plain("Intake"),
        Column::plain("Students"),
        Column::plain("Status"),
    ];
    const RETIRES: bool = true;
    const WITHIN: Option<&'static str> = Some("Department");

    type Row = Program;
    type Input = ProgramInput;
    type Form = ProgramForm;
    const IMPORT: Option<Import> = Some(Import {
        page: "/setup/programs/import",
        required: &["code", "name", "department", "level", "duration_years"],
        optional: &["intake_capacity"],
        example: "BTECH-CSE,B.Tech Computer Science,CSE,undergraduate,4,120",
    });

    fn id(row: &Program) -> Uuid {
        row.id
    }

    fn label(row: &Program) -> String {
        format!("Program {}", row.code)
    }

    fn is_retired(row: &Program) -> bool {
        row.retired
    }

    fn cells(row: &Program) -> Vec<Cell> {
        vec![
            Cell::link(&row.code, format!("/setup/programs/{}", row.id)),
            Cell::text(&row.name),
            Cell::link(
                &row.department,
                format!("/setup/departments/{}", row.department_id),
            ),
            Cell::text(words_of(&LEVELS, &row.level)),
            Cell::text(row.duration_years.to_string()),
            Cell::maybe(row.intake_capacity.map(|n| n.to_string())),
            Cell::link(
                row.students.to_string(),
                format!("/students?program={}", row.code),
            ),
            Cell::status(row.retired),
        ]
    }

    fn facts(row: &Program) -> Vec<Fact> {
        vec![
            Fact::new("Code", Cell::text(&row.code)),
            Fact::new("Name", Cell::text(&row.name)),
            Fact::new(
                "Department",
                Cell::link(
                    &row.department,
                    format!("/setup/departments/{}", row.department_id),
                ),
            ),
            Fact::new("Level", Cell::text(words_of(&LEVELS, &row.level))),
            Fact::new("Years of study", Cell::text(row.duration_years.to_string())),
            Fact::new(
                "Intake a year",
                Cell::maybe(row.intake_capacity.map(|n| n.to_string())),
            ),
            // Each year's courses are kept where its week is built.
            Fact::new(
                "Curriculum",
                Cell::link(
                    "Each year's courses and week, in the timetable builder",
                    format!("/timetable/builder?program={}&year=1", row.id),
                ),
            ),
        ]
    }

    fn input_of(row: &Program) -> ProgramInput {
        ProgramInput {
            code: row.code.clone(),
            name: row.name.clone(),
            department: row.department.clone(),
            level: row.level.clone(),
            duration_years: row.duration_years,
            intake_capacity: row.intake_capacity,
        }
    }

    fn form_of(input: &ProgramInput) -> ProgramForm {
        ProgramForm {
            code: input.code.clone(),
            name: input.name.clone(),
            department: input.department.clone(),
            level: input.level.clone(),
            duration_years: input.duration_years.to_string(),
            intake_capacity: input
                .intake_capacity
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }

    fn parse(form: &ProgramForm) -> (ProgramInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let years = whole("duration_years", &form.duration_years, &mut errors);
        let intake = optional(&form.intake_capacity)
            .map(|typed| whole("intake_capacity", &typed, &mut errors));
        (
            ProgramInput {
                code: form.code.clone(),
                name: form.name.clone(),
                department: form.department.clone(),
                level: form.level.clone(),
                duration_years: i16::try_from(years).unwrap_or(i16::MAX),
                intake_capacity: intake,
            },
            errors,
        )
    }

    fn check(input: &ProgramInput) -> Vec<FieldError> {
        input.problems()
    }

    fn constraint(name: &str) -> Option<(&'static str, &'static str)> {
        match name {
            "programs_code_unique" => Some(("code", "is taken by another program")),
            _ => None,
        }
    }

    /// The level may be written in words ("Undergraduate").
    fn form_of_cells(cells: &BTreeMap<String, String>) -> Result<ProgramForm, String> {
        let cell = |name: &str| cells.get(name).cloned().unwrap_or_default();
        Ok(ProgramForm {
            code: cell("code"),
            name: cell("name"),
            department: cell("department"),
            level: code_of(&LEVELS, &cell("level")),
            duration_years: cell("duration_years"),
            intake_capacity: cell("intake_capacity"),
        })
    }

    async fn existing(
        conn: &mut PgConnection,
        input: &ProgramInput,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar!("SELECT id FROM programs WHERE code = $1", code(&input.code))
            .fetch_optional(conn)
            .await
    }

    async fn fields(
        conn: &mut PgConnection,
        form: &ProgramForm,
    ) -> Result<Vec<Field>, sqlx::Error> {
        let departments = sqlx::query!(
            "SELECT code, name FROM departments WHERE retired_at IS NULL OR code = $1 ORDER BY code",
            code(&form.department)
        )
        .fetch_all(conn)
        .await?;
        let mut choices = vec![(String::new(), "Choose a department".to_string())];
        choices.extend(
            departments
                .into_iter()
                .map(|d| (d.code.clone(), format!("{} — {}", d.code, d.name))),
        );
        let level = if form.level.is_empty() {
            "undergraduate"
        } else {
            form.level.as_str()
        };
        Ok(vec![
            Field::new("code", "Code", Kind::Text, &form.code)
                .hint("Capital letters, digits and hyphens, e.g. BTECH-CSE"),
            Field::new("name", "Name", Kind::Text, &form.name),
            Field::new(
                "department",
                "Department",
                Kind::Select,
                &code(&form.department),
            )
            .options(choices),
            Field::new("level", "Level", Kind::Select, level).options(options(&LEVELS)),
            Field::new(
                "duration_years",
                "Years of study",
                Kind::Number,
                &form.duration_years,
            )
            .hint("1 to 8"),
            Field::new(
                "intake_capacity",
                "Intake a year",
                Kind::Number,
                &form.intake_capacity,
            )
            .hint("Students admitted a year; leave empty if not fixed"),
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
    ) -> Result<(Vec<Program>, i64), sqlx::Error> {
        let rows = sqlx::query!(
            r#"SELECT p.id, p.code, p.name, p.department_id, d.code AS department, p.level, p.duration_years, p.intake_capacity,
                      (SELECT count(*) FROM students s WHERE s.college_id = p.college_id AND s.program_id = p.id) AS "students!",
                      p.retired_at IS NOT NULL AS "retired!", count(*) OVER () AS "total!"
               FROM programs p JOIN departments d ON d.college_id = p.college_id AND d.id = p.department_id
               WHERE ($1 = '' OR p.code ILIKE $2 OR p.name ILIKE $2)
                 AND ($3::bool IS NULL OR (p.retired_at IS NOT NULL) = $3)
                 AND ($4::uuid IS NULL OR p.department_id = $4)
               ORDER BY CASE WHEN $5 = 'name' AND NOT $6 THEN p.name END,
                        CASE WHEN $5 = 'name' AND $6 THEN p.name END DESC,
                        CASE WHEN $5 = 'department' AND NOT $6 THEN d.code END,
                        CASE WHEN $5 = 'department' AND $6 THEN d.code END DESC,
                        CASE WHEN $5 = 'level' AND NOT $6 THEN p.level END,
                        CASE WHEN $5 = 'level' AND $6 THEN p.level END DESC,
                        CASE WHEN $5 = 'duration' AND NOT $6 THEN p.duration_years END,
                        CASE WHEN $5 = 'duration' AND $6 THEN p.duration_years END DESC,
                        CASE WHEN $5 = 'code' AND $6 THEN p.code END DESC,
                        p.code
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
                .map(|r| {
                    Program::from(ProgramRecord {
                        id: r.id,
                        code: r.code,
                        name: r.name,
                        department_id: r.department_id,
                        department: r.department,
                        level: r.level,
                        duration_years: r.duration_years,
                        intake_capacity: r.intake_capacity,
                        students: r.students,
                        retired: r.retired,
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
    ) -> Result<Option<Program>, sqlx::Error> {
        if lock {
            sqlx::query!("SELECT id FROM programs WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *conn)
                .await?;
        }
        let row = sqlx::query_as!(
            ProgramRecord,
            r#"SELECT p.id, p.code, p.name, p.department_id, d.code AS department, p.level, p.duration_years, p.intake_capacity,
                      (SELECT count(*) FROM students s WHERE s.college_id = p.college_id AND s.program_id = p.id) AS "students!",
                      p.retired_at IS NOT NULL AS "retired!"
               FROM programs p JOIN departments d ON d.college_id = p.college_id AND d.id = p.department_id
               WHERE p.id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await?;
        Ok(row.map(Program::from))
    }

    async fn usage(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Usage>, sqlx::Error> {
        let r = sqlx::query!(
            r#"SELECT (SELECT count(*) FROM students WHERE program_id = $1) AS "students!",
                      (SELECT count(*) FROM intakes WHERE program_id = $1) AS "intakes!",
                      (SELECT count(*) FROM registration_windows WHERE program_id = $1) AS "windows!",
                      (SELECT count(*) FROM document_jobs WHERE program_id = $1) AS "jobs!""#,
            id
        )
        .fetch_one(conn)
        .await?;
        Ok(vec![
            Usage::new(r.students, "student", "students"),
            Usage::new(r.intakes, "admission intake", "admission intakes"),
            Usage::new(r.windows, "registration window", "registration windows"),
            Usage::new(r.jobs, "printing job", "printing jobs"),
        ])
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<Uuid>,
        input: &ProgramInput,
    ) -> Result<Result<Uuid, Vec<FieldError>>, sqlx::Error> {
        let found = sqlx::query!(
            r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM departments WHERE code = $1"#,
            code(&input.department)
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.id, r.retired));
        let current = match id {
            Some(id) => {
                sqlx::query_scalar!("SELECT department_id FROM programs WHERE id = $1", id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let department = match resolved(
            "department",
            "department",
            &input.department,
            found,
            current,
        ) {
            Ok(department) => department,
            Err(e) => return Ok(Err(e)),
        };
        let (code, name) = (code(&input.code), input.name.trim());
        let id = match id {
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO programs (college_id, department_id, code, name, level, duration_years, intake_capacity) \
                     VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id",
                    department,
                    code,
                    name,
                    input.level,
                    input.duration_years,
                    input.intake_capacity
                )
                .fetch_one(conn)
                .await?
            }
            Some(id) => {
                sqlx::query!(
                    "UPDATE programs SET department_id = $2, code = $3, name = $4, level = $5, duration_years = $6, \
                     intake_capacity = $7 WHERE id = $1",
                    id,
                    department,
                    code,
                    name,
                    input.level,
                    input.duration_years,
                    input.intake_capacity
                )
                .execute(conn)
                .await?;
                id
            }
        };
        Ok(Ok(id))
    }

    async fn remove(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query!("DELETE FROM programs WHERE id = $1", id)
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
            "UPDATE programs SET retired_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            retired
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
