//! Achievement queries: recording one with its evidence, listing (a student's, a
//! reviewer's queue), deciding, the activity point rules and organizers, who may read
//! evidence, and what a portfolio prints and how its achievements stand today. Each
//! change is audited; those a student follows are announced live.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::access::reach;
use crate::achievements::model::{
    Achievement, AchievementInput, Approved, CATEGORIES, DecisionInput, Item, Organizer,
    OrganizerInput, Rule, topic, validate,
};
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, FileView, Upload};

const SELECT: &str = "SELECT a.id, a.student_id, st.first_name || ' ' || st.last_name AS student_name, \
        a.title, a.category, a.achieved_on, a.organiser, a.description, a.status, a.points, \
        coalesce(sf.first_name || ' ' || sf.last_name, u.display_name) AS decided_by, a.decided_at, \
        a.decision_comment, a.created_at \
     FROM achievements a JOIN students st ON st.college_id = a.college_id AND st.id = a.student_id \
     LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.decided_by \
     LEFT JOIN staff sf ON sf.college_id = a.college_id AND sf.user_id = a.decided_by";

/// The student record of a signed-in student (`NotFound` for an account without one).
pub async fn student_of_user(conn: &mut PgConnection, user: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar!("SELECT id FROM students WHERE user_id = $1", user)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Records a student's achievement with its evidence (checked before anything is stored).
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut PgConnection,
    storage: &Storage,
    college: CollegeId,
    context: &AuditContext,
    student: Uuid,
    input: &AchievementInput,
    files: &[Upload],
) -> Result<Uuid, AppError> {
    let achieved_on = validate(input)?;
    let kinds = uploads::check_all(files)?;
    let id: Uuid = sqlx::query_scalar!("INSERT INTO achievements (college_id, student_id, title, category, achieved_on, organiser, description) \
         VALUES (app_current_college(), $1, $2, $3, $4, $5, $6) RETURNING id", student, input.title.trim(), &input.category, achieved_on, input.organiser.trim(), input.description.trim())
    .fetch_one(&mut *conn)
    .await?;
    for (upload, kind) in files.iter().zip(kinds) {
        let file = uploads::store(conn, storage, college, context.actor, upload, kind).await?;
        sqlx::query!("INSERT INTO achievement_files (college_id, achievement_id, file_id) VALUES (app_current_college(), $1, $2)", id, file)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("achievement.recorded")
            .object("achievement", id)
            .after(serde_json::json!({
                "student_id": student, "title": input.title.trim(), "category": input.category,
                "achieved_on": achieved_on.to_string(), "files": files.len(),
            })),
    )
    .await?;
    crate::live::publish(conn, &topic(student)).await?;
    Ok(id)
}

async fn with_files(
    conn: &mut PgConnection,
    mut list: Vec<Achievement>,
) -> Result<Vec<Achievement>, sqlx::Error> {
    let ids: Vec<Uuid> = list.iter().map(|a| a.id).collect();
    let files: Vec<(Uuid, Uuid, String, String, i64)> = sqlx::query!("SELECT af.achievement_id, f.id, f.file_name, f.content_type, f.size_bytes FROM achievement_files af \
         JOIN stored_files f ON f.college_id = af.college_id AND f.id = af.file_id \
         WHERE af.achievement_id = ANY($1) ORDER BY f.file_name", &ids)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.achievement_id, r.id, r.file_name, r.content_type, r.size_bytes)).collect::<Vec<_>>())?;
    for (achievement, id, file_name, content_type, size_bytes) in files {
        if let Some(a) = list.iter_mut().find(|a| a.id == achievement) {
            a.files.push(FileView {
                id,
                file_name,
                content_type,
                size_bytes,
            });
        }
    }
    Ok(list)
}

/// A student's achievements, newest first.
pub async fn of_student(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<Achievement>, sqlx::Error> {
    let list = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.student_id = $1 ORDER BY a.achieved_on DESC, a.created_at DESC"
    )))
    .bind(student)
    .fetch_all(&mut *conn)
    .await?;
    with_files(conn, list).await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Achievement, AppError> {
    let found: Option<Achievement> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let found = found.ok_or(AppError::NotFound)?;
    Ok(with_files(conn, vec![found]).await?.remove(0))
}

/// What a reviewer sees: achievements waiting for a decision, then recent decisions
/// (which they may revoke), within their reach.
pub async fn queue(
    conn: &mut PgConnection,
    grant: &Grant,
    status: &str,
) -> Result<Vec<Achievement>, AppError> {
    if !["submitted", "approved", "rejected", "revoked"].contains(&status) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "must be submitted, approved, rejected or revoked",
        )]));
    }
    let sql = format!(
        "{SELECT} WHERE a.status = $2 AND {} ORDER BY a.created_at {} LIMIT 200",
        crate::access::reach::reviews(grant).sql("$1"),
        if status == "submitted" { "ASC" } else { "DESC" }
    );
    let list = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(grant.user_id)
        .bind(status)
        .fetch_all(&mut *conn)
        .await?;
    Ok(with_files(conn, list).await?)
}

/// How many achievements wait for this reviewer.
pub async fn waiting_count(conn: &mut PgConnection, grant: &Grant) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM achievements a JOIN students st ON st.college_id = a.college_id AND st.id = a.student_id \
         WHERE a.status = 'submitted' AND {}",
        crate::access::reach::reviews(grant).sql("$1")
    )))
    .bind(grant.user_id)
    .fetch_one(conn)
    .await
}

/// Decides on an achievement the grant reaches: approving awards the category's points
/// as the rules stand now.
pub async fn decide(
    conn: &mut PgConnection,
    context: &AuditContext,
    grant: &Grant,
    id: Uuid,
    input: &DecisionInput,
) -> Result<(), AppError> {
    let row: Option<(String, String, Uuid)> = sqlx::query!(
        "SELECT status, category, student_id FROM achievements WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.status, r.category, r.student_id)))?;
    let (status, category, student) = row.ok_or(AppError::NotFound)?;
    if !crate::access::reach::may_review(conn, grant, id).await? {
        return Err(AppError::Forbidden);
    }
    let comment = input.comment.trim();
    if comment.chars().count() > 1000 {
        return Err(AppError::Validation(vec![FieldError::new(
            "comment",
            "must be at most 1,000 characters",
        )]));
    }
    let (to, needs) = match input.decision.as_str() {
        "approve" => ("approved", "submitted"),
        "reject" => ("rejected", "submitted"),
        "revoke" => ("revoked", "approved"),
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "decision",
                "must be approve, reject or revoke",
            )]));
        }
    };
    if to != "approved" && comment.chars().count() < 3 {
        return Err(AppError::Validation(vec![FieldError::new(
            "comment",
            "say why, in at least 3 characters",
        )]));
    }
    if status != needs {
        return Err(AppError::Conflict(format!(
            "this achievement is {status}; only a {needs} one can be {to}"
        )));
    }
    let points: i32 = if to == "approved" {
        sqlx::query_scalar!(
            "SELECT points FROM activity_point_rules WHERE category = $1",
            &category
        )
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0)
    } else {
        sqlx::query_scalar!("SELECT points FROM achievements WHERE id = $1", id)
            .fetch_one(&mut *conn)
            .await?
    };
    sqlx::query!("UPDATE achievements SET status = $2, points = CASE WHEN $2 = 'rejected' THEN 0 ELSE $3 END, \
            decided_by = $4, decided_at = now(), decision_comment = nullif($5, '') WHERE id = $1", id, to, points, context.actor, comment)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new(match to {
            "approved" => "achievement.approved",
            "rejected" => "achievement.rejected",
            _ => "achievement.revoked",
        })
            .object("achievement", id)
            .before(serde_json::json!({ "status": status }))
            .after(serde_json::json!({ "status": to, "points": points, "comment": comment, "student_id": student })),
    )
    .await?;
    crate::live::publish(conn, &topic(student)).await?;
    Ok(())
}

/// Activity points earned: approved achievements only (revoked ones lose theirs).
pub async fn points_of(conn: &mut PgConnection, student: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!("SELECT coalesce(sum(points), 0)::int8 AS \"v!\" FROM achievements WHERE student_id = $1 AND status = 'approved'", student)
    .fetch_one(conn)
    .await
}

/// The points per category (0 for a category without a rule).
pub async fn rules(conn: &mut PgConnection) -> Result<Vec<Rule>, sqlx::Error> {
    let set: Vec<Rule> = sqlx::query_as!(Rule, "SELECT category, points FROM activity_point_rules")
        .fetch_all(conn)
        .await?;
    Ok(CATEGORIES
        .iter()
        .map(|c| Rule {
            category: (*c).to_string(),
            points: set
                .iter()
                .find(|r| r.category == *c)
                .map_or(0, |r| r.points),
        })
        .collect())
}

/// Replaces the point rules; approvals already made keep the points they earned.
pub async fn set_rules(
    conn: &mut PgConnection,
    context: &AuditContext,
    new: &[Rule],
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for rule in new {
        if !CATEGORIES.contains(&rule.category.as_str()) {
            errors.push(FieldError::new(
                rule.category.clone(),
                "is not a category of achievement",
            ));
        } else if !(0..=1000).contains(&rule.points) {
            errors.push(FieldError::new(
                rule.category.clone(),
                "points must be 0 to 1,000",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = rules(conn).await?;
    for rule in new {
        sqlx::query!("INSERT INTO activity_point_rules (college_id, category, points) VALUES (app_current_college(), $1, $2) \
             ON CONFLICT (college_id, category) DO UPDATE SET points = EXCLUDED.points, updated_at = now()", &rule.category, rule.points)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("achievement.rules_changed")
            .before(serde_json::to_value(&before).unwrap_or_default())
            .after(serde_json::to_value(new).unwrap_or_default()),
    )
    .await?;
    Ok(())
}

pub async fn organizers(conn: &mut PgConnection) -> Result<Vec<Organizer>, sqlx::Error> {
    sqlx::query_as!(Organizer, "SELECT u.id AS user_id, u.display_name AS name, u.email::text AS \"email!\", \
            coalesce(array_agg(o.category ORDER BY o.category) FILTER (WHERE o.category IS NOT NULL), '{}') AS \"categories!\" \
         FROM users u JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id AND r.role = 'student_organizer' \
         LEFT JOIN achievement_organizers o ON o.college_id = u.college_id AND o.user_id = u.id \
         GROUP BY u.id, u.display_name, u.email ORDER BY u.display_name")
    .fetch_all(conn)
    .await
}

/// Sets which categories a student organizer reviews.
pub async fn set_organizer(
    conn: &mut PgConnection,
    context: &AuditContext,
    input: &OrganizerInput,
) -> Result<(), AppError> {
    if let Some(bad) = input
        .categories
        .iter()
        .find(|c| !CATEGORIES.contains(&c.as_str()))
    {
        return Err(AppError::Validation(vec![FieldError::new(
            "categories",
            format!("{bad} is not a category of achievement"),
        )]));
    }
    let holds: bool = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM role_assignments WHERE user_id = $1 AND role = 'student_organizer') AS \"v!\"", input.user_id)
    .fetch_one(&mut *conn)
    .await?;
    if !holds {
        return Err(AppError::Validation(vec![FieldError::new(
            "user_id",
            "give this user the student organizer role first",
        )]));
    }
    sqlx::query!(
        "DELETE FROM achievement_organizers WHERE user_id = $1",
        input.user_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO achievement_organizers (college_id, user_id, category) \
         SELECT app_current_college(), $1, c FROM unnest($2::text[]) AS c ON CONFLICT DO NOTHING",
        input.user_id,
        &input.categories
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("achievement.organizer_set")
            .object("user", input.user_id)
            .after(serde_json::json!({ "categories": input.categories })),
    )
    .await?;
    Ok(())
}

/// Who may read an achievement's evidence: whoever may read the student, and the
/// reviewers who reach it. `None` when the file is not evidence.
pub async fn may_read_evidence(
    conn: &mut PgConnection,
    principal: &Principal,
    file: Uuid,
) -> Result<Option<bool>, AppError> {
    let found: Option<(Uuid, Uuid)> = sqlx::query!("SELECT a.id, a.student_id FROM achievement_files af \
         JOIN achievements a ON a.college_id = af.college_id AND a.id = af.achievement_id WHERE af.file_id = $1", file)
    .fetch_optional(&mut *conn)
    .await.map(|o| o.map(|r| (r.id, r.student_id)))?;
    let Some((achievement, student)) = found else {
        return Ok(None);
    };
    if let Some(grant) = principal.grant(Permission::StudentsRead)
        && reach::authorize_student(conn, &grant, student)
            .await
            .is_ok()
    {
        return Ok(Some(true));
    }
    Ok(Some(
        match principal.grant(Permission::AchievementsReview) {
            Some(grant) => reach::may_review(conn, &grant, achievement).await?,
            None => false,
        },
    ))
}
/// A student's approved achievements, newest first, with who verified each.
pub(super) async fn approved(
    conn: &mut PgConnection,
    student: Uuid,
) -> Result<Vec<Approved>, sqlx::Error> {
    sqlx::query_as!(Approved, "SELECT a.id, a.title, a.category, a.achieved_on, a.organiser, a.description, a.points, \
            coalesce(sf.first_name || ' ' || sf.last_name, u.display_name) AS \"verified_by?\", a.decided_at AS \"decided_at?\" \
         FROM achievements a LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.decided_by \
         LEFT JOIN staff sf ON sf.college_id = a.college_id AND sf.user_id = a.decided_by \
         WHERE a.student_id = $1 AND a.status = 'approved' ORDER BY a.achieved_on DESC, a.created_at DESC", student)
    .fetch_all(conn)
    .await
}

/// The image evidence of achievements: (achievement, storage key), by file name.
pub async fn evidence_images(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query!("SELECT af.achievement_id, f.storage_key FROM achievement_files af \
         JOIN stored_files f ON f.college_id = af.college_id AND f.id = af.file_id \
         WHERE af.achievement_id = ANY($1) AND f.content_type IN ('image/png', 'image/jpeg', 'image/gif') \
         ORDER BY f.file_name", ids)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.achievement_id, r.storage_key)).collect::<Vec<_>>())
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
