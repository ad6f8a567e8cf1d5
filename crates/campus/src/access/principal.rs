//! The signed-in user of a request (`Principal`) with their roles resolved into
//! permissions and scopes, and the `Grant` a route guard checked.
//! `identity::signin::authenticate` puts the principal in the request; handlers take it as
//! an argument.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::access::permissions::{Permission, Role, Scope};
use crate::db::CollegeId;
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub college: CollegeId,
    pub college_slug: String,
    pub college_name: String,
    /// The college's time zone (IANA name): pages show times in it.
    pub timezone: String,
    pub email: String,
    pub display_name: String,
    /// Role names, built-in and custom.
    pub roles: Vec<String>,
    /// Every (permission, scope) the roles give, with the role that gives it.
    pub grants: Vec<(Permission, Scope, String)>,
    /// The browser session, when signed in by cookie.
    pub session_id: Option<Uuid>,
    /// The user's roles need a second factor they have not enrolled yet: until they do,
    /// only the enrolment pages are open to them.
    pub mfa_enrollment_required: bool,
}

/// Proof that the principal holds `permission`, with the broadest scope any of their
/// roles gives and the role that gives it. Write paths take a `Grant` so they cannot be
/// reached without one, and nothing outside this module can make one by hand (its
/// `proof` cannot be built elsewhere): it comes from the principal's roles, or from the
/// route guard that checked it, which hands it to the handler as an argument.
#[derive(Debug, Clone)]
pub struct Grant {
    pub permission: Permission,
    pub scope: Scope,
    pub role: String,
    pub college: CollegeId,
    pub user_id: Uuid,
    /// Narrower scopes the user's other roles give the same permission: a teacher who is
    /// also a parent reaches their department's students and their own children.
    pub also: Vec<Scope>,
    _proof: Proof,
}

#[derive(Debug, Clone, Copy)]
struct Proof;

impl Grant {
    /// A grant for work Campus does itself, outside any request (loading the demo or
    /// benchmark college, the platform creating a college's first administrator).
    pub fn for_system(
        permission: Permission,
        college: CollegeId,
        user_id: Uuid,
        role: &str,
    ) -> Grant {
        Grant {
            permission,
            scope: Scope::College,
            role: role.to_string(),
            college,
            user_id,
            also: Vec::new(),
            _proof: Proof,
        }
    }
}

/// The grant of the permission the route declares, as its guard checked it. Only routes
/// declared `Allowed` or `CollegeWide` have one; elsewhere asking for it is refused.
impl<S: Send + Sync> FromRequestParts<S> for Grant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Grant>()
            .cloned()
            .ok_or(AppError::Forbidden)
    }
}

/// The role a guarded route's permission came from, for the audit trail.
#[derive(Debug, Clone)]
pub struct ActingRole(pub String);

impl Principal {
    pub fn grant(&self, permission: Permission) -> Option<Grant> {
        self.grants
            .iter()
            .filter(|(p, _, _)| *p == permission)
            .max_by_key(|(_, scope, _)| *scope)
            .map(|(permission, scope, role)| Grant {
                permission: *permission,
                scope: *scope,
                role: role.clone(),
                college: self.college,
                user_id: self.user_id,
                also: self
                    .grants
                    .iter()
                    .filter(|(p, s, _)| p == permission && s < scope)
                    .map(|(_, s, _)| *s)
                    .collect(),
                _proof: Proof,
            })
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.grant(permission).is_some()
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }

    pub fn role_labels(&self) -> Vec<String> {
        self.roles
            .iter()
            .map(|r| Role::parse(r).map_or_else(|| r.clone(), |role| role.label().to_string()))
            .collect()
    }
}

/// A handler argument that requires a signed-in user (the route guard has already
/// turned anonymous requests away).
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned())
    }
}
