//! Applicants make their own accounts on the college's public application page: an
//! active account with the applicant role (nothing else), and a draft application to the
//! intake they chose; the address is confirmed through a mailed link.

use sqlx::PgConnection;

use crate::admissions::applications::queries as applications;
use crate::admissions::signup::model::{SignUpInput, Signing};
use crate::admissions::signup::queries;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::identity::signin::password;
use crate::identity::tokens::model::Purpose;
use crate::identity::tokens::queries as account_tokens;
use crate::mail;
use crate::people::model::Email;

/// Makes the applicant's account (which cannot sign in until the mailed link confirms its
/// address) and their draft. If the address already has an account, nothing is made and
/// its owner gets a mail saying so instead; the caller answers both alike.
pub async fn sign_up(
    conn: &mut PgConnection,
    context: &AuditContext,
    signing: &Signing<'_>,
    input: &SignUpInput,
) -> Result<(), AppError> {
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
            signing.college_name,
        ],
    ) {
        errors.push(e);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    // The intake is checked before anything else is looked at, for everyone alike.
    applications::check_open(conn, input.intake_id).await?;
    // Hashed either way, so both answers take as long.
    let hash = password::hash_bounded(&input.password).await?;
    let existing = queries::existing_account(conn, email.as_str()).await?;
    if let Some(owner) = existing {
        let body = format!(
            "Hello,\n\nSomeone asked to apply to {college} with this address. It already has \
             an account, so nothing new was made. If it was you, sign in and apply from your \
             page:\n\n{base}/c/{slug}/login\n\nForgotten the password? The sign-in page \
             sends a link to set a new one. If it was not you, you need do nothing.\n",
            college = signing.college_name,
            base = signing.base_url,
            slug = signing.college_slug,
        );
        mail::queue(
            conn,
            email.as_str(),
            &format!("Your application to {}", signing.college_name),
            &body,
        )
        .await?;
        audit::record(
            conn,
            context,
            Entry::new("admissions.signup_for_existing_account").object("user", owner),
        )
        .await?;
        return Ok(());
    }
    let name = format!("{} {}", input.first_name.trim(), input.last_name.trim());
    // An earlier unconfirmed sign-up with this address gives way (see the migration).
    let user = queries::create_applicant(conn, email.as_str(), &name, &hash).await?;
    queries::grant_applicant(conn, user).await?;
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
    .await?;
    let token = account_tokens::issue(conn, signing.college, user, Purpose::VerifyEmail).await?;
    let body = format!(
        "Hello {name},\n\nConfirm this address to complete your application to {college} \
         (the link works for three days):\n\n{base}/account/verify-email?token={token}\n\n\
         Then sign in at {base}/c/{slug}/login. If you did not apply, ignore this mail and \
         nothing more happens.\n",
        college = signing.college_name,
        base = signing.base_url,
        slug = signing.college_slug,
    );
    mail::queue(
        conn,
        email.as_str(),
        &format!("Confirm your address for {}", signing.college_name),
        &body,
    )
    .await?;
    Ok(())
}
