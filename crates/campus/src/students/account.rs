//! Students' sign-in accounts made from their records: one student's from the profile,
//! or every current student without one at once (after an import), each an invited
//! account with the record's name and email and the student role, its invitation
//! mailed; an existing account with the record's email, belonging to no other student,
//! is linked instead.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::Email;
use crate::staff::account::StaffAccount as Account;
use crate::users::service::Mailer;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::Done;

/// The most accounts one request makes.
const MOST_AT_ONCE: i64 = 5000;

/// Gives one student a sign-in account with the student role.
pub async fn give(
    conn: &mut PgConnection,
    mailer: &Mailer<'_>,
    student: Uuid,
    invite: bool,
) -> Result<Account, AppError> {
    let record = sqlx::query!(
        "SELECT first_name, last_name, email::text AS email, user_id, status FROM students WHERE id = $1 FOR UPDATE",
        student
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if record.user_id.is_some() {
        return Err(AppError::Conflict("already has a sign-in account".into()));
    }
    if !["enrolled", "on_leave"].contains(&record.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "accounts are for current students; this one is {}",
            crate::web::words::label(&record.status).to_lowercase()
        )));
    }
    let Some(Ok(email)) = record.email.as_deref().map(|e| Email::parse("email", e)) else {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "the student record has no usable email: add one to the record first",
        )]));
    };
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM students st JOIN users u
                  ON u.college_id = st.college_id AND u.id = st.user_id
                  WHERE u.email = $1::text::citext) AS "v!""#,
        email.as_str()
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "belongs to the account of another student",
        )]));
    }
    let name = format!("{} {}", record.first_name, record.last_name);
    let roles = [Role::Student.as_str().to_string()];
    let (user_id, created) = mailer
        .account_for(conn, &email, &name, &roles, invite)
        .await?;
    sqlx::query!(
        "UPDATE students SET user_id = $2 WHERE id = $1",
        student,
        user_id
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        mailer.context,
        Entry::new("student.account_given")
            .object("student", student)
            .after(serde_json::json!({
                "user_id": user_id, "created": created, "invited": created && invite,
            })),
    )
    .await?;
    Ok(Account {
        user_id,
        created,
        invited: created && invite,
    })
}

/// Which students get accounts at once.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsInput {
    /// A program's code; every program when empty.
    #[schema(max_length = 30)]
    pub program: String,
    /// Mail the invitations (default true).
    #[serde(default = "yes")]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

/// What giving accounts at once did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AccountsMade {
    /// New invited accounts.
    pub created: i64,
    /// Existing accounts linked to their records.
    pub linked: i64,
    /// Current students left without one: no usable email on the record, or an email
    /// another student's account has.
    pub without_email: i64,
}

/// Gives every current student without an account one (of one program, or all), up to
/// `MOST_AT_ONCE`; those whose record has no usable email are counted, not refused.
pub async fn give_all(
    conn: &mut PgConnection,
    mailer: &Mailer<'_>,
    input: &AccountsInput,
) -> Result<AccountsMade, AppError> {
    let program = input.program.trim().to_uppercase();
    if !program.is_empty() {
        let known = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM programs WHERE code = $1) AS "v!""#,
            &program
        )
        .fetch_one(&mut *conn)
        .await?;
        if !known {
            return Err(AppError::Validation(vec![FieldError::new(
                "program",
                "is not a program code of this college",
            )]));
        }
    }
    let students = sqlx::query_scalar!(
        "SELECT st.id FROM students st JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         WHERE st.user_id IS NULL AND st.status IN ('enrolled', 'on_leave') AND ($1 = '' OR p.code = $1) \
         ORDER BY st.student_number LIMIT $2",
        &program,
        MOST_AT_ONCE
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut made = AccountsMade::default();
    for student in students {
        sqlx::query!("SAVEPOINT student_account")
            .execute(&mut *conn)
            .await?;
        match give(conn, mailer, student, input.invite).await {
            Ok(account) => {
                sqlx::query!("RELEASE SAVEPOINT student_account")
                    .execute(&mut *conn)
                    .await?;
                if account.created {
                    made.created += 1;
                } else {
                    made.linked += 1;
                }
            }
            Err(AppError::Validation(_)) => {
                sqlx::query!("ROLLBACK TO SAVEPOINT student_account")
                    .execute(&mut *conn)
                    .await?;
                made.without_email += 1;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(made)
}

/// Gives a student a sign-in account (the student role), its invitation mailed.
#[utoipa::path(post, path = "/api/v1/students/{id}/account", tag = "students", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 201, description = "The account", body = crate::staff::account::StaffAccount),
        (status = 404, description = "No such student", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "They have an account already, or are not a current student", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No usable email on the record, or another student's", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn give_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<(StatusCode, Json<Account>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let account = give(&mut tx, &mailer, student, true).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Gives every current student without an account one (of one program, or all), up to
/// 5,000 at a time; students whose record has no email are counted and left.
#[utoipa::path(post, path = "/api/v1/students/accounts", tag = "students", request_body = AccountsInput, security(("bearer" = [])),
    responses((status = 200, description = "What was made", body = AccountsMade),
        (status = 422, description = "An unknown program code", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn give_all_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiJson(input): ApiJson<AccountsInput>,
) -> AppResult<Json<AccountsMade>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let made = give_all(&mut tx, &mailer, &input).await?;
    tx.commit().await?;
    Ok(Json(made))
}

/// The profile's button: the account made, or why not, said on the profile.
pub async fn give_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let back = format!("/students/{student}");
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let message = match give(&mut tx, &mailer, student, true).await {
        Ok(account) => {
            tx.commit().await?;
            if account.created {
                "Account made; the invitation was mailed.".to_string()
            } else {
                "Their existing account was linked to the record.".to_string()
            }
        }
        Err(AppError::Validation(errors)) => {
            let why: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            format!("No account was made: {}.", why.join("; "))
        }
        Err(AppError::Conflict(why)) => format!("No account was made: this student {why}."),
        Err(other) => return Err(other),
    };
    Ok(Done::to(back).message(message).respond(&state))
}

/// The students list's form: accounts for every current student without one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountsForm {
    program: String,
}

pub async fn give_all_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    axum::Form(form): axum::Form<AccountsForm>,
) -> AppResult<Response> {
    let input = AccountsInput {
        program: form.program,
        invite: true,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let message = match give_all(&mut tx, &mailer, &input).await {
        Ok(made) => {
            tx.commit().await?;
            let mut said = format!(
                "{} accounts made and invitations mailed, {} existing accounts linked.",
                made.created, made.linked
            );
            if made.without_email > 0 {
                said.push_str(&format!(
                    " {} students have no usable email on their record: add one, then give them an account.",
                    made.without_email
                ));
            }
            said
        }
        Err(AppError::Validation(errors)) => {
            let why: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            format!("No accounts were made: the program {}.", why.join("; "))
        }
        Err(other) => return Err(other),
    };
    Ok(Done::to("/students").message(message).respond(&state))
}
