//! Payment queries: starting a payment of an application's fee (audited), a payment by
//! its reference, settling one from a gateway's signed callback (once; the amount and
//! currency must be the payment's), and a fee the admissions office received.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::admissions::applications::queries as applications;
use crate::admissions::payments::model::{
    Checkout, Gateway, Outcome, Pending, Signed, is_amount, no_gateway,
};
use crate::audit::{self, AuditContext, Entry};
use crate::documents::issue::model::new_code;
use crate::error::{AppError, FieldError};

/// Starts paying an application's fee (the applicant's own draft).
pub async fn start(
    conn: &mut PgConnection,
    context: &AuditContext,
    gateway: Option<&dyn Gateway>,
    base_url: &str,
    user: Uuid,
    application: Uuid,
) -> Result<Checkout, AppError> {
    let found = applications::find(conn, application).await?;
    if found.user_id != user {
        return Err(AppError::Forbidden);
    }
    if found.status != "draft" {
        return Err(AppError::Conflict("only a draft's fee is paid".into()));
    }
    if found.fee_paid {
        return Err(AppError::Conflict(
            "the fee is paid already (or there is none)".into(),
        ));
    }
    let gateway = gateway.ok_or_else(no_gateway)?;
    let (amount, currency): (String, String) = sqlx::query!(
        "SELECT i.application_fee::text AS \"application_fee!\", i.currency FROM applications a \
         JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id WHERE a.id = $1",
        application
    )
    .fetch_one(&mut *conn)
    .await
    .map(|r| (r.application_fee, r.currency))?;
    let reference = new_code();
    sqlx::query!(
        "INSERT INTO payments (college_id, application_id, amount, currency, gateway, reference) \
         VALUES (app_current_college(), $1, $2::text::numeric, $3, $4, $5)",
        application,
        &amount,
        &currency,
        gateway.name(),
        &reference
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("payment.started")
            .object("application", application)
            .after(serde_json::json!({ "reference": reference, "amount": amount, "currency": currency, "gateway": gateway.name() })),
    )
    .await?;
    Ok(Checkout {
        checkout_url: gateway.checkout_url(base_url, &reference),
        reference,
        amount,
        currency,
    })
}

/// A payment by its reference, with whose it is.
pub async fn by_reference(
    conn: &mut PgConnection,
    reference: &str,
) -> Result<Option<Pending>, sqlx::Error> {
    sqlx::query_as!(Pending, "SELECT p.application_id, a.user_id, p.amount::text AS \"amount!\", p.currency, p.status, p.gateway \
         FROM payments p JOIN applications a ON a.college_id = p.college_id AND a.id = p.application_id \
         WHERE p.reference = $1", reference)
    .fetch_optional(conn)
    .await
}

/// Settles a payment from a gateway's signed callback. A forged signature changes
/// nothing, nor does a genuine one whose amount or currency is not the payment's; a
/// callback repeated for a settled payment is answered with its outcome.
pub async fn settle(
    conn: &mut PgConnection,
    context: &AuditContext,
    gateway: &dyn Gateway,
    signed: &Signed<'_>,
    signature: &str,
    gateway_reference: &str,
) -> Result<Outcome, AppError> {
    if !gateway.verify(signed, signature) {
        return Err(AppError::Validation(vec![FieldError::new(
            "signature",
            "the gateway's signature does not match",
        )]));
    }
    if !is_amount(signed.amount) {
        return Err(AppError::Validation(vec![FieldError::new(
            "amount",
            "must be a decimal amount such as 500.00",
        )]));
    }
    let row: Option<(Uuid, Uuid, String, String, bool, String)> = sqlx::query!(
        "SELECT id, application_id, status, gateway, amount = $2::text::numeric AS \"amount_matches!\", currency \
         FROM payments WHERE reference = $1 FOR UPDATE",
        signed.reference,
        signed.amount
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| {
        o.map(|r| {
            (
                r.id,
                r.application_id,
                r.status,
                r.gateway,
                r.amount_matches,
                r.currency,
            )
        })
    })?;
    let (payment, application, status, name, same_amount, currency) =
        row.ok_or(AppError::NotFound)?;
    if name != gateway.name() {
        return Err(AppError::NotFound);
    }
    let mut errors = Vec::new();
    if !same_amount {
        errors.push(FieldError::new("amount", "is not the payment's amount"));
    }
    if currency != signed.currency {
        errors.push(FieldError::new("currency", "is not the payment's currency"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let outcome = signed.outcome;
    let reference = signed.reference;
    match status.as_str() {
        "paid" => return Ok(Outcome::Paid),
        "failed" => return Ok(Outcome::Failed),
        _ => {}
    }
    sqlx::query!("UPDATE payments SET status = $2, settled_at = now(), gateway_reference = nullif($3, '') WHERE id = $1", payment, outcome.as_str(), gateway_reference.chars().take(200).collect::<String>())
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO application_events (college_id, application_id, status, note) \
         VALUES (app_current_college(), $1, 'draft', $2)",
        application,
        match outcome {
            Outcome::Paid => "Application fee paid",
            Outcome::Failed => "Fee payment declined",
        }
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new(match outcome {
            Outcome::Paid => "payment.paid",
            Outcome::Failed => "payment.failed",
        })
        .object("application", application)
        .after(serde_json::json!({ "reference": reference, "gateway": gateway.name() })),
    )
    .await?;
    Ok(outcome)
}

/// The admissions office records a fee paid to it (cash, bank transfer, a card machine)
/// with its receipt number: how a college without an online gateway takes fees.
pub async fn record_at_office(
    conn: &mut PgConnection,
    context: &AuditContext,
    application: Uuid,
    receipt: &str,
) -> Result<(), AppError> {
    let receipt = receipt.trim();
    if receipt.is_empty() || receipt.chars().count() > 100 {
        return Err(AppError::Validation(vec![FieldError::new(
            "receipt",
            "give the office's receipt number (at most 100 characters)",
        )]));
    }
    let found = applications::find(conn, application).await?;
    if found.fee_paid {
        return Err(AppError::Conflict(
            "the fee is paid already (or there is none)".into(),
        ));
    }
    if !["draft", "submitted", "under_review", "waitlisted"].contains(&found.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "the application is {}: no fee is taken now",
            found.status.replace('_', " ")
        )));
    }
    let reference = new_code();
    let (amount, currency): (String, String) = sqlx::query!(
        "INSERT INTO payments (college_id, application_id, amount, currency, gateway, reference, \
           status, settled_at, gateway_reference) \
         SELECT a.college_id, a.id, i.application_fee, i.currency, 'office', $2, 'paid', now(), $3 \
         FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
         WHERE a.id = $1 RETURNING amount::text AS \"amount!\", currency",
        application,
        &reference,
        receipt
    )
    .fetch_one(&mut *conn)
    .await
    .map(|r| (r.amount, r.currency))?;
    sqlx::query!("INSERT INTO application_events (college_id, application_id, status, note) \
         VALUES (app_current_college(), $1, $2, 'Application fee received by the admissions office')", application, &found.status)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("payment.recorded")
            .object("application", application)
            .after(serde_json::json!({ "reference": reference, "amount": amount, "currency": currency, "receipt": receipt })),
    )
    .await?;
    Ok(())
}
