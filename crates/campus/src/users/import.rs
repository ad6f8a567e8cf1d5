//! Bulk import of users from CSV (`email,name,roles`, roles separated by `;`): a dry run
//! lists every row with its errors; the import itself writes all rows or none.

use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use crate::access::principal::Grant;
use crate::audit::AuditContext;
use crate::error::{AppError, FieldError};
use crate::users::model::NewUserInput;
use crate::users::service;

pub const MAX_ROWS: usize = 5_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportRow {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    /// What is wrong with the row; empty when it can be imported.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UserImportReport)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// Rows with errors; the import writes nothing while any row has one.
    pub invalid: usize,
    /// Accounts created (0 for a dry run or when any row is invalid).
    pub created: usize,
}

fn parse_csv(text: &str) -> Result<Vec<ImportRow>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            AppError::Validation(vec![FieldError::new("csv", format!("cannot be read: {e}"))])
        })?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(email), Some(name)) = (column("email"), column("name")) else {
        return Err(AppError::Validation(vec![FieldError::new(
            "csv",
            "the first line must name the columns: email,name,roles",
        )]));
    };
    let roles = column("roles");
    let mut rows = Vec::new();
    let mut lines = crate::files::uploads::CsvLines::new(text);
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            AppError::Validation(vec![FieldError::new(
                "csv",
                format!("row {} cannot be read: {e}", index + 1),
            )])
        })?;
        let line = lines.line(&record).unwrap_or(index + 2);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(AppError::BadRequest(format!(
                "At most {MAX_ROWS} rows can be imported at once"
            )));
        }
        rows.push(ImportRow {
            line,
            email: record.get(email).unwrap_or_default().to_string(),
            name: record.get(name).unwrap_or_default().to_string(),
            roles: roles
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .split([';', '|'])
                .map(|r| r.trim().to_lowercase())
                .filter(|r| !r.is_empty())
                .collect(),
            errors: Vec::new(),
        });
    }
    if rows.is_empty() {
        return Err(AppError::BadRequest(
            "The CSV has no rows under its header".into(),
        ));
    }
    Ok(rows)
}

/// Checks every row: its fields, its roles, emails taken in the college or repeated in
/// the file.
pub async fn check(conn: &mut PgConnection, text: &str) -> Result<Vec<ImportRow>, AppError> {
    let mut rows = parse_csv(text)?;
    let known = service::known_roles(conn).await?;
    let emails: Vec<String> = rows.iter().map(|r| r.email.trim().to_lowercase()).collect();
    let taken: Vec<String> =
        sqlx::query_scalar!("SELECT email::text AS \"v!\" FROM users WHERE email = ANY($1) AND NOT (self_signup AND email_verified_at IS NULL)", &emails)
            .fetch_all(&mut *conn)
            .await?;
    for i in 0..rows.len() {
        let input = NewUserInput {
            email: rows[i].email.clone(),
            display_name: rows[i].name.clone(),
            roles: rows[i].roles.clone(),
            invite: true,
        };
        let mut errors: Vec<String> = match input.parse() {
            Ok(_) => Vec::new(),
            Err(fields) => fields
                .into_iter()
                .map(|f| format!("{}: {}", f.field.replace("display_name", "name"), f.message))
                .collect(),
        };
        for role in &rows[i].roles {
            if !known.iter().any(|(name, _)| name == role) {
                errors.push(format!("roles: `{role}` is not a role of this college"));
            }
        }
        if taken.contains(&emails[i]) {
            errors.push("email: another account has this email".into());
        }
        if let Some(first) = emails[..i].iter().position(|e| *e == emails[i]) {
            errors.push(format!("email: repeats line {}", rows[first].line));
        }
        rows[i].errors = errors;
    }
    Ok(rows)
}

/// Imports all rows, or none when any has an error (the report then lists them).
pub async fn run(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    base_url: &str,
    college_name: &str,
    text: &str,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let rows = check(conn, text).await?;
    let invalid = rows.iter().filter(|r| !r.errors.is_empty()).count();
    if dry_run || invalid > 0 {
        return Ok(ImportReport {
            rows,
            invalid,
            created: 0,
        });
    }
    for row in &rows {
        let input = NewUserInput {
            email: row.email.clone(),
            display_name: row.name.clone(),
            roles: row.roles.clone(),
            invite: true,
        };
        let user = input.parse().map_err(AppError::Validation)?;
        service::create(
            conn,
            grant,
            context,
            base_url,
            college_name,
            &user,
            true,
            &format!("line {}: ", row.line),
        )
        .await?;
    }
    let created = rows.len();
    Ok(ImportReport {
        rows,
        invalid: 0,
        created,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn reads_rows_and_roles() {
        let rows = parse_csv(
            "email,name,roles\nada@x.edu,Ada,teacher;counselor\n\nbob@x.edu,\"Bob, Jr\",\n",
        )
        .expect("csv");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].roles, ["teacher", "counselor"]);
        assert_eq!(rows[1].name, "Bob, Jr");
        assert_eq!(rows[0].line, 2);
        assert!(rows[1].line > rows[0].line);
        assert!(parse_csv("mail,name\nx,y\n").is_err());
        assert!(parse_csv("email,name\n").is_err());
    }
}
