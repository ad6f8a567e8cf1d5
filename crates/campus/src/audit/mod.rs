//! The audit trail: who did what, acting as which role, in which college, to which
//! object, with the changed fields before and after, from where, and when. Entries are
//! written in the same transaction as the change they describe; the database refuses to
//! change or delete them, and the sealer chains them by hash seconds after they commit.

pub mod pages;
pub mod panels;
pub mod sealer;
pub mod verify;

use crate::access::permissions::Permission;
use crate::access::routes::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/admin/audit",
            Access::Allowed(Permission::AuditRead),
            pages::list,
        )
        .get(
            "/admin/audit.csv",
            Access::Allowed(Permission::AuditRead),
            pages::export,
        )
}

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::principal::{ActingRole, Principal};
use crate::web::client_ip::ClientIp;
use crate::web::request_id::RequestId;

/// Keys whose values never reach the trail.
const SECRET_KEYS: [&str; 6] = ["password", "secret", "token", "hash", "code", "key"];

/// Where a change came from: the actor, the role they acted as, and the request.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub actor: Option<Uuid>,
    pub actor_role: Option<String>,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl AuditContext {
    pub fn from_parts(parts: &Parts) -> AuditContext {
        AuditContext {
            actor: parts.extensions.get::<Principal>().map(|p| p.user_id),
            actor_role: parts
                .extensions
                .get::<ActingRole>()
                .map(|r| r.0.clone())
                .or_else(|| {
                    parts
                        .extensions
                        .get::<Principal>()
                        .and_then(|p| p.roles.first().cloned())
                }),
            ip: parts.extensions.get::<ClientIp>().and_then(|c| c.0),
            user_agent: parts
                .headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
            request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        }
    }

    /// The same request, with the actor now known (a sign-in).
    pub fn with_actor(mut self, actor: Uuid, role: Option<String>) -> AuditContext {
        self.actor = Some(actor);
        self.actor_role = role;
        self
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(AuditContext::from_parts(parts))
    }
}

/// One entry to write.
#[derive(Debug, Default)]
pub struct Entry {
    pub action: &'static str,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    pub fn new(action: &'static str) -> Entry {
        Entry {
            action,
            ..Entry::default()
        }
    }

    pub fn object(mut self, kind: &'static str, id: impl ToString) -> Entry {
        self.object_type = Some(kind);
        self.object_id = Some(id.to_string());
        self
    }

    pub fn before(mut self, value: Value) -> Entry {
        self.before = Some(value);
        self
    }

    pub fn after(mut self, value: Value) -> Entry {
        self.after = Some(value);
        self
    }
}

/// Replaces the values of secret-looking keys, at any depth, with "***".
pub fn mask(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let lower = k.to_lowercase();
                    if SECRET_KEYS.iter().any(|s| lower.contains(s)) {
                        (k, Value::String("***".into()))
                    } else {
                        (k, mask(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask).collect()),
        other => other,
    }
}

/// Appends an entry in the transaction acting for the college concerned.
pub async fn record(
    conn: &mut PgConnection,
    context: &AuditContext,
    entry: Entry,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (college_id, actor_user_id, actor_role, action, object_type, \
             object_id, before, after, ip, user_agent, request_id) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6, $7, $8::text::inet, $9, $10)",
        context.actor,
        context.actor_role.as_deref(),
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.before.map(mask),
        entry.after.map(mask),
        context.ip.map(|ip| ip.to_string()),
        context.user_agent.as_deref(),
        context.request_id.as_deref()
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::mask;

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let masked = mask(json!({
            "email": "a@b.edu",
            "password_hash": "$argon2id$...",
            "nested": {"totp_secret": "ABC", "name": "x"},
            "list": [{"token": "t"}]
        }));
        assert_eq!(masked["email"], "a@b.edu");
        assert_eq!(masked["password_hash"], "***");
        assert_eq!(masked["nested"]["totp_secret"], "***");
        assert_eq!(masked["nested"]["name"], "x");
        assert_eq!(masked["list"][0]["token"], "***");
    }
}
