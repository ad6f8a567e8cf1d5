//! The verified portfolio: a PDF of a student's approved achievements (image evidence as
//! thumbnails) and an academic summary, issued like a transcript with a verification
//! code whose public page shows what was verified, by whom and when, and whether each
//! achievement still stands.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::documents::issue::{self, Issued, Kind};
use crate::error::AppError;
use crate::files::Storage;

/// At most this many evidence images per achievement are printed.
const THUMBNAILS_PER_ACHIEVEMENT: usize = 4;

/// What a portfolio showed when issued; the verification page shows this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contents {
    pub kind: String,
    pub college: String,
    pub student_name: String,
    pub student_number: String,
    pub program: String,
    pub cumulative_gpa: Option<f64>,
    pub credits_earned: f64,
    pub total_points: i64,
    pub issued_on: String,
    pub achievements: Vec<Item>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    pub id: Uuid,
    pub title: String,
    pub category: String,
    pub achieved_on: String,
    pub organiser: String,
    pub points: i32,
    pub verified_by: String,
    pub verified_on: String,
}

#[derive(sqlx::FromRow)]
struct Approved {
    id: Uuid,
    title: String,
    category: String,
    achieved_on: time::Date,
    organiser: String,
    description: String,
    points: i32,
    verified_by: Option<String>,
    decided_at: Option<OffsetDateTime>,
}

fn label(category: &str) -> String {
    let mut chars = category.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Issues a student's portfolio now.
pub async fn issue(
    conn: &mut PgConnection,
    storage: &Storage,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::within_daily_limit(conn, context.actor).await?;
    let sources = issue::sources(conn, student).await?;
    let approved: Vec<Approved> = sqlx::query_as!(Approved, "SELECT a.id, a.title, a.category, a.achieved_on, a.organiser, a.description, a.points, \
            coalesce(sf.first_name || ' ' || sf.last_name, u.display_name) AS \"verified_by?\", a.decided_at AS \"decided_at?\" \
         FROM achievements a LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.decided_by \
         LEFT JOIN staff sf ON sf.college_id = a.college_id AND sf.user_id = a.decided_by \
         WHERE a.student_id = $1 AND a.status = 'approved' ORDER BY a.achieved_on DESC, a.created_at DESC", student)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = approved.iter().map(|a| a.id).collect();
    let images: Vec<(Uuid, String)> = sqlx::query!("SELECT af.achievement_id, f.storage_key FROM achievement_files af \
         JOIN stored_files f ON f.college_id = af.college_id AND f.id = af.file_id \
         WHERE af.achievement_id = ANY($1) AND f.content_type IN ('image/png', 'image/jpeg', 'image/gif') \
         ORDER BY f.file_name", &ids)
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.achievement_id, r.storage_key)).collect::<Vec<_>>())?;
    let mut originals: Vec<(Uuid, Vec<u8>)> = Vec::new();
    for (achievement, key) in images {
        if originals.iter().filter(|(a, _)| *a == achievement).count() < THUMBNAILS_PER_ACHIEVEMENT
        {
            originals.push((achievement, storage.get(&key).await?));
        }
    }
    let total_points: i64 = approved.iter().map(|a| i64::from(a.points)).sum();
    let code = issue::new_code();
    let issued_on = issue::today();
    let items: Vec<Item> = approved
        .iter()
        .map(|a| Item {
            id: a.id,
            title: a.title.clone(),
            category: a.category.clone(),
            achieved_on: a.achieved_on.to_string(),
            organiser: a.organiser.clone(),
            points: a.points,
            verified_by: a
                .verified_by
                .clone()
                .unwrap_or_else(|| "a former reviewer".into()),
            verified_on: a
                .decided_at
                .map(|d| d.date().to_string())
                .unwrap_or_default(),
        })
        .collect();
    let record = &sources.record;
    let student_block = sources.student_block();
    let summary = format!(
        "Year {} of {}. {} with published results; {} credits earned; cumulative GPA {}.",
        student_block.year,
        student_block.program,
        match record.terms.len() {
            0 => "No term yet".to_string(),
            1 => "One term".to_string(),
            n => format!("{n} terms"),
        },
        issue::number(record.credits_earned),
        issue::maybe(record.cumulative_gpa),
    );
    let contents = Contents {
        kind: Kind::Portfolio.as_str().into(),
        college: sources.college_name().to_string(),
        student_name: student_block.name.clone(),
        student_number: student_block.number.clone(),
        program: student_block.program.clone(),
        cumulative_gpa: record.cumulative_gpa,
        credits_earned: record.credits_earned,
        total_points,
        issued_on: issued_on.clone(),
        achievements: items.clone(),
    };
    let descriptions: Vec<String> = approved.iter().map(|a| a.description.clone()).collect();
    let base_url = base_url.to_owned();
    let file_name = format!(
        "portfolio-{}.pdf",
        issue::safe_file_part(&student_block.number)
    );
    let typeset_code = code.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        let achievements = items
            .iter()
            .zip(descriptions)
            .map(|(item, description)| documents::Achievement {
                title: item.title.clone(),
                category: label(&item.category),
                achieved_on: item.achieved_on.clone(),
                organiser: item.organiser.clone(),
                description,
                points: item.points.to_string(),
                verified_by: item.verified_by.clone(),
                verified_on: item.verified_on.clone(),
                // An evidence file that does not decode is left out of the print, not fatal.
                thumbnails: originals
                    .iter()
                    .filter(|(a, _)| *a == item.id)
                    .filter_map(|(_, bytes)| documents::thumbnail(bytes))
                    .collect(),
            })
            .collect();
        documents::portfolio(&documents::Portfolio {
            college: sources.letterhead(),
            student: student_block,
            cumulative_gpa: issue::maybe(sources.record.cumulative_gpa),
            credits_earned: issue::number(sources.record.credits_earned),
            summary,
            achievements,
            total_points: total_points.to_string(),
            issued_on,
            signatories: vec!["Dean of students".into(), "Registrar".into()],
            verification: sources.verification(&base_url, &typeset_code),
        })
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(e.into()))?;
    let value = serde_json::to_value(&contents).map_err(|e| AppError::Internal(e.into()))?;
    let id = issue::record_document(
        conn,
        context,
        Kind::Portfolio,
        student,
        None,
        &code,
        value,
        &pdf,
    )
    .await?;
    Ok(Issued {
        id,
        code,
        pdf,
        file_name,
    })
}

/// Each verified achievement's status today, for the verification page: `None` for one
/// that still stands, else when and why it was revoked (or that it no longer exists).
pub async fn current_standing(
    conn: &mut PgConnection,
    items: &[Item],
) -> Result<Vec<Option<String>>, sqlx::Error> {
    let ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let rows: Vec<(Uuid, String, Option<OffsetDateTime>, Option<String>)> = sqlx::query!(
        "SELECT id, status, decided_at, decision_comment FROM achievements WHERE id = ANY($1)",
        &ids
    )
    .fetch_all(conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.id, r.status, r.decided_at, r.decision_comment))
            .collect::<Vec<_>>()
    })?;
    Ok(items
        .iter()
        .map(|item| match rows.iter().find(|r| r.0 == item.id) {
            None => Some("withdrawn from the record since".to_string()),
            Some((_, status, _, _)) if status == "approved" => None,
            Some((_, _, at, comment)) => Some(format!(
                "revoked on {}{}",
                at.map(|d| d.date().to_string()).unwrap_or_default(),
                comment
                    .as_deref()
                    .map(|c| format!(": {c}"))
                    .unwrap_or_default()
            )),
        })
        .collect())
}
