//! The account endpoint of the JSON API: the caller's own account.

use axum::Json;

use crate::access::principal::Principal;
use crate::identity::account::model::{CollegeRef, Me, PermissionGrant};
use crate::web::errors::ProblemDocument;

/// The caller: their account, college, roles and every permission with its scope.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "identity",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in caller", body = Me),
        (status = 401, description = "No valid access token", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn me(principal: Principal) -> Json<Me> {
    Json(Me {
        id: principal.user_id,
        email: principal.email.clone(),
        display_name: principal.display_name.clone(),
        college: CollegeRef {
            id: principal.college.0,
            slug: principal.college_slug.clone(),
            name: principal.college_name.clone(),
        },
        roles: principal.roles.clone(),
        permissions: principal
            .grants
            .iter()
            .map(|(p, s, role)| PermissionGrant {
                permission: p.name(),
                scope: s.name(),
                role: role.clone(),
            })
            .collect(),
    })
}
