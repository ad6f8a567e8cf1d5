//! A student's record edited: personal and contact details, program, batch (the date
//! admitted), year of study and advisor, on a page and through `PATCH`. Each field that
//! changes is kept in the record's change history (shown on the profile) and audited.
//! Personal details (birth date, email, phone, address) change only for those who may
//! read them.

use askama::Template as _;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::rules::{code, name_problem, optional};
use crate::institution::setup::view::{Field, Kind};
use crate::people::model::{Email, phone_problem};
use crate::web::clock::parse_date;
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::Chrome;

/// The fields of a student's record, as typed (the page's form, and the API's record
/// merged with a patch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    pub student_number: String,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// The program, by code.
    pub program: String,
    /// The date admitted: its year is the student's batch.
    pub admitted_on: String,
    pub year_of_study: String,
    /// The advisor, by staff number; empty for none.
    pub advisor: String,
}

/// The personal fields: changed only by those who may read them.
const PERSONAL: [&str; 4] = ["date_of_birth", "email", "phone", "address"];

impl Details {
    /// Each field by name, in the form's order.
    fn fields(&self) -> [(&'static str, &str); 11] {
        [
            ("student_number", &self.student_number),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("date_of_birth", &self.date_of_birth),
            ("email", &self.email),
            ("phone", &self.phone),
            ("address", &self.address),
            ("program", &self.program),
            ("admitted_on", &self.admitted_on),
            ("year_of_study", &self.year_of_study),
            ("advisor", &self.advisor),
        ]
    }

    /// The record as saved: trimmed, codes in capitals, email in lower case.
    fn normalised(&self) -> Details {
        Details {
            student_number: code(&self.student_number),
            first_name: self.first_name.trim().to_string(),
            last_name: self.last_name.trim().to_string(),
            date_of_birth: self.date_of_birth.trim().to_string(),
            email: self.email.trim().to_lowercase(),
            phone: self.phone.trim().to_string(),
            address: self.address.trim().to_string(),
            program: code(&self.program),
            admitted_on: self.admitted_on.trim().to_string(),
            year_of_study: self.year_of_study.trim().to_string(),
            advisor: code(&self.advisor),
        }
    }

    /// Problems a field has on its own.
    fn problems(&self) -> Vec<FieldError> {
        let mut found = Vec::new();
        let number = &self.student_number;
        if !((3..=30).contains(&number.len())
            && number.starts_with(|c: char| c.is_ascii_alphanumeric())
            && number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'))
        {
            found.push(FieldError::new(
                "student_number",
                "must be 3 to 30 capital letters, digits and hyphens",
            ));
        }
        found.extend(name_problem("first_name", &self.first_name, 1, 100));
        found.extend(name_problem("last_name", &self.last_name, 1, 100));
        if !self.date_of_birth.is_empty() {
            match parse_date("date_of_birth", &self.date_of_birth) {
                Ok(born) if born.year() > 1900 && born < OffsetDateTime::now_utc().date() => {}
                Ok(_) => found.push(FieldError::new(
                    "date_of_birth",
                    "must be after 1900 and before today",
                )),
                Err(e) => found.push(e),
            }
        }
        if !self.email.is_empty()
            && let Err(e) = Email::parse("email", &self.email)
        {
            found.push(e);
        }
        if !self.phone.is_empty() {
            found.extend(phone_problem("phone", &self.phone));
        }
        if self.address.chars().count() > 500 {
            found.push(FieldError::new("address", "must be at most 500 characters"));
        }
        if self.program.is_empty() {
            found.push(FieldError::new("program", "is required"));
        }
        if let Err(e) = parse_date("admitted_on", &self.admitted_on) {
            found.push(e);
        }
        if !matches!(self.year_of_study.parse::<i16>(), Ok(1..=10)) {
            found.push(FieldError::new(
                "year_of_study",
                "must be a whole number from 1 to 10",
            ));
        }
        found
    }
}

/// The fields of a student's record to change; the others stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = StudentPatch)]
#[serde(default)]
pub struct Patch {
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{2,29}$")]
    pub student_number: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    /// e.g. `2006-04-30`; empty to clear.
    #[schema(pattern = "^(|[0-9]{4}-[0-9]{2}-[0-9]{2})$")]
    pub date_of_birth: Option<String>,
    /// Empty to clear.
    pub email: Option<String>,
    pub phone: Option<String>,
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// The program's code.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")]
    pub program: Option<String>,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub admitted_on: Option<String>,
    #[schema(minimum = 1, maximum = 10)]
    pub year_of_study: Option<i16>,
    /// The advisor's staff number; empty for none.
    pub advisor: Option<String>,
}

impl Patch {
    fn over(self, mut details: Details) -> Details {
        let set = |field: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        set(&mut details.student_number, self.student_number);
        set(&mut details.first_name, self.first_name);
        set(&mut details.last_name, self.last_name);
        set(&mut details.date_of_birth, self.date_of_birth);
        set(&mut details.email, self.email);
        set(&mut details.phone, self.phone);
        set(&mut details.address, self.address);
        set(&mut details.program, self.program);
        set(&mut details.admitted_on, self.admitted_on);
        set(
            &mut details.year_of_study,
            self.year_of_study.map(|y| y.to_string()),
        );
        set(&mut details.advisor, self.advisor);
        details
    }
}

/// The record as it is, locked against other changes until the transaction ends.
async fn current(conn: &mut PgConnection, student: Uuid) -> Result<Details, AppError> {
    let r = sqlx::query!(
        r#"SELECT st.student_number, st.first_name, st.last_name, st.date_of_birth, st.email::text AS email,
                  st.phone, st.address, p.code AS program, st.admitted_on, st.year_of_study,
                  sf.staff_number AS "advisor?"
           FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id
           LEFT JOIN staff sf ON sf.college_id = st.college_id AND sf.id = st.advisor_staff_id
           WHERE st.id = $1 FOR UPDATE OF st"#,
        student
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Details {
        student_number: r.student_number,
        first_name: r.first_name,
        last_name: r.last_name,
        date_of_birth: r.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        email: r.email.unwrap_or_default(),
        phone: r.phone.unwrap_or_default(),
        address: r.address.unwrap_or_default(),
        program: r.program,
        admitted_on: r.admitted_on.to_string(),
        year_of_study: r.year_of_study.to_string(),
        advisor: r.advisor.unwrap_or_default(),
    })
}

/// Saves the changed fields of a student's record, each kept in its history; refused by
/// field, with nothing written, when a value is wrong or a reference unknown. Returns
/// how many fields changed.
pub async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    student: Uuid,
    typed: &Details,
    personal: bool,
) -> Result<usize, AppError> {
    let before = current(conn, student).await?;
    let after = typed.normalised();
    let mut errors = after.problems();
    if !personal {
        for (field, value) in after.fields() {
            let was = before
                .fields()
                .into_iter()
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v);
            if PERSONAL.contains(&field) && was != Some(value) {
                errors.retain(|e| e.field != field);
                errors.push(FieldError::new(
                    field,
                    "you may not change this student's personal details",
                ));
            }
        }
    }
    let program = sqlx::query!(
        r#"SELECT id, retired_at IS NOT NULL AS "retired!" FROM programs WHERE code = $1"#,
        after.program
    )
    .fetch_optional(&mut *conn)
    .await?;
    match &program {
        None if !after.program.is_empty() => errors.push(FieldError::new(
            "program",
            format!("no program has the code {}", after.program),
        )),
        Some(p) if p.retired && after.program != before.program => errors.push(FieldError::new(
            "program",
            format!("the program {} is retired", after.program),
        )),
        _ => {}
    }
    let advisor = match optional(&after.advisor) {
        None => None,
        Some(number) => {
            let found = sqlx::query!(
                "SELECT id, status FROM staff WHERE staff_number = $1",
                number
            )
            .fetch_optional(&mut *conn)
            .await?;
            match found {
                Some(s) if s.status != "left" || after.advisor == before.advisor => Some(s.id),
                Some(_) => {
                    errors.push(FieldError::new(
                        "advisor",
                        format!("{number} has left the college"),
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        "advisor",
                        format!("no staff member has the number {number}"),
                    ));
                    None
                }
            }
        }
    };
    if after.student_number != before.student_number {
        let taken = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM students WHERE student_number = $1 AND id <> $2) AS "v!""#,
            after.student_number,
            student
        )
        .fetch_one(&mut *conn)
        .await?;
        if taken {
            errors.push(FieldError::new("student_number", "is another student's"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let changed: Vec<(&str, &str, &str)> = before
        .fields()
        .into_iter()
        .zip(after.fields())
        .filter(|((_, was), (_, now))| was != now)
        .map(|((field, was), (_, now))| (field, was, now))
        .collect();
    if changed.is_empty() {
        return Ok(0);
    }
    let day = |text: &str| parse_date("", text).ok();
    let year: i16 = after.year_of_study.parse().unwrap_or(1);
    let admitted: Date = day(&after.admitted_on).unwrap_or(Date::MIN);
    sqlx::query!(
        "UPDATE students SET student_number = $2, first_name = $3, last_name = $4, date_of_birth = $5, email = $6, \
             phone = $7, address = $8, program_id = $9, admitted_on = $10, year_of_study = $11, advisor_staff_id = $12 \
         WHERE id = $1",
        student,
        after.student_number,
        after.first_name,
        after.last_name,
        day(&after.date_of_birth),
        optional(&after.email),
        optional(&after.phone),
        optional(&after.address),
        program.map(|p| p.id),
        admitted,
        year,
        advisor
    )
    .execute(&mut *conn)
    .await?;
    for (field, was, now) in &changed {
        sqlx::query!(
            "INSERT INTO student_changes (college_id, student_id, field, before, after, changed_by) \
             VALUES (app_current_college(), $1, $2, $3, $4, $5)",
            student,
            field,
            optional(was),
            optional(now),
            context.actor
        )
        .execute(&mut *conn)
        .await?;
    }
    let map = |before: bool| {
        serde_json::Value::Object(
            changed
                .iter()
                .map(|(field, was, now)| {
                    let value = if before { *was } else { *now };
                    (field.to_string(), serde_json::Value::from(value))
                })
                .collect(),
        )
    };
    audit::record(
        conn,
        context,
        Entry::new("student.changed")
            .object("student", student)
            .before(map(true))
            .after(map(false)),
    )
    .await?;
    Ok(changed.len())
}

/// The form's fields; personal ones only for those who may read them.
async fn fields(
    conn: &mut PgConnection,
    typed: &Details,
    personal: bool,
) -> Result<Vec<Field>, sqlx::Error> {
    let programs = sqlx::query!(
        "SELECT code, name FROM programs WHERE retired_at IS NULL OR code = $1 ORDER BY code",
        code(&typed.program)
    )
    .fetch_all(conn)
    .await?;
    let choices = programs
        .into_iter()
        .map(|p| (p.code.clone(), format!("{} — {}", p.code, p.name)))
        .collect();
    let mut fields = vec![
        Field::new(
            "student_number",
            "Student number",
            Kind::Text,
            &typed.student_number,
        ),
        Field::new("first_name", "First name", Kind::Text, &typed.first_name),
        Field::new("last_name", "Last name", Kind::Text, &typed.last_name),
    ];
    if personal {
        fields.extend([
            Field::new(
                "date_of_birth",
                "Date of birth",
                Kind::Date,
                &typed.date_of_birth,
            ),
            Field::new("email", "Email", Kind::Text, &typed.email)
                .hint("Where the college writes to them"),
            Field::new("phone", "Phone", Kind::Text, &typed.phone),
            Field::new("address", "Address", Kind::Textarea, &typed.address),
        ]);
    }
    fields.extend([
        Field::new("program", "Program", Kind::Select, &code(&typed.program)).options(choices),
        Field::new("admitted_on", "Admitted on", Kind::Date, &typed.admitted_on)
            .hint("Its year is the student's batch"),
        Field::new(
            "year_of_study",
            "Year of study",
            Kind::Number,
            &typed.year_of_study,
        )
        .hint("1 to 10"),
        Field::new(
            "advisor",
            "Advisor (staff number)",
            Kind::Text,
            &typed.advisor,
        )
        .hint("Leave empty for none"),
    ]);
    Ok(fields)
}

/// Whether the principal may change the student (`students.manage` reaching them), and
/// whether their personal details too.
async fn may_edit(
    conn: &mut PgConnection,
    principal: &Principal,
    grant: &Grant,
    student: Uuid,
) -> Result<bool, AppError> {
    authorize_student(conn, grant, student).await?;
    crate::students::queries::sees_personal_details(conn, principal, student).await
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page as it is, every part named"
)]
async fn render(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    student: Uuid,
    name: &str,
    typed: &Details,
    personal: bool,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let fields = fields(&mut tx, typed, personal).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = format!("Edit {name}");
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/students"),
        csrf,
        area: ("Students", "/students"),
        title: "Students",
        list_href: "/students",
        heading,
        what: "The student's record".to_string(),
        action: format!("/students/{student}/edit"),
        button: "Save the changes".to_string(),
        back: format!("/students/{student}"),
        fields,
        errors: errors.into(),
    };
    Ok((jar, axum::response::Html(page.render()?)).into_response())
}

pub async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let personal = may_edit(&mut tx, &principal, &grant, student).await?;
    let details = current(&mut tx, student).await?;
    tx.commit().await?;
    let name = format!("{} {}", details.first_name, details.last_name);
    render(
        &state,
        &principal,
        jar,
        student,
        &name,
        &details,
        personal,
        Vec::new(),
    )
    .await
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(student): ApiPath<Uuid>,
    Form(mut typed): Form<Details>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let personal = may_edit(&mut tx, &principal, &grant, student).await?;
    let before = current(&mut tx, student).await?;
    if !personal {
        // The form shows no personal fields: they stay as they are.
        typed.date_of_birth = before.date_of_birth.clone();
        typed.email = before.email.clone();
        typed.phone = before.phone.clone();
        typed.address = before.address.clone();
    }
    let result = save(&mut tx, &context, student, &typed, personal).await;
    let name = format!("{} {}", before.first_name, before.last_name);
    form::settle(&state, tx, result)
        .done(|changed| {
            Done::to(format!("/students/{student}")).message(match changed {
                0 => "Nothing was changed".to_string(),
                1 => "1 detail changed".to_string(),
                n => format!("{n} details changed"),
            })
        })
        .again(async |errors| {
            render(
                &state, &principal, jar, student, &name, &typed, personal, errors,
            )
            .await
        })
        .await
}

/// Changes the fields sent of a student's record; each change is kept in the record's
/// history. Personal details change only for those who may read them.
#[utoipa::path(patch, path = "/api/v1/students/{id}", tag = "students", request_body = Patch, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The student's id")),
    responses((status = 200, description = "Saved: the profile as it is now", body = crate::students::model::Profile),
        (status = 404, description = "No such student within reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn patch(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<Patch>,
) -> AppResult<Json<crate::students::model::Profile>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let personal = may_edit(&mut tx, &principal, &grant, student).await?;
    let typed = patch.over(current(&mut tx, student).await?);
    save(&mut tx, &context, student, &typed, personal).await?;
    let mut profile = crate::students::queries::profile(&mut tx, student).await?;
    if !personal {
        profile = profile.without_personal_details();
    }
    tx.commit().await?;
    Ok(Json(profile))
}

/// A change to a student's record, as the profile lists it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = StudentRecordChange)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub changed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

impl Change {
    /// The field in words ("Year of study").
    pub fn label(&self) -> String {
        crate::web::words::label(&self.field)
    }
}

/// The latest changes to a student's record, newest first.
pub async fn history(conn: &mut PgConnection, student: Uuid) -> Result<Vec<Change>, sqlx::Error> {
    sqlx::query_as!(
        Change,
        r#"SELECT c.field, c.before, c.after, u.display_name AS "changed_by?", c.changed_at
           FROM student_changes c LEFT JOIN users u ON u.college_id = c.college_id AND u.id = c.changed_by
           WHERE c.student_id = $1 ORDER BY c.changed_at DESC, c.field LIMIT 100"#,
        student
    )
    .fetch_all(conn)
    .await
}
