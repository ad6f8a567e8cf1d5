//! What the caller's own account looks like in the JSON API: their account, college,
//! roles and every permission with its scope.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct CollegeRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionGrant {
    /// e.g. `students.read`.
    pub permission: &'static str,
    /// `own`, `own_children`, `own_sections`, `department` or `college`.
    pub scope: &'static str,
    /// The role that gives it.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub college: CollegeRef,
    pub roles: Vec<String>,
    pub permissions: Vec<PermissionGrant>,
}
