//! Application fees through a payment gateway. A gateway sends the payer to its checkout
//! and reports the outcome with a signed callback; Campus settles a payment once, from a
//! callback whose signature checks. The built-in test gateway is Campus's own checkout
//! page (no money moves) that signs its outcome with the server's secret and settles it
//! through the same path a real gateway's callback takes. The finance module adds real
//! gateways behind the same interface.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::admissions::applications;
use crate::audit::{self, AuditContext, Entry};
use crate::config::Config;
use crate::documents::issue::new_code;
use crate::error::{AppError, FieldError};

/// What a gateway reports about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PaymentOutcome)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Paid,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::Failed => "failed",
        }
    }
}

/// What a gateway's signature vouches for: this outcome of this payment, of this amount
/// in this currency, at this college. A signature for one payment can never settle
/// another, a smaller amount, or a payment of another college.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// The college's address name.
    pub college: &'a str,
    pub reference: &'a str,
    /// The amount as a decimal, e.g. `500.00`.
    pub amount: &'a str,
    pub currency: &'a str,
    pub outcome: Outcome,
}

/// A payment gateway: where to send the payer, and whether a callback is genuine.
pub trait Gateway: Send + Sync {
    fn name(&self) -> &'static str;
    /// The checkout address for a payment (Campus's reference).
    fn checkout_url(&self, base_url: &str, reference: &str) -> String;
    /// Whether `signature` is the gateway's over exactly these facts.
    fn verify(&self, signed: &Signed<'_>, signature: &str) -> bool;
}

/// The gateway new payments go through, if the installation has one. The test gateway
/// counts only where the configuration allows it (development, never production).
pub fn for_new_payments(config: &Config) -> Option<Box<dyn Gateway>> {
    named(config, "test")
}

/// The gateway a callback names, if it is in use here.
pub fn named(config: &Config, name: &str) -> Option<Box<dyn Gateway>> {
    match name {
        "test" if config.test_payment_gateway => {
            Some(Box::new(TestGateway::new(config.secret_key.expose())))
        }
        _ => None,
    }
}

/// The answer when no gateway can take a fee online.
pub fn no_gateway() -> AppError {
    AppError::Conflict(
        "this college does not take fees online (no payment gateway is set up): pay the \
         admissions office, which records the fee on the application"
            .into(),
    )
}

/// The built-in test gateway: Campus's own checkout page; outcomes signed with a key
/// derived from the server's secret. It takes no money, so only development has it.
pub struct TestGateway {
    key: Vec<u8>,
}

/// Test cards: this one pays...
pub const TEST_CARD_PAYS: &str = "4242424242424242";
/// ...and this one is declined.
pub const TEST_CARD_DECLINED: &str = "4000000000000002";

impl TestGateway {
    pub fn new(secret: &str) -> TestGateway {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new_from_slice(b"campus").expect("key"));
        mac.update(b"campus test payment gateway");
        TestGateway {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn mac(&self, signed: &Signed<'_>) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("any key length");
        // Length-prefixed, so no two different tuples sign the same bytes.
        for part in [
            signed.college,
            signed.reference,
            signed.amount,
            signed.currency,
            signed.outcome.as_str(),
        ] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac
    }

    /// The signature the test checkout attaches to its outcome.
    pub fn sign(&self, signed: &Signed<'_>) -> String {
        self.mac(signed)
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Gateway for TestGateway {
    fn name(&self) -> &'static str {
        "test"
    }

    fn checkout_url(&self, base_url: &str, reference: &str) -> String {
        format!("{}/pay/test/{reference}", base_url.trim_end_matches('/'))
    }

    fn verify(&self, signed: &Signed<'_>, signature: &str) -> bool {
        let Some(bytes) = (0..signature.len())
            .step_by(2)
            .map(|i| {
                signature
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
        else {
            return false;
        };
        self.mac(signed).verify_slice(&bytes).is_ok()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checkout {
    pub reference: String,
    pub amount: String,
    pub currency: String,
    /// Where to send the payer.
    pub checkout_url: String,
}

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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub status: String,
    pub gateway: String,
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

/// A decimal amount PostgreSQL's numeric takes: digits, and at most four decimals.
fn is_amount(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    (1..=12).contains(&whole.len())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 4
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(text.contains('.') && fraction.is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(amount: &str) -> Signed<'_> {
        Signed {
            college: "alpha",
            reference: "R1",
            amount,
            currency: "USD",
            outcome: Outcome::Paid,
        }
    }

    #[test]
    fn a_signature_covers_every_fact_of_the_payment() {
        let gateway = TestGateway::new("a-secret-of-the-server-0123456789abcdef");
        let signed = facts("500.00");
        let signature = gateway.sign(&signed);
        assert!(gateway.verify(&signed, &signature));
        for changed in [
            Signed {
                college: "beta",
                ..signed
            },
            Signed {
                reference: "R2",
                ..signed
            },
            Signed {
                amount: "5.00",
                ..signed
            },
            Signed {
                currency: "EUR",
                ..signed
            },
            Signed {
                outcome: Outcome::Failed,
                ..signed
            },
            // Moving bytes between fields must not keep the signature.
            Signed {
                college: "alphaR",
                reference: "1",
                ..signed
            },
        ] {
            assert!(!gateway.verify(&changed, &signature), "{changed:?}");
        }
        assert!(!gateway.verify(&signed, "zz"));
    }

    #[test]
    fn amounts_are_plain_decimals() {
        for good in ["500", "500.00", "0.5", "123456789012.1234"] {
            assert!(is_amount(good), "{good}");
        }
        for bad in [
            "",
            ".5",
            "5.",
            "-5",
            "5e3",
            "1234567890123",
            "5.00001",
            "NaN",
            "5,00",
        ] {
            assert!(!is_amount(bad), "{bad}");
        }
    }
}
