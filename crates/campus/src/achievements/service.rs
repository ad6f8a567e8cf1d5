//! The verified portfolio: a PDF of a student's approved achievements (image evidence as
//! thumbnails) and an academic summary, issued like a transcript with a verification
//! code whose public page shows what was verified, by whom and when, and whether each
//! achievement still stands.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::achievements::model::{Contents, Item, THUMBNAILS_PER_ACHIEVEMENT, label};
use crate::achievements::queries;
use crate::audit::AuditContext;
use crate::documents::issue::model::{self as issue, Issued, Kind};
use crate::documents::issue::queries as issue_queries;
use crate::error::AppError;
use crate::files::Storage;

/// Issues a student's portfolio now.
pub async fn issue(
    conn: &mut PgConnection,
    storage: &Storage,
    context: &AuditContext,
    base_url: &str,
    student: Uuid,
) -> Result<Issued, AppError> {
    crate::documents::lifecycle::queries::within_daily_limit(conn, context.actor).await?;
    let sources = issue_queries::sources(conn, student).await?;
    let approved = queries::approved(conn, student).await?;
    let ids: Vec<Uuid> = approved.iter().map(|a| a.id).collect();
    let images = queries::evidence_images(conn, &ids).await?;
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
    let id = issue_queries::record_document(
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
