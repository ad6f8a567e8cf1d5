//! A staff member's sign-in account, made from their record: an invited account with
//! the record's name and email and the roles chosen (its invitation mailed), or, when
//! an account with that email exists already and belongs to no other staff member, that
//! account linked and given the roles. Later role changes are the users pages' work.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::view::{Field, Kind};
use crate::people::model::Email;
use crate::users::service::{self, Mailer};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::{self, Done};
use crate::web::layout::Chrome;

/// The roles to give, and whether to mail the invitation (a new account only).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// Role names, built-in (e.g. `teacher`) or the college's own; at least one.
    #[schema(min_items = 1, max_items = 20)]
    pub roles: Vec<String>,
    /// Mail the invitation to set a password (default true).
    #[serde(default = "yes")]
    pub invite: bool,
}

fn yes() -> bool {
    true
}

/// The account the record now has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffAccount {
    pub user_id: Uuid,
    /// A new account (else an existing one was linked).
    pub created: bool,
    /// Whether an invitation was mailed.
    pub invited: bool,
}

/// Gives the staff member a sign-in account with `input.roles`.
pub async fn give(
    conn: &mut PgConnection,
    mailer: &Mailer<'_>,
    staff: Uuid,
    input: &AccountInput,
) -> Result<StaffAccount, AppError> {
    let record = sqlx::query!(
        "SELECT first_name, last_name, email::text AS email, user_id, status FROM staff WHERE id = $1 FOR UPDATE",
        staff
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if record.user_id.is_some() {
        return Err(AppError::Conflict(
            "already has a sign-in account: change its roles under Users".into(),
        ));
    }
    if record.status == "left" {
        return Err(AppError::Conflict(
            "has left: mark them back at work first".into(),
        ));
    }
    let mut roles: Vec<String> = input
        .roles
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort();
    roles.dedup();
    let mut errors = Vec::new();
    if roles.is_empty() {
        errors.push(FieldError::new("roles", "choose at least one role"));
    } else if roles.len() > 20 {
        errors.push(FieldError::new("roles", "at most 20 roles"));
    }
    if let Some(r) = roles.iter().find(|r| {
        matches!(
            Role::parse(r),
            Some(Role::Student | Role::Parent | Role::Applicant)
        )
    }) {
        errors.push(FieldError::new(
            "roles",
            format!("`{r}` is not a staff role"),
        ));
    }
    let email = match record.email.as_deref().map(|e| Email::parse("email", e)) {
        Some(Ok(email)) => Some(email),
        _ => {
            errors.push(FieldError::new(
                "email",
                "the staff record has no usable email: add one to the record first",
            ));
            None
        }
    };
    let (Some(email), true) = (email, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let linked = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM staff sf JOIN users u
                  ON u.college_id = sf.college_id AND u.id = sf.user_id
                  WHERE u.email = $1::text::citext) AS "v!""#,
        email.as_str()
    )
    .fetch_one(&mut *conn)
    .await?;
    if linked {
        return Err(AppError::Validation(vec![FieldError::new(
            "email",
            "belongs to the account of another staff member",
        )]));
    }
    let name = format!("{} {}", record.first_name, record.last_name);
    let (user_id, created) = mailer
        .account_for(conn, &email, &name, &roles, input.invite)
        .await?;
    let invited = created && input.invite;
    sqlx::query!(
        "UPDATE staff SET user_id = $2 WHERE id = $1",
        staff,
        user_id
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        mailer.context,
        Entry::new("staff.account_given")
            .object("staff", staff)
            .after(serde_json::json!({
                "user_id": user_id, "created": created, "roles": roles, "invited": invited,
            })),
    )
    .await?;
    Ok(StaffAccount {
        user_id,
        created,
        invited,
    })
}

/// Gives a staff member a sign-in account: a new invited one, or the existing account
/// with the record's email (when no other staff member has it), with the roles chosen.
#[utoipa::path(post, path = "/api/v1/staff/{id}/account", tag = "staff", request_body = AccountInput, params(("id" = Uuid, Path, description = "The staff record's id")), security(("bearer" = [])),
    responses((status = 201, description = "The account", body = StaffAccount),
        (status = 404, description = "No such staff record", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "They have an account already, or have left", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No role, an unknown or non-staff role, no email on the record, an email of another staff member's account", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn give_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(staff): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AccountInput>,
) -> AppResult<(StatusCode, Json<StaffAccount>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let account = give(&mut tx, &mailer, staff, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// The form as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    roles: Vec<String>,
    invite: Vec<String>,
}

async fn render(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    staff: Uuid,
    form: &AccountForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let name = sqlx::query_scalar!(
        r#"SELECT first_name || ' ' || last_name AS "name!" FROM staff WHERE id = $1"#,
        staff
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let roles: Vec<(String, String)> = service::known_roles(&mut tx)
        .await?
        .into_iter()
        .filter(|(r, _)| {
            !matches!(
                Role::parse(r),
                Some(Role::Student | Role::Parent | Role::Applicant)
            )
        })
        .collect();
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = format!("A sign-in account for {name}");
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/staff"),
        csrf,
        area: ("People", "/staff"),
        title: "Staff",
        list_href: "/staff",
        heading,
        what: "The account".to_string(),
        action: format!("/staff/{staff}/account"),
        button: "Give the account".to_string(),
        back: format!("/staff/{staff}"),
        fields: vec![
            Field::new("roles", "Roles", Kind::Ticks, "")
                .hint("What they may do; change them later under Users")
                .options(roles)
                .ticked(&form.roles),
            Field::new("invite", "Invitation", Kind::Ticks, "")
                .options(vec![(
                    "yes".into(),
                    "Mail an invitation to set a password".into(),
                )])
                .ticked(&form.invite),
        ],
        errors: errors.into(),
    };
    page.respond(jar)
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(staff): ApiPath<Uuid>,
) -> AppResult<Response> {
    let form = AccountForm {
        roles: vec![Role::Teacher.as_str().to_string()],
        invite: vec!["yes".to_string()],
    };
    render(&state, &principal, jar, staff, &form, Vec::new()).await
}

pub async fn give_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(staff): ApiPath<Uuid>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<AccountForm>,
) -> AppResult<Response> {
    let input = AccountInput {
        roles: form.roles.clone(),
        invite: !form.invite.is_empty(),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mailer = Mailer::new(&grant, &context, &state, &principal);
    let result = give(&mut tx, &mailer, staff, &input).await;
    form::settle(&state, tx, result)
        .conflict_on("roles")
        .done(|account| {
            let message = match (account.created, account.invited) {
                (true, true) => "Account made; the invitation was mailed.",
                (true, false) => "Account made; no invitation was mailed (send one under Users).",
                (false, _) => {
                    "Their existing account was linked to the record and given the roles."
                }
            };
            Done::to(format!("/staff/{staff}")).message(message)
        })
        .again(async |errors| render(&state, &principal, jar, staff, &form, errors).await)
        .await
}
