//! Support and maintenance tickets in the database: anyone raises one; those who handle
//! tickets assign it, move it through open, in progress, resolved and closed, and
//! comment; the requester comments too. Every change is published to the ticket's live
//! topic.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::permissions::{Permission, Role, parse_grant};
use crate::access::principal::Principal;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};
use crate::requests::tickets::model::{
    CATEGORIES, Comment, CommentInput, Handling, QueueFilter, STATUSES, Ticket, TicketInput,
    TicketLine, TicketQuery, UpdateInput, handling, topic,
};

const SELECT: &str = "SELECT t.id, t.number, t.requester_id, r.display_name AS requester, t.category, t.title, \
        t.body, t.location, t.status, a.display_name AS assignee, t.created_at, t.updated_at \
     FROM tickets t JOIN users r ON r.college_id = t.college_id AND r.id = t.requester_id \
     LEFT JOIN users a ON a.college_id = t.college_id AND a.id = t.assignee_id";

pub async fn open(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
    input: &TicketInput,
) -> Result<(Uuid, i32), AppError> {
    let mut errors = Vec::new();
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(
            "category",
            "must be it, maintenance, hostel, academic, finance, library or other",
        ));
    }
    if !(3..=200).contains(&input.title.trim().chars().count()) {
        errors.push(FieldError::new("title", "must be 3 to 200 characters"));
    }
    if !(1..=10_000).contains(&input.body.trim().chars().count()) {
        errors.push(FieldError::new(
            "body",
            "describe it in up to 10,000 characters",
        ));
    }
    if input.location.chars().count() > 200 {
        errors.push(FieldError::new(
            "location",
            "must be at most 200 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // Numbers run per college; the lock makes two tickets at once take turns.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('tickets:' || app_current_college()::text))"
    )
    .execute(&mut *conn)
    .await?;
    let (id, number): (Uuid, i32) = sqlx::query!("INSERT INTO tickets (college_id, number, requester_id, category, title, body, location) \
         SELECT app_current_college(), coalesce(max(number), 0) + 1, $1, $2, $3, $4, $5 FROM tickets \
         RETURNING id, number", user, &input.category, input.title.trim(), input.body.trim(), input.location.trim())
    .fetch_one(&mut *conn)
    .await.map(|r| (r.id, r.number))?;
    audit::record(
        conn,
        context,
        Entry::new("ticket.opened")
            .object("ticket", id)
            .after(serde_json::json!({ "number": number, "category": input.category, "title": input.title.trim() })),
    )
    .await?;
    Ok((id, number))
}

/// Refuses a status or category filter that is not one of the known codes (empty is any).
fn check_filters(status: &str, category: &str) -> Result<(), AppError> {
    if !status.is_empty() && !STATUSES.contains(&status) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "must be open, in_progress, resolved or closed",
        )]));
    }
    if !category.is_empty() && !CATEGORIES.contains(&category) {
        return Err(AppError::Validation(vec![FieldError::new(
            "category",
            "is not a ticket category",
        )]));
    }
    Ok(())
}

/// The tickets the principal may see (alias `t`): every ticket for those who handle them
/// all; their own and those assigned to them for a narrower grant; else their own.
fn push_reach(sql: &mut sqlx::QueryBuilder<sqlx::Postgres>, principal: &Principal) {
    match handling(principal) {
        Handling::Every => {}
        Handling::Assigned => {
            sql.push(" AND (t.requester_id = ")
                .push_bind(principal.user_id)
                .push(" OR t.assignee_id = ")
                .push_bind(principal.user_id)
                .push(")");
        }
        Handling::None => {
            sql.push(" AND t.requester_id = ")
                .push_bind(principal.user_id);
        }
    }
}

/// Tickets the principal may see: their own, those assigned to them when they handle
/// tickets within a narrower scope, or every ticket for those who handle them all.
pub async fn list(
    conn: &mut PgConnection,
    principal: &Principal,
    query: &TicketQuery,
) -> Result<Vec<Ticket>, AppError> {
    check_filters(&query.status, &query.category)?;
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(SELECT);
    sql.push(" WHERE true");
    push_reach(&mut sql, principal);
    if query.mine {
        sql.push(" AND t.assignee_id = ")
            .push_bind(principal.user_id);
    }
    if !query.status.is_empty() {
        sql.push(" AND t.status = ").push_bind(query.status.clone());
    }
    if !query.category.is_empty() {
        sql.push(" AND t.category = ")
            .push_bind(query.category.clone());
    }
    sql.push(" ORDER BY t.updated_at DESC LIMIT 200");
    Ok(sql.build_query_as().fetch_all(conn).await?)
}

/// One page of the queue (or, for its CSV, up to `limit` tickets from the first): the
/// tickets `filter` selects within the principal's reach, sorted by one of
/// `TICKET_SORTS` in the direction asked, the number breaking ties. `sort` only chooses
/// among fixed columns; it is never placed in the statement. Each row carries how many
/// tickets the filters select.
pub async fn page(
    conn: &mut PgConnection,
    principal: &Principal,
    filter: &QueueFilter,
    sort: &str,
    desc: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<TicketLine>, AppError> {
    check_filters(&filter.status, &filter.category)?;
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "SELECT t.id, t.number, t.title, t.category, t.location, t.status, r.display_name AS requester, \
            a.display_name AS assignee, t.created_at, t.updated_at, count(*) OVER () AS total \
         FROM tickets t JOIN users r ON r.college_id = t.college_id AND r.id = t.requester_id \
         LEFT JOIN users a ON a.college_id = t.college_id AND a.id = t.assignee_id \
         WHERE true",
    );
    push_reach(&mut sql, principal);
    if filter.mine {
        sql.push(" AND t.assignee_id = ")
            .push_bind(principal.user_id);
    }
    if !filter.status.is_empty() {
        sql.push(" AND t.status = ")
            .push_bind(filter.status.clone());
    }
    if !filter.category.is_empty() {
        sql.push(" AND t.category = ")
            .push_bind(filter.category.clone());
    }
    let column = match sort {
        "number" => "t.number",
        "title" => "lower(t.title)",
        "category" => "t.category",
        // Statuses in the order a ticket goes through them.
        "status" => "array_position(ARRAY['open', 'in_progress', 'resolved', 'closed'], t.status)",
        "requester" => "lower(r.display_name)",
        "assignee" => "lower(a.display_name)",
        _ => "t.updated_at",
    };
    let direction = if desc { " DESC" } else { " ASC" };
    sql.push(" ORDER BY ")
        .push(column)
        .push(direction)
        .push(" NULLS LAST, t.number")
        .push(direction)
        .push(" LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    Ok(sql.build_query_as().fetch_all(conn).await?)
}

/// A ticket and its comments, for its requester or those who handle tickets.
pub async fn view(
    conn: &mut PgConnection,
    principal: &Principal,
    id: Uuid,
) -> Result<(Ticket, Vec<Comment>), AppError> {
    let ticket: Option<Ticket> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE t.id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let ticket = ticket.ok_or(AppError::NotFound)?;
    let reaches = match handling(principal) {
        Handling::Every => true,
        Handling::Assigned => {
            let assignee: Option<Uuid> =
                sqlx::query_scalar!("SELECT assignee_id FROM tickets WHERE id = $1", id)
                    .fetch_one(&mut *conn)
                    .await?;
            assignee == Some(principal.user_id)
        }
        Handling::None => false,
    };
    if ticket.requester_id != principal.user_id && !reaches {
        return Err(AppError::Forbidden);
    }
    let comments = sqlx::query_as!(
        Comment,
        "SELECT u.display_name AS \"author?\", c.body, c.is_event, c.created_at FROM ticket_comments c \
         LEFT JOIN users u ON u.college_id = c.college_id AND u.id = c.author_id \
         WHERE c.ticket_id = $1 ORDER BY c.created_at",
        id
    )
    .fetch_all(conn)
    .await?;
    Ok((ticket, comments))
}

async fn note(
    conn: &mut PgConnection,
    ticket: Uuid,
    author: Option<Uuid>,
    body: &str,
    is_event: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO ticket_comments (college_id, ticket_id, author_id, body, is_event) \
         VALUES (app_current_college(), $1, $2, $3, $4)",
        ticket,
        author,
        body,
        is_event
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE tickets SET updated_at = now() WHERE id = $1",
        ticket
    )
    .execute(&mut *conn)
    .await?;
    crate::live::publish(conn, &topic(ticket)).await
}

pub async fn comment(
    conn: &mut PgConnection,
    context: &AuditContext,
    principal: &Principal,
    id: Uuid,
    input: &CommentInput,
) -> Result<(), AppError> {
    let (ticket, _) = view(conn, principal, id).await?;
    if ticket.status == "closed" {
        return Err(AppError::Conflict(
            "this ticket is closed; raise a new one".into(),
        ));
    }
    let body = input.body.trim();
    if !(1..=5000).contains(&body.chars().count()) {
        return Err(AppError::Validation(vec![FieldError::new(
            "body",
            "must be 1 to 5,000 characters",
        )]));
    }
    note(conn, id, Some(principal.user_id), body, false).await?;
    audit::record(
        conn,
        context,
        Entry::new("ticket.commented")
            .object("ticket", id)
            .after(serde_json::json!({ "length": body.chars().count() })),
    )
    .await?;
    Ok(())
}

/// Whether a user's roles let them handle tickets (built-in or custom roles).
async fn handles_tickets(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    let roles: Vec<(String, Option<Vec<String>>)> = sqlx::query!("SELECT r.role, c.permissions FROM role_assignments r \
         LEFT JOIN custom_roles c ON c.college_id = r.college_id AND c.name = r.role WHERE r.user_id = $1", user)
    .fetch_all(conn)
    .await.map(|v| v.into_iter().map(|r| (r.role, r.permissions)).collect::<Vec<_>>())?;
    Ok(roles.iter().any(|(name, custom)| match Role::parse(name) {
        Some(role) => role
            .grants()
            .iter()
            .any(|(p, _)| *p == Permission::TicketsManage),
        None => custom
            .iter()
            .flatten()
            .any(|g| parse_grant(g).is_some_and(|(p, _)| p == Permission::TicketsManage)),
    }))
}

pub async fn update(
    conn: &mut PgConnection,
    context: &AuditContext,
    principal: &Principal,
    id: Uuid,
    input: &UpdateInput,
) -> Result<(), AppError> {
    if apply(conn, context, principal, id, input).await? {
        Ok(())
    } else {
        Err(AppError::Validation(vec![FieldError::new(
            "status",
            "nothing to change",
        )]))
    }
}

/// Changes several tickets the same way, each as `update` does (noted on the ticket,
/// published, audited), in the caller's transaction; a ticket that is already so is left
/// as it is. Returns how many changed.
pub async fn update_many(
    conn: &mut PgConnection,
    context: &AuditContext,
    principal: &Principal,
    ids: &[Uuid],
    input: &UpdateInput,
) -> Result<usize, AppError> {
    let mut errors = Vec::new();
    if ids.is_empty() {
        errors.push(FieldError::new("tickets", "tick the tickets to change"));
    }
    if !input.status.is_empty() && !STATUSES.contains(&input.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            "must be open, in_progress, resolved or closed",
        ));
    } else if input.status.is_empty() && input.assignee_email.trim().is_empty() {
        errors.push(FieldError::new(
            "status",
            "choose a status or someone to assign them to",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut changed = 0;
    for id in ids {
        if apply(conn, context, principal, *id, input).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// A handler's change to one ticket; `false` when there was nothing to change.
async fn apply(
    conn: &mut PgConnection,
    context: &AuditContext,
    principal: &Principal,
    id: Uuid,
    input: &UpdateInput,
) -> Result<bool, AppError> {
    let current: Option<(String, Option<Uuid>)> = sqlx::query!(
        "SELECT status, assignee_id FROM tickets WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.status, r.assignee_id)))?;
    let (status, assignee) = current.ok_or(AppError::NotFound)?;
    // A narrower grant handles only the tickets assigned to its holder.
    match handling(principal) {
        Handling::Every => {}
        Handling::Assigned if assignee == Some(principal.user_id) => {}
        _ => return Err(AppError::Forbidden),
    }
    let mut changes = Vec::new();
    if !input.status.is_empty() && input.status != status {
        if !STATUSES.contains(&input.status.as_str()) {
            return Err(AppError::Validation(vec![FieldError::new(
                "status",
                "must be open, in_progress, resolved or closed",
            )]));
        }
        sqlx::query!(
            "UPDATE tickets SET status = $2 WHERE id = $1",
            id,
            &input.status
        )
        .execute(&mut *conn)
        .await?;
        changes.push(format!(
            "Status: {} → {}",
            status.replace('_', " "),
            input.status.replace('_', " ")
        ));
    }
    if !input.assignee_email.trim().is_empty() {
        let found: Option<(Uuid, String)> = sqlx::query!(
            "SELECT id, display_name FROM users WHERE email = $1 AND status = 'active'",
            input.assignee_email.trim()
        )
        .fetch_optional(&mut *conn)
        .await
        .map(|o| o.map(|r| (r.id, r.display_name)))?;
        let Some((user, name)) = found else {
            return Err(AppError::Validation(vec![FieldError::new(
                "assignee_email",
                "no active account has this email",
            )]));
        };
        if !handles_tickets(conn, user).await? {
            return Err(AppError::Validation(vec![FieldError::new(
                "assignee_email",
                format!("{name} does not handle tickets"),
            )]));
        }
        if Some(user) != assignee {
            sqlx::query!(
                "UPDATE tickets SET assignee_id = $2 WHERE id = $1",
                id,
                user
            )
            .execute(&mut *conn)
            .await?;
            changes.push(format!("Assigned to {name}"));
        }
    }
    if changes.is_empty() {
        return Ok(false);
    }
    note(conn, id, Some(principal.user_id), &changes.join("; "), true).await?;
    audit::record(
        conn,
        context,
        Entry::new("ticket.updated")
            .object("ticket", id)
            .before(serde_json::json!({ "status": status, "assignee_id": assignee }))
            .after(serde_json::json!({ "changes": changes })),
    )
    .await?;
    Ok(true)
}
