//! What API credentials and mailed links speak of: the claims of an access token, what
//! presenting a refresh token found, the purposes of mailed links, and the JSON the
//! sign-in endpoints take and give.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The user.
    pub sub: Uuid,
    /// The user's college.
    pub col: Uuid,
    /// The refresh family this token came from; revoking it ends the token too.
    pub fam: Uuid,
    pub iat: u64,
    pub exp: u64,
}

/// What presenting a refresh token found.
pub enum Presented {
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used once: the family has now been revoked.
    Reused { family: Uuid, user: Uuid },
    /// Valid: it is now marked used.
    Fresh { family: Uuid, user: Uuid },
}

/// What a mailed link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Reset,
    VerifyEmail,
}

impl Purpose {
    pub(super) fn name(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
            Purpose::VerifyEmail => "verify_email",
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Invite => Duration::from_secs(7 * 24 * 3600),
            Purpose::Reset => Duration::from_secs(3600),
            Purpose::VerifyEmail => Duration::from_secs(3 * 24 * 3600),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The college's URL name, e.g. `riverside`.
    pub college: String,
    pub email: String,
    pub password: String,
    /// A current code from the authenticator app (or a recovery code), when the account
    /// has a second factor.
    pub totp_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed access token (JWT, HS256) for `Authorization: Bearer ...`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: exchange it at /api/v1/auth/refresh for new tokens. Using one twice
    /// revokes every token of the sign-in.
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}
