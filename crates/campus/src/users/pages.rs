//! The user administration pages: a new user, a user's page and its forms, the import
//! (the list is in `list.rs`).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::people::model::Email;
use crate::users::import::{self, ImportReport};
use crate::users::model::{NewUserInput, Status, UserView};
use crate::users::service;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    chrome: Chrome,
    csrf: String,
    roles: Vec<(String, String)>,
    email: String,
    display_name: String,
    chosen: Vec<String>,
    errors: crate::web::form::Errors,
}

impl NewPage {
    fn is_chosen(&self, role: &str) -> bool {
        self.chosen.iter().any(|r| r == role)
    }
}

pub async fn new_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_new(
        &state,
        &principal,
        jar,
        String::new(),
        String::new(),
        Vec::new(),
        Vec::new(),
    )
    .await
}

async fn render_new(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    email: String,
    display_name: String,
    chosen: Vec<String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = NewPage {
        chrome: Chrome::signed_in("New user", principal, csrf.clone(), "/admin/users"),
        csrf,
        roles,
        email,
        display_name,
        chosen,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

/// The "new user" form. Browsers send each ticked role box as its own `roles` field, so
/// it is read with axum-extra's `Form`, which gathers repeated fields into a list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    display_name: String,
    roles: Vec<String>,
    invite: String,
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(form): axum_extra::extract::Form<NewUserForm>,
) -> AppResult<Response> {
    let input = NewUserInput {
        email: form.email,
        display_name: form.display_name,
        roles: form.roles,
        invite: form.invite == "on",
    };
    let message = if input.invite {
        format!(
            "Account created for {}; an invitation was mailed",
            input.email.trim().to_lowercase()
        )
    } else {
        format!("Account created for {}", input.email.trim().to_lowercase())
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let created = match input.parse() {
        Ok(user) => {
            service::create(
                &mut tx,
                &grant,
                &context,
                &state.config.base_url(),
                &principal.college_name,
                &user,
                input.invite,
                "",
            )
            .await
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    form::settle(&state, tx, created)
        .done(|id| form::Done::to(format!("/admin/users/{id}")).message(message))
        .again(async |errors| {
            let NewUserInput {
                email,
                display_name,
                roles,
                ..
            } = input;
            render_new(&state, &principal, jar, email, display_name, roles, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    chrome: Chrome,
    csrf: String,
    user: UserView,
    roles: Vec<(String, String)>,
    can_manage: bool,
    is_self: bool,
    has_mfa: bool,
    /// The details form's fields: the stored values, or what was typed when refused.
    display_name: String,
    email: String,
    status: String,
    national_id: String,
    /// The ticked roles: the user's, or what was ticked when refused.
    chosen: Vec<String>,
    errors: Errors,
}

impl ShowPage {
    fn is_chosen(&self, role: &str) -> bool {
        self.chosen.iter().any(|r| r == role)
    }

    /// A role's name as people read it (custom roles by their label).
    fn role_label(&self, role: &str) -> String {
        self.roles
            .iter()
            .find(|(name, _)| name == role)
            .map_or_else(
                || crate::web::words::label(role),
                |(_, label)| label.clone(),
            )
    }
}

/// What a refused form sent, shown again in place of the stored values.
#[derive(Debug, Default)]
struct Typed {
    display_name: Option<String>,
    email: Option<String>,
    status: Option<String>,
    national_id: String,
    roles: Option<Vec<String>>,
}

async fn render_show(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    id: Uuid,
    typed: Typed,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut user = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if principal.can(Permission::UsersManage) {
        user.national_id =
            service::national_id_masked(&mut tx, &state.config.field_keys, id).await?;
    }
    let has_mfa = crate::identity::mfa::queries::enabled(&mut tx, id).await?;
    let roles = service::known_roles(&mut tx).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = ShowPage {
        chrome: Chrome::signed_in(
            user.display_name.clone(),
            principal,
            csrf.clone(),
            "/admin/users",
        ),
        csrf,
        is_self: user.id == principal.user_id,
        has_mfa,
        display_name: typed
            .display_name
            .unwrap_or_else(|| user.display_name.clone()),
        email: typed.email.unwrap_or_else(|| user.email.clone()),
        status: typed.status.unwrap_or_else(|| user.status.clone()),
        national_id: typed.national_id,
        chosen: typed.roles.unwrap_or_else(|| user.roles.clone()),
        user,
        roles,
        can_manage: principal.can(Permission::UsersManage),
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    render_show(&state, &principal, jar, id, Typed::default(), Vec::new()).await
}

/// The user's details form: name, email, status and national id (`clear_national_id` is
/// a checkbox, "on" when ticked).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserUpdateForm {
    display_name: String,
    email: String,
    status: String,
    national_id: String,
    clear_national_id: String,
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(form): Form<UserUpdateForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let name = crate::people::model::parse_display_name("display_name", &form.display_name)
        .map_err(|e| errors.push(e))
        .ok();
    let email = Email::parse("email", &form.email)
        .map_err(|e| errors.push(e))
        .ok();
    let status = match form.status.as_str() {
        "" => None,
        s => Status::parse(s).or_else(|| {
            errors.push(FieldError::new("status", "must be active or deactivated"));
            None
        }),
    };
    let typed = Typed {
        display_name: Some(form.display_name.clone()),
        email: Some(form.email.clone()),
        status: (!form.status.is_empty()).then(|| form.status.clone()),
        national_id: form.national_id.clone(),
        roles: None,
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = service::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let deactivating = status == Some(Status::Deactivated) && current.status != "deactivated";
    let status = status.filter(|s| s.as_str() != current.status);
    let national_id = form.national_id;
    let base_url = state.config.base_url();
    let mailing = service::Mailing {
        base_url: &base_url,
        college_name: &principal.college_name,
    };
    let outcome = if !errors.is_empty() {
        Err(AppError::Validation(errors))
    } else {
        match service::update(&mut tx, &grant, &context, &mailing, id, name, email, status).await {
            Ok(user) if !national_id.trim().is_empty() || form.clear_national_id == "on" => {
                service::set_national_id(
                    &mut tx,
                    &state.config.field_keys,
                    &context,
                    id,
                    &national_id,
                )
                .await
                .map(|()| user)
            }
            other => other,
        }
    };
    form::settle(&state, tx, outcome)
        .done(|user| {
            let message = if deactivating {
                format!(
                    "{} deactivated and signed out everywhere",
                    user.display_name
                )
            } else {
                format!("Changes to {} saved", user.display_name)
            };
            form::Done::to(format!("/admin/users/{id}")).message(message)
        })
        .again(async |errors| render_show(&state, &principal, jar, id, typed, errors).await)
        .await
}

/// The user's roles form: one `roles` field per ticked box (none when all are cleared).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserRolesForm {
    roles: Vec<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<UserRolesForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let roles = form.roles;
    let result = service::set_roles(&mut tx, &grant, &context, id, &roles).await;
    form::settle(&state, tx, result)
        .done(|()| {
            form::Done::to(format!("/admin/users/{id}"))
                .message("Roles saved; the user signs in again to use them")
        })
        .again(async |errors| {
            let typed = Typed {
                roles: Some(roles),
                ..Typed::default()
            };
            render_show(&state, &principal, jar, id, typed, errors).await
        })
        .await
}

pub async fn invite(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::send_invitation(
        &mut tx,
        principal.college,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        id,
    )
    .await?;
    tx.commit().await?;
    Ok(form::Done::to(format!("/admin/users/{id}"))
        .message("A new invitation was mailed")
        .respond(&state))
}

#[derive(Template)]
#[template(path = "users/import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    csv: String,
    report: Option<ImportReport>,
    errors: Errors,
}

fn render_import(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    csv: String,
    report: Option<ImportReport>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = ImportPage {
        chrome: Chrome::signed_in("Import users", principal, csrf.clone(), "/admin/users"),
        csrf,
        csv,
        report,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn import_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    render_import(&state, &principal, jar, String::new(), None, Vec::new())
}

/// The user import form: the CSV text, and `mode` ("commit" to create the accounts,
/// anything else for a dry run).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    mode: String,
}

/// Checks the CSV (the report is shown on the same page: nothing was written, so there
/// is nothing to redirect to), or imports it and goes on to the invited accounts.
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<ImportForm>,
) -> AppResult<Response> {
    let csv = form.csv;
    let dry_run = form.mode != "commit";
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let outcome = import::run(
        &mut tx,
        &grant,
        &context,
        &state.config.base_url(),
        &principal.college_name,
        &csv,
        dry_run,
    )
    .await;
    match outcome {
        Ok(report) if report.created > 0 => {
            tx.commit().await?;
            let message = if report.created == 1 {
                "1 account was created and invited".to_string()
            } else {
                format!("{} accounts were created and invited", report.created)
            };
            Ok(form::Done::to("/admin/users?status=invited")
                .message(message)
                .respond(&state))
        }
        Ok(report) => {
            tx.rollback().await?;
            let invalid = report.invalid > 0;
            let mut page = render_import(&state, &principal, jar, csv, Some(report), Vec::new())?;
            if invalid {
                *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Ok(page)
        }
        Err(AppError::BadRequest(message)) => {
            tx.rollback().await?;
            let mut page = render_import(
                &state,
                &principal,
                jar,
                csv,
                None,
                vec![FieldError::new("csv", message)],
            )?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(other) => Err(other),
    }
}

pub async fn reset_mfa(
    State(state): State<AppState>,
    principal: Principal,
    _grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    service::reset_mfa(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(form::Done::to(format!("/admin/users/{id}"))
        .message("The second factor was removed; the user enrols again at their next sign-in")
        .respond(&state))
}
