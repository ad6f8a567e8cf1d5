//! The college's roles: the built-in table, read-only, and custom roles made from chosen
//! permissions and scopes.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;

use crate::access::permissions::{Permission, ROLE_TABLE, Scope, parse_custom_grant, parse_grant};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CustomRole {
    /// Always starts with `custom_`.
    pub name: String,
    pub label: String,
    /// Grants as `permission:scope`, e.g. `students.read:college`.
    #[schema(min_items = 1)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewRoleInput {
    /// Shown to people, e.g. `Exam cell`.
    pub label: String,
    /// Grants as `permission:scope`, e.g. `students.read:college`.
    pub permissions: Vec<String>,
}

pub async fn custom_roles(conn: &mut PgConnection) -> Result<Vec<CustomRole>, sqlx::Error> {
    sqlx::query_as!(
        CustomRole,
        "SELECT name, label, permissions FROM custom_roles ORDER BY label"
    )
    .fetch_all(conn)
    .await
}

/// Checks and creates a custom role; its name is made from the label.
pub async fn create_role(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &NewRoleInput,
) -> Result<CustomRole, AppError> {
    let mut errors = Vec::new();
    let label = input.label.trim();
    if !(2..=100).contains(&label.chars().count()) {
        errors.push(FieldError::new("label", "must be 2 to 100 characters"));
    }
    let slug: String = label
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if slug.is_empty() {
        errors.push(FieldError::new("label", "must contain letters or digits"));
    }
    let mut grants: Vec<String> = Vec::new();
    for grant in &input.permissions {
        match (parse_custom_grant(grant.trim()), parse_grant(grant.trim())) {
            (Some((p, s)), _) => grants.push(format!("{}:{}", p.name(), s.name())),
            (None, Some((p, _))) if p.custom_scopes().is_empty() => errors.push(FieldError::new(
                "permissions",
                format!("`{}` is held only by built-in roles", p.name()),
            )),
            (None, Some((p, _))) => errors.push(FieldError::new(
                "permissions",
                format!(
                    "`{grant}`: {} can be held at {} only",
                    p.name(),
                    p.custom_scopes()
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            (None, None) => errors.push(FieldError::new(
                "permissions",
                format!("`{grant}` is not a permission:scope pair"),
            )),
        }
    }
    grants.sort();
    grants.dedup();
    if grants.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "permissions",
            "choose at least one permission",
        ));
    }
    let name = format!("custom_{}", slug.chars().take(50).collect::<String>());
    if errors.is_empty() {
        let taken: bool = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM custom_roles WHERE name = $1) AS \"v!\"",
            &name
        )
        .fetch_one(&mut *conn)
        .await?;
        if taken {
            errors.push(FieldError::new("label", "a role with this name exists"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let role: CustomRole = sqlx::query_as!(
        CustomRole,
        "INSERT INTO custom_roles (college_id, name, label, permissions) \
         VALUES (app_current_college(), $1, $2, $3) RETURNING name, label, permissions",
        &name,
        label,
        &grants
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("role.created")
            .object("role", &name)
            .after(serde_json::json!({ "label": label, "permissions": grants })),
    )
    .await?;
    Ok(role)
}

#[derive(Template)]
#[template(path = "users/roles.html")]
struct RolesPage {
    chrome: Chrome,
    csrf: String,
    built_in: Vec<(String, String, Vec<String>)>,
    custom: Vec<CustomRole>,
    /// The matrix's columns: the scopes a custom role may hold a permission at.
    scopes: Vec<&'static str>,
    /// Its rows: one per area of permissions.
    areas: Vec<Area>,
    label: String,
    errors: Errors,
}

/// The scopes a custom role may hold permissions at, narrowest first, with their column
/// heading (the platform scope belongs to the platform's operators alone).
const COLUMNS: [(Scope, &str); 5] = [
    (Scope::Own, "Own records"),
    (Scope::OwnChildren, "Own children"),
    (Scope::OwnSections, "Own sections"),
    (Scope::Department, "Department"),
    (Scope::College, "Whole college"),
];

/// A row of the permission matrix: the permissions named `students.*`, say, and in each
/// column the ones a custom role may hold at that scope.
struct Area {
    label: String,
    cells: Vec<Vec<Choice>>,
}

/// One box of the matrix: `students.read:college`, shown as "read".
struct Choice {
    value: String,
    action: String,
    scope: &'static str,
    chosen: bool,
}

/// An area's name as people read it.
fn area_label(prefix: &str) -> String {
    match prefix {
        "audit" => "Audit trail".to_string(),
        "interop" => "Data exchange (OneRoster)".to_string(),
        "institution" => "Departments, programs and terms".to_string(),
        other => crate::web::words::label(other),
    }
}

/// The matrix: permissions grouped by the prefix of their name, in the order of
/// `Permission::ALL`; an area none of whose permissions a custom role may hold is left
/// out (accounts, roles, settings, the platform).
fn matrix(chosen: &[String]) -> Vec<Area> {
    let mut areas: Vec<(String, Vec<Vec<Choice>>)> = Vec::new();
    for permission in Permission::ALL {
        let allowed = permission.custom_scopes();
        if allowed.is_empty() {
            continue;
        }
        let (prefix, action) = permission
            .name()
            .split_once('.')
            .unwrap_or((permission.name(), permission.name()));
        let index = match areas.iter().position(|(p, _)| p == prefix) {
            Some(index) => index,
            None => {
                areas.push((
                    prefix.to_string(),
                    COLUMNS.iter().map(|_| Vec::new()).collect(),
                ));
                areas.len() - 1
            }
        };
        for (column, (scope, heading)) in COLUMNS.iter().enumerate() {
            if allowed.contains(scope) {
                let value = format!("{}:{}", permission.name(), scope.name());
                areas[index].1[column].push(Choice {
                    chosen: chosen.iter().any(|c| c.trim() == value),
                    value,
                    action: action.replace('_', " "),
                    scope: heading,
                });
            }
        }
    }
    areas
        .into_iter()
        .map(|(prefix, cells)| Area {
            label: area_label(&prefix),
            cells,
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    label: String,
    chosen: &[String],
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let custom = custom_roles(&mut tx).await?;
    tx.commit().await?;
    let built_in = ROLE_TABLE
        .iter()
        .filter(|row| row.0 != crate::access::permissions::Role::PlatformAdmin)
        .map(|(_, name, label, _, grants)| {
            (
                name.to_string(),
                label.to_string(),
                grants
                    .iter()
                    .map(|(p, s)| format!("{}:{}", p.name(), s.name()))
                    .collect(),
            )
        })
        .collect();
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = RolesPage {
        chrome: Chrome::signed_in("Roles", principal, csrf.clone(), "/admin/roles"),
        csrf,
        built_in,
        custom,
        scopes: COLUMNS.iter().map(|(_, heading)| *heading).collect(),
        areas: matrix(chosen),
        label,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_page(&state, &principal, jar, String::new(), &[], Vec::new()).await
}

/// The "new role" form: a label and the ticked permissions (one `permissions` field per
/// ticked box).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewRoleForm {
    label: String,
    permissions: Vec<String>,
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<NewRoleForm>,
) -> AppResult<Response> {
    let input = NewRoleInput {
        label: form.label,
        permissions: form.permissions,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let created = create_role(&mut tx, &context, &input).await;
    form::settle(&state, tx, created)
        .done(|role| Done::to("/admin/roles").message(format!("Role “{}” created.", role.label)))
        .again(async |errors| {
            render_page(
                &state,
                &principal,
                jar,
                input.label.clone(),
                &input.permissions,
                errors,
            )
            .await
        })
        .await
}
