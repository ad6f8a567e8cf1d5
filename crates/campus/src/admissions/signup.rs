//! Applicants make their own accounts on the college's public application page: an
//! active account with the applicant role (nothing else), and a draft application to the
//! intake they chose.

use serde::Deserialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::admissions::applications;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::identity::password;
use crate::people::model::Email;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignUpInput {
    pub intake_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// At least 12 characters; a few unrelated words make a good one.
    pub password: String,
}

/// Makes the applicant's account and their draft; returns the application's id.
pub async fn sign_up(
    conn: &mut PgConnection,
    context: &AuditContext,
    college_name: &str,
    input: &SignUpInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    for (field, value) in [
        ("first_name", &input.first_name),
        ("last_name", &input.last_name),
    ] {
        if !(1..=100).contains(&value.trim().chars().count()) || value.chars().any(char::is_control)
        {
            errors.push(FieldError::new(field, "must be 1 to 100 characters"));
        }
    }
    let email = Email::parse("email", &input.email)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(e) = password::check_strength(
        "password",
        &input.password,
        &[
            input.email.as_str(),
            input.first_name.as_str(),
            input.last_name.as_str(),
            college_name,
        ],
    ) {
        errors.push(e);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let taken: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(email.as_str())
        .fetch_one(&mut *conn)
        .await?;
    if taken {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "an account with this email exists: sign in to apply with it",
        )]));
    }
    let hash = password::hash_bounded(&input.password).await?;
    let name = format!("{} {}", input.first_name.trim(), input.last_name.trim());
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (college_id, email, display_name, status, password_hash, password_changed_at) \
         VALUES (app_current_college(), $1, $2, 'active', $3, now()) RETURNING id",
    )
    .bind(email.as_str())
    .bind(&name)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'applicant')",
    )
    .bind(user)
    .execute(&mut *conn)
    .await?;
    let context = AuditContext {
        actor: Some(user),
        ..context.clone()
    };
    audit::record(
        conn,
        &context,
        Entry::new("admissions.applicant_signed_up")
            .object("user", user)
            .after(serde_json::json!({ "email": email.as_str() })),
    )
    .await?;
    applications::start(
        conn,
        &context,
        user,
        input.intake_id,
        &input.first_name,
        &input.last_name,
    )
    .await
}
