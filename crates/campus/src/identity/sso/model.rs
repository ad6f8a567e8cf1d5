//! What single sign-on speaks of: a college's provider, the provider's discovery
//! document, what the state cookie remembers while the browser is away at the provider,
//! and what the provider answers.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A college's OpenID Connect provider, with its client secret decrypted.
#[derive(Debug, Clone)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_domain: String,
    pub label: String,
    pub enabled: bool,
}

/// The provider's discovery document (`/.well-known/openid-configuration`), the parts
/// used.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

/// What the state cookie remembers between leaving for the provider and coming back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Pending {
    pub college: Uuid,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub next: String,
    pub expires: i64,
}

/// The provider's answer to the token exchange, the part used.
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    pub id_token: String,
}

/// What the ID token vouches for, the parts used.
#[derive(Debug, Deserialize)]
pub struct IdClaims {
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: serde_json::Value,
    pub nonce: Option<String>,
}
