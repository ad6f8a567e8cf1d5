//! Fee payment types and gateways: what a gateway reports and what its signature vouches
//! for, the gateway interface, and the built-in test gateway (Campus's own checkout page,
//! no money moves, outcomes signed with a key derived from the server's secret). The
//! finance module adds real gateways behind the same interface.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::config::Config;
use crate::error::AppError;

/// What a gateway reports about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PaymentOutcome)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Paid,
    Failed,
}

impl Outcome {
    pub(super) fn as_str(self) -> &'static str {
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub application_id: Uuid,
    pub user_id: Uuid,
    pub amount: String,
    pub currency: String,
    pub status: String,
    pub gateway: String,
}

/// A decimal amount PostgreSQL's numeric takes: digits, and at most four decimals.
pub(super) fn is_amount(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    (1..=12).contains(&whole.len())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 4
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(text.contains('.') && fraction.is_empty())
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
