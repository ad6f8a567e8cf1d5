//! Achievements: a student records one with evidence; a reviewer whose grant reaches it
//! approves (earning the category's activity points), rejects with a comment, or later
//! revokes an approval. Every change is audited and announced live to the student's page.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::access::permissions::Permission;
use crate::access::principal::{Grant, Principal};
use crate::access::reach;
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::files::Storage;
use crate::files::uploads::{self, FileView, Upload};

pub const CATEGORIES: [&str; 7] = [
    "academic",
    "sports",
    "cultural",
    "technical",
    "volunteering",
    "internship",
    "certification",
];

/// The live topic a student's achievements page follows.
pub fn topic(student: Uuid) -> String {
    format!("achievements:{student}")
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AchievementInput {
    pub title: String,
    /// academic, sports, cultural, technical, volunteering, internship or certification.
    pub category: String,
    /// The day of the achievement, e.g. `2026-10-02`.
    pub achieved_on: String,
    /// Who organised or awarded it.
    pub organiser: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Achievement {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    pub title: String,
    pub category: String,
    #[serde(serialize_with = "crate::web::json::date")]
    #[schema(value_type = String, format = Date)]
    pub achieved_on: time::Date,
    pub organiser: String,
    pub description: String,
    /// submitted, approved, rejected or revoked.
    pub status: String,
    pub points: i32,
    pub decided_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    pub decision_comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[sqlx(skip)]
    pub files: Vec<FileView>,
}

const SELECT: &str = "SELECT a.id, a.student_id, st.first_name || ' ' || st.last_name AS student_name, \
        a.title, a.category, a.achieved_on, a.organiser, a.description, a.status, a.points, \
        coalesce(sf.first_name || ' ' || sf.last_name, u.display_name) AS decided_by, a.decided_at, \
        a.decision_comment, a.created_at \
     FROM achievements a JOIN students st ON st.college_id = a.college_id AND st.id = a.student_id \
     LEFT JOIN users u ON u.college_id = a.college_id AND u.id = a.decided_by \
     LEFT JOIN staff sf ON sf.college_id = a.college_id AND sf.user_id = a.decided_by";

fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

fn validate(input: &AchievementInput) -> Result<time::Date, AppError> {
    let mut errors = Vec::new();
    if !(3..=200).contains(&input.title.trim().chars().count()) {
        errors.push(FieldError::new("title", "must be 3 to 200 characters"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(
            "category",
            "must be academic, sports, cultural, technical, volunteering, internship or certification",
        ));
    }
    if !(2..=200).contains(&input.organiser.trim().chars().count()) {
        errors.push(FieldError::new("organiser", "must be 2 to 200 characters"));
    }
    if input.description.chars().count() > 4000 {
        errors.push(FieldError::new(
            "description",
            "must be at most 4,000 characters",
        ));
    }
    let date = parse_date(&input.achieved_on);
    let today = OffsetDateTime::now_utc().date();
    match date {
        None => errors.push(FieldError::new(
            "achieved_on",
            "must be a date such as 2026-10-02",
        )),
        Some(d) if d > today.next_day().unwrap_or(today) => {
            errors.push(FieldError::new("achieved_on", "cannot be in the future"))
        }
        Some(d) if d.year() < 1951 => {
            errors.push(FieldError::new("achieved_on", "must be after 1950"))
        }
        Some(_) => {}
    }
    match (errors.is_empty(), date) {
        (true, Some(date)) => Ok(date),
        _ => Err(AppError::Validation(errors)),
    }
}

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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = AchievementDecision)]
pub struct DecisionInput {
    /// `approve`, `reject` (a submitted achievement) or `revoke` (an approved one).
    pub decision: String,
    /// Required to reject or revoke (3 to 1,000 characters).
    #[serde(default)]
    pub comment: String,
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Rule {
    pub category: String,
    pub points: i32,
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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Organizer {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub categories: Vec<String>,
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrganizerInput {
    /// A user holding the student organizer role.
    pub user_id: Uuid,
    /// The categories they review (replaces what they had).
    pub categories: Vec<String>,
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
