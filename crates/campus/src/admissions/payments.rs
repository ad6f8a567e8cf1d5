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
use crate::documents::issue::new_code;
use crate::error::{AppError, FieldError};

/// What a gateway reports about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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

/// A payment gateway: where to send the payer, and whether a callback is genuine.
pub trait Gateway: Send + Sync {
    fn name(&self) -> &'static str;
    /// The checkout address for a payment (Campus's reference).
    fn checkout_url(&self, base_url: &str, reference: &str) -> String;
    /// Whether `signature` is the gateway's over this reference and outcome.
    fn verify(&self, reference: &str, outcome: Outcome, signature: &str) -> bool;
}

/// The built-in test gateway: Campus's own checkout page; outcomes signed with a key
/// derived from the server's secret.
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

    fn mac(&self, reference: &str, outcome: Outcome) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("any key length");
        mac.update(reference.as_bytes());
        mac.update(b":");
        mac.update(outcome.as_str().as_bytes());
        mac
    }

    /// The signature the test checkout attaches to its outcome.
    pub fn sign(&self, reference: &str, outcome: Outcome) -> String {
        self.mac(reference, outcome)
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

    fn verify(&self, reference: &str, outcome: Outcome, signature: &str) -> bool {
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
        self.mac(reference, outcome).verify_slice(&bytes).is_ok()
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
    gateway: &dyn Gateway,
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
    let (amount, currency): (String, String) = sqlx::query_as(
        "SELECT i.application_fee::text, i.currency FROM applications a \
         JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id WHERE a.id = $1",
    )
    .bind(application)
    .fetch_one(&mut *conn)
    .await?;
    let reference = new_code();
    sqlx::query(
        "INSERT INTO payments (college_id, application_id, amount, currency, gateway, reference) \
         VALUES (app_current_college(), $1, $2::numeric, $3, $4, $5)",
    )
    .bind(application)
    .bind(&amount)
    .bind(&currency)
    .bind(gateway.name())
    .bind(&reference)
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
    sqlx::query_as(
        "SELECT p.application_id, a.user_id, p.amount::text AS amount, p.currency, p.status, p.gateway \
         FROM payments p JOIN applications a ON a.college_id = p.college_id AND a.id = p.application_id \
         WHERE p.reference = $1",
    )
    .bind(reference)
    .fetch_optional(conn)
    .await
}

/// Settles a payment from a gateway's signed callback. A forged signature changes
/// nothing; a callback repeated for a settled payment is answered with its outcome.
pub async fn settle(
    conn: &mut PgConnection,
    context: &AuditContext,
    gateway: &dyn Gateway,
    reference: &str,
    outcome: Outcome,
    signature: &str,
    gateway_reference: &str,
) -> Result<Outcome, AppError> {
    if !gateway.verify(reference, outcome, signature) {
        return Err(AppError::Validation(vec![FieldError::new(
            "signature",
            "the gateway's signature does not match",
        )]));
    }
    let row: Option<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "SELECT id, application_id, status, gateway FROM payments WHERE reference = $1 FOR UPDATE",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    let (payment, application, status, name) = row.ok_or(AppError::NotFound)?;
    if name != gateway.name() {
        return Err(AppError::NotFound);
    }
    match status.as_str() {
        "paid" => return Ok(Outcome::Paid),
        "failed" => return Ok(Outcome::Failed),
        _ => {}
    }
    sqlx::query(
        "UPDATE payments SET status = $2, settled_at = now(), gateway_reference = nullif($3, '') WHERE id = $1",
    )
    .bind(payment)
    .bind(outcome.as_str())
    .bind(gateway_reference.chars().take(200).collect::<String>())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO application_events (college_id, application_id, status, note) \
         VALUES (app_current_college(), $1, 'draft', $2)",
    )
    .bind(application)
    .bind(match outcome {
        Outcome::Paid => "Application fee paid",
        Outcome::Failed => "Fee payment declined",
    })
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
