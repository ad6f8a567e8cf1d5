//! College settings an administrator changes: today, whether every staff member needs a
//! second factor (college admins and principals always do).

use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::csrf;
use crate::web::extract::ApiJson;
use crate::web::form::{self, Done, Errors};
use crate::web::layout::{Chrome, render};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CollegeSettings {
    /// Every staff member (all roles but student and parent) needs a second factor.
    pub mfa_required_for_staff: bool,
    /// Attendance (percent) under which students and guardians are alerted; 1 to 100.
    #[serde(default = "default_threshold")]
    #[schema(minimum = 1, maximum = 100)]
    pub attendance_threshold: i16,
    /// College admins may read counselors' guidance notes (counselors always may).
    #[serde(default)]
    pub guidance_admin_access: bool,
    /// Years a former student's personal data is kept after they leave (0 to 50).
    #[serde(default = "default_retention")]
    #[schema(minimum = 0, maximum = 50)]
    pub retention_years: i16,
}

fn default_retention() -> i16 {
    7
}

fn default_threshold() -> i16 {
    75
}

async fn load(conn: &mut PgConnection) -> Result<CollegeSettings, sqlx::Error> {
    let (mfa_required_for_staff, attendance_threshold, guidance_admin_access, retention_years): (
        bool,
        i16,
        bool,
        i16,
    ) = sqlx::query!("SELECT mfa_required_for_staff, attendance_threshold, guidance_admin_access, retention_years FROM colleges")
    .fetch_one(conn)
    .await.map(|r| (r.mfa_required_for_staff, r.attendance_threshold, r.guidance_admin_access, r.retention_years))?;
    Ok(CollegeSettings {
        mfa_required_for_staff,
        attendance_threshold,
        guidance_admin_access,
        retention_years,
    })
}

async fn save(
    conn: &mut PgConnection,
    context: &AuditContext,
    new: &CollegeSettings,
) -> Result<(), crate::error::AppError> {
    if !(0..=50).contains(&new.retention_years) {
        return Err(crate::error::AppError::Validation(vec![
            crate::error::FieldError::new("retention_years", "must be between 0 and 50"),
        ]));
    }
    if !(1..=100).contains(&new.attendance_threshold) {
        return Err(crate::error::AppError::Validation(vec![
            crate::error::FieldError::new("attendance_threshold", "must be between 1 and 100"),
        ]));
    }
    let before = load(conn).await?;
    sqlx::query!("UPDATE colleges SET mfa_required_for_staff = $1, attendance_threshold = $2, guidance_admin_access = $3, \
         retention_years = $4", new.mfa_required_for_staff, new.attendance_threshold, new.guidance_admin_access, new.retention_years)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        context,
        Entry::new("college.settings_changed")
            .before(serde_json::to_value(&before).unwrap_or_default())
            .after(serde_json::to_value(new).unwrap_or_default()),
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "institution/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    csrf: String,
    mfa_required_for_staff: bool,
    guidance_admin_access: bool,
    /// As typed (a refused value is shown again as it was).
    attendance_threshold: String,
    retention_years: String,
    errors: Errors,
}

/// The settings as the form shows them: the stored ones, or what was typed.
struct Shown {
    mfa_required_for_staff: bool,
    guidance_admin_access: bool,
    attendance_threshold: String,
    retention_years: String,
}

impl From<&CollegeSettings> for Shown {
    fn from(settings: &CollegeSettings) -> Shown {
        Shown {
            mfa_required_for_staff: settings.mfa_required_for_staff,
            guidance_admin_access: settings.guidance_admin_access,
            attendance_threshold: settings.attendance_threshold.to_string(),
            retention_years: settings.retention_years.to_string(),
        }
    }
}

fn render_page(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    shown: Shown,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let page = SettingsPage {
        chrome: Chrome::signed_in(
            "College settings",
            principal,
            csrf.clone(),
            "/admin/settings",
        ),
        csrf,
        mfa_required_for_staff: shown.mfa_required_for_staff,
        guidance_admin_access: shown.guidance_admin_access,
        attendance_threshold: shown.attendance_threshold,
        retention_years: shown.retention_years,
        errors: errors.into(),
    };
    Ok((jar, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let settings = load(&mut tx).await?;
    tx.commit().await?;
    render_page(&state, &principal, jar, Shown::from(&settings), Vec::new())
}

/// The college settings form. The checkboxes are "on" when ticked and absent otherwise;
/// a number field left out of the form (as opposed to sent empty) keeps its stored
/// value, so those two are `Option`s.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    mfa_required_for_staff: String,
    guidance_admin_access: String,
    attendance_threshold: Option<String>,
    retention_years: Option<String>,
}

/// A number field of the form: left out, the stored value; not a whole number, an error
/// for the field (the range is checked when saving).
fn number(typed: Option<&str>, stored: i16, field: &str, errors: &mut Vec<FieldError>) -> i16 {
    match typed {
        None => stored,
        Some(text) => text.trim().parse::<i16>().unwrap_or_else(|_| {
            errors.push(FieldError::new(field, "must be a whole number"));
            stored
        }),
    }
}

pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let stored = load(&mut tx).await?;
    let mut errors = Vec::new();
    let settings = CollegeSettings {
        mfa_required_for_staff: form.mfa_required_for_staff == "on",
        attendance_threshold: number(
            form.attendance_threshold.as_deref(),
            stored.attendance_threshold,
            "attendance_threshold",
            &mut errors,
        ),
        guidance_admin_access: form.guidance_admin_access == "on",
        retention_years: number(
            form.retention_years.as_deref(),
            stored.retention_years,
            "retention_years",
            &mut errors,
        ),
    };
    let result = if errors.is_empty() {
        save(&mut tx, &context, &settings).await
    } else {
        Err(AppError::Validation(errors))
    };
    // What the form shows again if refused: every field as it was sent.
    let shown = Shown {
        mfa_required_for_staff: settings.mfa_required_for_staff,
        guidance_admin_access: settings.guidance_admin_access,
        attendance_threshold: form
            .attendance_threshold
            .unwrap_or_else(|| stored.attendance_threshold.to_string()),
        retention_years: form
            .retention_years
            .unwrap_or_else(|| stored.retention_years.to_string()),
    };
    form::settle(&state, tx, result)
        .done(|()| Done::to("/admin/settings").message("Settings saved"))
        .again(async |errors| render_page(&state, &principal, jar, shown, errors))
        .await
}

/// The caller's college settings.
#[utoipa::path(get, path = "/api/v1/college/settings", tag = "colleges", security(("bearer" = [])),
    responses((status = 200, description = "The settings", body = CollegeSettings)))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<CollegeSettings>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let settings = load(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(settings))
}

/// Changes the caller's college settings.
#[utoipa::path(put, path = "/api/v1/college/settings", tag = "colleges", request_body = CollegeSettings, security(("bearer" = [])),
    responses((status = 200, description = "The new settings", body = CollegeSettings)))]
pub async fn put_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(settings): ApiJson<CollegeSettings>,
) -> AppResult<Json<CollegeSettings>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    save(&mut tx, &context, &settings).await?;
    tx.commit().await?;
    Ok(Json(settings))
}
