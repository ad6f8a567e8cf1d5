//! User administration, shared by the admin pages and the API: each function runs in
//! the caller's transaction, checks what only the database can (taken emails, known
//! roles), writes, and records the change in the audit trail.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::access::permissions::Role;
use crate::access::principal::Grant;
use crate::audit::{self, AuditContext, Entry};
use crate::db::CollegeId;
use crate::error::{AppError, FieldError};
use crate::identity::tokens::model::Purpose;
use crate::identity::tokens::queries as tokens;
use crate::mail;
use crate::users::model::{NewUser, Status, UserView};

/// Role names this college knows: the built-in ones and its custom roles.
pub async fn known_roles(conn: &mut PgConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let platform: bool = sqlx::query_scalar!("SELECT kind = 'platform' AS \"v!\" FROM colleges")
        .fetch_one(&mut *conn)
        .await?;
    if platform {
        let role = Role::PlatformAdmin;
        return Ok(vec![(role.as_str().to_string(), role.label().to_string())]);
    }
    let mut roles: Vec<(String, String)> = Role::COLLEGE
        .iter()
        .map(|r| (r.as_str().to_string(), r.label().to_string()))
        .collect();
    let custom: Vec<(String, String)> =
        sqlx::query!("SELECT name, label FROM custom_roles ORDER BY label")
            .fetch_all(conn)
            .await
            .map(|v| v.into_iter().map(|r| (r.name, r.label)).collect::<Vec<_>>())?;
    roles.extend(custom);
    Ok(roles)
}

pub async fn check_roles(
    conn: &mut PgConnection,
    field: &str,
    roles: &[String],
) -> Result<Vec<FieldError>, sqlx::Error> {
    let known = known_roles(conn).await?;
    Ok(roles
        .iter()
        .filter(|r| !known.iter().any(|(name, _)| name == *r))
        .map(|r| FieldError::new(field, format!("`{r}` is not a role of this college")))
        .collect())
}

const VIEW: &str = "SELECT u.id, u.email::text AS email, u.display_name, u.status, \
        coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles, \
        u.last_login_at, u.created_at \
     FROM users u LEFT JOIN role_assignments r ON r.college_id = u.college_id AND r.user_id = u.id";

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<UserView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VIEW} WHERE u.id = $1 GROUP BY u.college_id, u.id"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Where a page of users starts: after so many users, or (faster, and steady while
/// accounts are added) after a given email.
#[derive(Debug, Clone, Copy)]
pub enum PageStart<'a> {
    Offset(i64),
    After(&'a str),
}

/// Users matching `search` (name or email), `status` and `role`, by email, a page at a
/// time. Only the filters given become SQL, so each query gets a plan of its own shape
/// (a generic plan of "$1 IS NULL OR ..." would read every account).
pub async fn list(
    conn: &mut PgConnection,
    search: &str,
    status: Option<Status>,
    role: Option<&str>,
    limit: i64,
    start: PageStart<'_>,
) -> Result<Vec<UserView>, sqlx::Error> {
    // The page of users first (filters, order, limit on users alone, so the email index
    // serves it), then the roles of just those users.
    let mut q = sqlx::QueryBuilder::new(crate::users::queries::COLUMNS);
    crate::users::queries::push_filters(&mut q, search, status, role);
    if let PageStart::After(email) = start {
        q.push(" AND u.email > ")
            .push_bind(email.to_string())
            .push("::citext");
    }
    q.push(" ORDER BY u.email LIMIT ").push_bind(limit);
    if let PageStart::Offset(offset) = start
        && offset > 0
    {
        q.push(" OFFSET ").push_bind(offset);
    }
    q.build_query_as().fetch_all(conn).await
}

/// Creates an invited account with its roles, and queues the invitation when asked.
/// A taken email or an unknown role is a field error and nothing is written.
#[expect(
    clippy::too_many_arguments,
    reason = "one write path, every input named"
)]
pub async fn create(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    base_url: &str,
    college_name: &str,
    user: &NewUser,
    invite: bool,
    field_prefix: &str,
) -> Result<Uuid, AppError> {
    let mut errors = check_roles(conn, &format!("{field_prefix}roles"), &user.roles).await?;
    let taken: bool = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND NOT (self_signup AND email_verified_at IS NULL)) AS \"v!\"", user.email.as_str())
        .fetch_one(&mut *conn)
        .await?;
    if taken {
        errors.push(FieldError::new(
            format!("{field_prefix}email"),
            "another account has this email",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let id: Uuid = sqlx::query_scalar!(
        "INSERT INTO users (college_id, email, display_name, status) \
         VALUES (app_current_college(), $1, $2, 'invited') RETURNING id",
        user.email.as_str(),
        &user.display_name
    )
    .fetch_one(&mut *conn)
    .await?;
    for role in &user.roles {
        sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, $2)", id, role)
            .execute(&mut *conn)
            .await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("user.created").object("user", id).after(serde_json::json!({
            "email": user.email.as_str(), "display_name": user.display_name, "roles": user.roles,
        })),
    )
    .await?;
    if invite {
        send_invitation(conn, grant.college, context, base_url, college_name, id).await?;
    }
    Ok(id)
}

/// Who makes accounts on the college's behalf, and what their invitations say: the
/// grant and audit context of the request, the address links start with, the college's
/// name.
pub struct Mailer<'a> {
    pub grant: &'a Grant,
    pub context: &'a AuditContext,
    pub base_url: String,
    pub college_name: &'a str,
}

impl<'a> Mailer<'a> {
    pub fn new(
        grant: &'a Grant,
        context: &'a AuditContext,
        state: &crate::app::AppState,
        principal: &'a crate::access::principal::Principal,
    ) -> Mailer<'a> {
        Mailer {
            grant,
            context,
            base_url: state.config.base_url(),
            college_name: &principal.college_name,
        }
    }

    /// The account for a record's email: the existing one given `roles` too, or a new
    /// invited one with them (its invitation mailed when `invite`). Returns the account
    /// and whether it is new. The caller checks the account belongs to no other record.
    pub async fn account_for(
        &self,
        conn: &mut PgConnection,
        email: &crate::people::model::Email,
        name: &str,
        roles: &[String],
        invite: bool,
    ) -> Result<(Uuid, bool), AppError> {
        let existing = sqlx::query_scalar!(
            "SELECT id FROM users WHERE email = $1::text::citext",
            email.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(user) = existing {
            let unknown = check_roles(conn, "roles", roles).await?;
            if !unknown.is_empty() {
                return Err(AppError::Validation(unknown));
            }
            sqlx::query!(
                "INSERT INTO role_assignments (college_id, user_id, role) \
                 SELECT app_current_college(), $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                user,
                roles
            )
            .execute(&mut *conn)
            .await?;
            audit::record(
                conn,
                self.context,
                Entry::new("user.roles_added")
                    .object("user", user)
                    .after(serde_json::json!({ "roles": roles })),
            )
            .await?;
            return Ok((user, false));
        }
        let new = NewUser {
            email: email.clone(),
            display_name: name.chars().take(200).collect(),
            roles: roles.to_vec(),
        };
        let id = create(
            conn,
            self.grant,
            self.context,
            &self.base_url,
            self.college_name,
            &new,
            invite,
            "",
        )
        .await?;
        Ok((id, true))
    }
}

/// Mails (again) an invitation link to an invited user; returns the link (which the
/// command line prints for the first administrator of a college it creates).
pub async fn send_invitation(
    conn: &mut PgConnection,
    college: CollegeId,
    context: &AuditContext,
    base_url: &str,
    college_name: &str,
    user: Uuid,
) -> Result<String, AppError> {
    let (email, name, status): (String, String, String) = sqlx::query!(
        "SELECT email::text AS \"email!\", display_name, status FROM users WHERE id = $1",
        user
    )
    .fetch_optional(&mut *conn)
    .await
    .map(|o| o.map(|r| (r.email, r.display_name, r.status)))?
    .ok_or(AppError::NotFound)?;
    if status != "invited" {
        return Err(AppError::Conflict(
            "Only invited accounts get invitations; this one is already set up.".into(),
        ));
    }
    let token = tokens::issue(conn, college, user, Purpose::Invite).await?;
    let link = format!("{base_url}/invite?token={token}");
    let body = format!(
        "Hello {name},\n\nAn account at {college_name} was made for you ({email}). Choose your \
         password here within seven days to start using it:\n\n{link}\n"
    );
    mail::queue(conn, &email, &format!("Your {college_name} account"), &body).await?;
    audit::record(
        conn,
        context,
        Entry::new("user.invited").object("user", user),
    )
    .await?;
    Ok(link)
}

/// Mails a new invitation to each of `users`, as `send_invitation` does, in the caller's
/// transaction: none is sent unless every one is an invited account of this college (a
/// message names those already set up). Returns how many were sent.
pub async fn send_invitations(
    conn: &mut PgConnection,
    college: CollegeId,
    context: &AuditContext,
    base_url: &str,
    college_name: &str,
    users: &[Uuid],
) -> Result<usize, AppError> {
    let mut ids = users.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "user",
            "tick the invited users to invite again",
        )]));
    }
    if ids.len() > INVITATIONS_AT_ONCE {
        return Err(AppError::Validation(vec![FieldError::new(
            "user",
            format!("tick at most {INVITATIONS_AT_ONCE} users at once"),
        )]));
    }
    let mut set_up = Vec::new();
    for id in &ids {
        let user = find(conn, *id).await?.ok_or(AppError::NotFound)?;
        if user.status != "invited" {
            set_up.push(user.email);
        }
    }
    if !set_up.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "user",
            format!(
                "only invited accounts get invitations; already set up: {}",
                set_up.join(", ")
            ),
        )]));
    }
    for id in &ids {
        send_invitation(conn, college, context, base_url, college_name, *id).await?;
    }
    Ok(ids.len())
}

/// The most invitations one bulk action sends (a page of the list is 50).
pub const INVITATIONS_AT_ONCE: usize = 100;

/// Replaces a user's roles. Nobody changes their own roles: an administrator who wants
/// different rights asks another.
pub async fn set_roles(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    user: Uuid,
    roles: &[String],
) -> Result<(), AppError> {
    if user == grant.user_id {
        return Err(AppError::Forbidden);
    }
    let before = find(conn, user).await?.ok_or(AppError::NotFound)?;
    let mut roles: Vec<String> = roles
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort();
    roles.dedup();
    let errors = check_roles(conn, "roles", &roles).await?;
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    sqlx::query!("DELETE FROM role_assignments WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    for role in &roles {
        sqlx::query!("INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, $2)", user, role)
            .execute(&mut *conn)
            .await?;
    }
    if before.roles != roles {
        tokens::sign_out_everywhere(conn, user).await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("user.roles_changed")
            .object("user", user)
            .before(serde_json::json!({ "roles": before.roles }))
            .after(serde_json::json!({ "roles": roles })),
    )
    .await?;
    Ok(())
}

/// Where links in mail point, and the college's name for the greeting.
pub struct Mailing<'a> {
    pub base_url: &'a str,
    pub college_name: &'a str,
}

/// Mails a link that confirms `user` owns their (new) email address.
pub async fn send_email_verification(
    conn: &mut PgConnection,
    college: CollegeId,
    mailing: &Mailing<'_>,
    user: Uuid,
) -> Result<(), AppError> {
    let (email, name): (String, String) = sqlx::query!(
        "SELECT email::text AS \"email!\", display_name FROM users WHERE id = $1",
        user
    )
    .fetch_one(&mut *conn)
    .await
    .map(|r| (r.email, r.display_name))?;
    let token = tokens::issue(conn, college, user, Purpose::VerifyEmail).await?;
    let body = format!(
        "Hello {name},\n\nYour {} account now uses this email address. Confirm it within \
         three days:\n\n{}/account/verify-email?token={token}\n",
        mailing.college_name, mailing.base_url
    );
    mail::queue(
        conn,
        &email,
        &format!("Confirm your email for {}", mailing.college_name),
        &body,
    )
    .await?;
    Ok(())
}

/// Changes name, email or status. Deactivating signs the user out everywhere; nobody
/// deactivates themselves.
#[expect(
    clippy::too_many_arguments,
    reason = "one write path, every input named"
)]
pub async fn update(
    conn: &mut PgConnection,
    grant: &Grant,
    context: &AuditContext,
    mailing: &Mailing<'_>,
    user: Uuid,
    display_name: Option<String>,
    email: Option<crate::people::model::Email>,
    status: Option<Status>,
) -> Result<UserView, AppError> {
    let before = find(conn, user).await?.ok_or(AppError::NotFound)?;
    if status == Some(Status::Invited) {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "an account becomes invited only when made; choose active or deactivated",
        )]));
    }
    if status == Some(Status::Deactivated) && user == grant.user_id {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "you cannot deactivate your own account",
        )]));
    }
    if status == Some(Status::Active) && before.status == "invited" {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "an invited account becomes active when its owner accepts the invitation",
        )]));
    }
    if let Some(email) = &email {
        let taken: bool =
            sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND id <> $2 AND NOT (self_signup AND email_verified_at IS NULL)) AS \"v!\"", email.as_str(), user)
                .fetch_one(&mut *conn)
                .await?;
        if taken {
            return Err(AppError::Validation(vec![FieldError::new(
                "email",
                "another account has this email",
            )]));
        }
    }
    sqlx::query!("UPDATE users SET display_name = coalesce($2, display_name), \
            email = coalesce($3, email), \
            email_verified_at = CASE WHEN $3 IS NOT NULL AND $3 <> email::text THEN NULL ELSE email_verified_at END, \
            status = coalesce($4, status), updated_at = now() \
         WHERE id = $1", user, display_name.as_deref(), email.as_ref().map(|e| e.as_str().to_string()), status.map(Status::as_str))
    .execute(&mut *conn)
    .await?;
    if status == Some(Status::Deactivated) {
        tokens::sign_out_everywhere(conn, user).await?;
    }
    let after = find(conn, user).await?.ok_or(AppError::NotFound)?;
    if after.email != before.email {
        // Links mailed to the old address must not work for whoever reads that mailbox.
        tokens::revoke_all(conn, user).await?;
        if after.status == "invited" {
            send_invitation(
                conn,
                grant.college,
                context,
                mailing.base_url,
                mailing.college_name,
                user,
            )
            .await?;
        } else {
            send_email_verification(conn, grant.college, mailing, user).await?;
        }
    }
    if status == Some(Status::Deactivated) {
        tokens::revoke_all(conn, user).await?;
    }
    audit::record(
        conn,
        context,
        Entry::new("user.updated")
            .object("user", user)
            .before(serde_json::json!({ "email": before.email, "display_name": before.display_name, "status": before.status }))
            .after(serde_json::json!({ "email": after.email, "display_name": after.display_name, "status": after.status })),
    )
    .await?;
    Ok(after)
}

/// Removes a user's second factor (a lost phone): they sign in with their password and
/// enrol again; every session and token of theirs ends.
pub async fn reset_mfa(
    conn: &mut PgConnection,
    context: &AuditContext,
    user: Uuid,
) -> Result<(), AppError> {
    find(conn, user).await?.ok_or(AppError::NotFound)?;
    crate::identity::mfa::queries::remove(conn, user).await?;
    tokens::sign_out_everywhere(conn, user).await?;
    audit::record(
        conn,
        context,
        Entry::new("user.mfa_reset").object("user", user),
    )
    .await?;
    Ok(())
}

fn national_id_aad(user: Uuid) -> String {
    format!("users.national_id:{user}")
}

/// The national identity number, masked but for its last four characters.
pub async fn national_id_masked(
    conn: &mut PgConnection,
    keys: &crate::crypto::FieldKeys,
    user: Uuid,
) -> Result<Option<String>, AppError> {
    let stored: Option<String> =
        sqlx::query_scalar!("SELECT national_id_enc FROM users WHERE id = $1", user)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    let Some(stored) = stored else {
        return Ok(None);
    };
    let plain = keys
        .decrypt(&national_id_aad(user), &stored)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("national id of {user}: {e}")))?;
    let visible: String = plain
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Ok(Some(format!("•••• {visible}")))
}

/// Sets (or with an empty value, clears) the national identity number, encrypted.
pub async fn set_national_id(
    conn: &mut PgConnection,
    keys: &crate::crypto::FieldKeys,
    context: &AuditContext,
    user: Uuid,
    value: &str,
) -> Result<(), AppError> {
    let value = value.trim();
    if value.chars().count() > 40 || value.chars().any(char::is_control) {
        return Err(AppError::Validation(vec![FieldError::new(
            "national_id",
            "must be at most 40 characters",
        )]));
    }
    let stored = (!value.is_empty()).then(|| keys.encrypt(&national_id_aad(user), value));
    sqlx::query!(
        "UPDATE users SET national_id_enc = $2, updated_at = now() WHERE id = $1",
        user,
        stored.as_deref()
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        context,
        Entry::new("user.national_id_changed")
            .object("user", user)
            .after(serde_json::json!({ "national_id": if stored.is_some() { "set" } else { "cleared" } })),
    )
    .await?;
    Ok(())
}

/// Every encrypted column: its table, its column, and the associated-data label each
/// value is bound to (with the row's id).
const ENCRYPTED_COLUMNS: [(&str, &str, &str); 4] = [
    ("users", "national_id_enc", "users.national_id"),
    ("users", "totp_secret_enc", "users.totp_secret"),
    ("users", "totp_pending_enc", "users.totp_pending"),
    ("guidance_notes", "body_enc", "guidance_notes.body"),
];

/// Re-encrypts, under the active key, every value of the transaction's college that was
/// encrypted under another; returns how many values changed.
pub async fn reencrypt(
    conn: &mut PgConnection,
    keys: &crate::crypto::FieldKeys,
) -> anyhow::Result<u64> {
    let active = keys.active_id().to_string();
    let mut changed = 0;
    for (table, column, label) in ENCRYPTED_COLUMNS {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL \
             AND {column} NOT LIKE 'v1:' || $1 || ':%' FOR UPDATE"
        )))
        .bind(&active)
        .fetch_all(&mut *conn)
        .await?;
        for (id, stored) in rows {
            let aad = format!("{label}:{id}");
            let plain = keys
                .decrypt(&aad, &stored)
                .map_err(|e| anyhow::anyhow!("{column} of {table} {id}: {e}"))?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $2 WHERE id = $1"
            )))
            .bind(id)
            .bind(keys.encrypt(&aad, &plain))
            .execute(&mut *conn)
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}
