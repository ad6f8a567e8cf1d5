//! Intake queries: a program's admission rounds (all, or those open today), one intake,
//! a new intake (audited), and the programs an intake may be for.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::admissions::intakes::model::{Intake, IntakeInput};
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

const SELECT: &str = "SELECT i.id, i.program_id, p.code || ' ' || p.name AS program, i.name, i.seats, \
        i.application_fee::text AS application_fee, i.currency, i.opens_on, i.closes_on, i.admits_on, \
        current_date BETWEEN i.opens_on AND i.closes_on AS open, \
        (SELECT count(*) FROM applications a WHERE a.college_id = i.college_id AND a.intake_id = i.id AND a.status = 'accepted') AS accepted, \
        (SELECT count(*) FROM applications a WHERE a.college_id = i.college_id AND a.intake_id = i.id AND a.status <> 'draft') AS applications \
     FROM intakes i JOIN programs p ON p.college_id = i.college_id AND p.id = i.program_id";

pub async fn list(conn: &mut PgConnection) -> Result<Vec<Intake>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY i.opens_on DESC, p.code"
    )))
    .fetch_all(conn)
    .await
}

/// Intakes taking applications today.
pub async fn open(conn: &mut PgConnection) -> Result<Vec<Intake>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE current_date BETWEEN i.opens_on AND i.closes_on ORDER BY p.code, i.name"
    )))
    .fetch_all(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Intake, AppError> {
    let found: Option<Intake> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1")))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    found.ok_or(AppError::NotFound)
}

pub async fn create(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &IntakeInput,
) -> Result<Uuid, AppError> {
    let mut errors = Vec::new();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let mut day = |field: &str, text: &str| {
        time::Date::parse(text.trim(), &format)
            .map_err(|_| errors.push(FieldError::new(field, "must be a date such as 2027-01-15")))
            .ok()
    };
    let opens = day("opens_on", &input.opens_on);
    let closes = day("closes_on", &input.closes_on);
    let admits = day("admits_on", &input.admits_on);
    if let (Some(o), Some(c)) = (opens, closes)
        && c < o
    {
        errors.push(FieldError::new(
            "closes_on",
            "must not be before the opening day",
        ));
    }
    if let (Some(c), Some(a)) = (closes, admits)
        && a < c
    {
        errors.push(FieldError::new(
            "admits_on",
            "must not be before applications close",
        ));
    }
    if !(3..=100).contains(&input.name.trim().chars().count()) {
        errors.push(FieldError::new("name", "must be 3 to 100 characters"));
    }
    if !(1..=100_000).contains(&input.seats) {
        errors.push(FieldError::new("seats", "must be 1 to 100,000"));
    }
    let fee_text = if input.application_fee.trim().is_empty() {
        "0"
    } else {
        input.application_fee.trim()
    };
    let fee_ok = fee_text.split_once('.').map_or(
        fee_text.len() <= 9 && fee_text.bytes().all(|b| b.is_ascii_digit()),
        |(w, f)| {
            !w.is_empty()
                && w.len() <= 9
                && w.bytes().all(|b| b.is_ascii_digit())
                && f.len() <= 2
                && f.bytes().all(|b| b.is_ascii_digit())
        },
    );
    if !fee_ok {
        errors.push(FieldError::new(
            "application_fee",
            "must be an amount such as 500 or 499.50",
        ));
    }
    let currency = if input.currency.trim().is_empty() {
        "INR".to_string()
    } else {
        input.currency.trim().to_uppercase()
    };
    if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
        errors.push(FieldError::new(
            "currency",
            "must be a code such as INR or USD",
        ));
    }
    let program: Option<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM programs WHERE code = upper($1)",
        input.program.trim()
    )
    .fetch_optional(&mut *conn)
    .await?;
    if program.is_none() {
        errors.push(FieldError::new("program", "no program has this code"));
    }
    let (Some(program), Some(opens), Some(closes), Some(admits), true) =
        (program, opens, closes, admits, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let id: Option<Uuid> = sqlx::query_scalar!("INSERT INTO intakes (college_id, program_id, name, seats, application_fee, currency, opens_on, closes_on, admits_on) \
         VALUES (app_current_college(), $1, $2, $3, $4::text::numeric, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id", program, input.name.trim(), input.seats, fee_text, &currency, opens, closes, admits)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Err(AppError::Validation(vec![FieldError::new(
            "name",
            "this program already has an intake of this name",
        )]));
    };
    audit::record(
        conn,
        context,
        Entry::new("admissions.intake_created")
            .object("intake", id)
            .after(serde_json::json!({
                "program_id": program, "name": input.name.trim(), "seats": input.seats,
                "application_fee": fee_text, "currency": currency,
            })),
    )
    .await?;
    Ok(id)
}

/// The programs an intake may be for: (code, code and name).
pub async fn program_options(
    conn: &mut PgConnection,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query!("SELECT code, code || ' ' || name AS \"label!\" FROM programs ORDER BY code")
        .fetch_all(conn)
        .await
        .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())
}
