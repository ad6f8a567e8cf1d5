//! The notice pages: the current notices for the reader (opening the page marks them
//! seen), a notice's own page with its files and, for those who posted or manage it, who
//! has read it; the form to post or edit one (a teacher to the sections they teach); the
//! confirmation before withdrawing one.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::permissions::{Permission, Scope};
use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::files::uploads;
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::view::{Field, Kind};
use crate::notices::model::{
    AUDIENCES, AudienceTo, MAX_YEAR, Notice, NoticeChange, NoticeInput, Readership,
};
use crate::notices::queries::{self, Choices};
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::ApiPath;
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "notices/page.html")]
struct NoticesView {
    chrome: Chrome,
    current: Vec<Notice>,
    /// Those the reader manages (all of the college's, or a teacher's own).
    managed: Option<Vec<Notice>>,
    now: time::OffsetDateTime,
}

impl NoticesView {
    fn state(&self, n: &Notice) -> &'static str {
        state_of(n, self.now)
    }
}

fn state_of(n: &Notice, now: time::OffsetDateTime) -> &'static str {
    if n.withdrawn_at.is_some() {
        "Withdrawn"
    } else if n.publish_at > now {
        "Scheduled"
    } else if n.is_current(now) {
        "Shown"
    } else {
        "Ended"
    }
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let current = queries::current(&mut tx, principal.user_id, 100).await?;
    let unseen: Vec<Uuid> = current.iter().filter(|n| !n.seen).map(|n| n.id).collect();
    queries::mark_seen(&mut tx, principal.user_id, &unseen).await?;
    let managed = match principal.grant(Permission::NoticesManage) {
        Some(grant) => Some(queries::managed(&mut tx, &grant).await?),
        None => None,
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let view = NoticesView {
        chrome: Chrome::signed_in("Notices", &principal, csrf, "/notices"),
        current,
        managed,
        now: time::OffsetDateTime::now_utc(),
    };
    Ok((jar, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "notices/notice.html")]
struct NoticeView {
    chrome: Chrome,
    csrf: String,
    notice: Notice,
    state: &'static str,
    /// Who has read it, for those who may edit it.
    readers: Option<Readership>,
    can_edit: bool,
}

/// Whether `grant` may edit `notice`: the college's notices, or one they posted.
fn may_edit(grant: Option<&Grant>, notice: &Notice) -> bool {
    grant.is_some_and(|g| g.scope >= Scope::College || notice.posted_by_id == Some(g.user_id))
}

pub async fn notice_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let notice = queries::readable(&mut tx, &principal, id).await?;
    let now = time::OffsetDateTime::now_utc();
    if notice.is_current(now) && !notice.seen {
        queries::mark_seen(&mut tx, principal.user_id, &[id]).await?;
    }
    let grant = principal.grant(Permission::NoticesManage);
    let can_edit = may_edit(grant.as_ref(), &notice);
    let readers = if can_edit {
        Some(queries::readership(&mut tx, id).await?)
    } else {
        None
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let view = NoticeView {
        chrome: Chrome::signed_in(notice.title.clone(), &principal, csrf.clone(), "/notices"),
        csrf,
        state: state_of(&notice, now),
        can_edit: can_edit && notice.withdrawn_at.is_none(),
        notice,
        readers,
    };
    Ok((jar, render(&view)?).into_response())
}

/// The post and edit form as sent: the groups by their field names in the page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    title: String,
    body: String,
    audience: String,
    #[serde(rename = "to.roles")]
    roles: Vec<String>,
    #[serde(rename = "to.programs")]
    programs: Vec<String>,
    #[serde(rename = "to.years")]
    years: Vec<String>,
    #[serde(rename = "to.departments")]
    departments: Vec<String>,
    #[serde(rename = "to.sections")]
    sections: Vec<String>,
    #[serde(rename = "to.people")]
    people: String,
    #[serde(rename = "to.include_parents")]
    include_parents: Vec<String>,
    pinned: Vec<String>,
    publish_at: String,
    expires_on: String,
}

fn ids(field: &'static str, texts: &[String], errors: &mut Vec<FieldError>) -> Vec<Uuid> {
    let mut out = Vec::new();
    for text in texts {
        match Uuid::parse_str(text.trim()) {
            Ok(id) => out.push(id),
            Err(_) => {
                errors.push(FieldError::new(field, "holds a choice that is not offered"));
                break;
            }
        }
    }
    out
}

impl NoticeForm {
    /// The input, or the choices that could not be read.
    fn input(&self) -> (NoticeInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut years = Vec::new();
        for y in &self.years {
            match y.trim().parse::<i64>() {
                Ok(y) => years.push(y),
                Err(_) => {
                    errors.push(FieldError::new(
                        "to.years",
                        "holds a choice that is not offered",
                    ));
                    break;
                }
            }
        }
        let to = AudienceTo {
            roles: self.roles.iter().map(|r| r.trim().to_string()).collect(),
            programs: ids("to.programs", &self.programs, &mut errors),
            years,
            departments: ids("to.departments", &self.departments, &mut errors),
            sections: ids("to.sections", &self.sections, &mut errors),
            people: self
                .people
                .split([',', '\n', ';'])
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            include_parents: !self.include_parents.is_empty(),
        };
        let input = NoticeInput {
            title: self.title.clone(),
            body: self.body.clone(),
            audience: self.audience.clone(),
            to: if self.audience == "selected" || !to.is_empty() {
                Some(to)
            } else {
                None
            },
            pinned: !self.pinned.is_empty(),
            publish_at: self.publish_at.clone(),
            expires_on: self.expires_on.clone(),
        };
        (input, errors)
    }
}

/// A form's errors as the page shows them: the groups' general error on the audience.
fn on_page(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            if e.field == "to" {
                FieldError::new("audience", e.message)
            } else {
                e
            }
        })
        .collect()
}

fn strings(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

/// The fields of the form, holding `input`; `publish_at` as the form sent it (local).
fn fields(input: &NoticeInput, choices: Choices, college_wide: bool) -> Vec<Field> {
    let to = input.to.clone().unwrap_or_default();
    let mut out = vec![
        Field::new("title", "Title", Kind::Text, &input.title),
        Field::new("body", "Text", Kind::Textarea, &input.body),
    ];
    let audiences: Vec<(String, String)> = if college_wide {
        AUDIENCES
            .iter()
            .map(|a| {
                let words = match *a {
                    "selected" => "The groups chosen below".to_string(),
                    other => crate::web::words::label(other),
                };
                ((*a).to_string(), words)
            })
            .collect()
    } else {
        vec![("selected".into(), "The sections chosen below".into())]
    };
    out.push(
        Field::new("audience", "For", Kind::Select, &input.audience)
            .hint("Everyone, a broad group by role, or the groups chosen below")
            .options(audiences),
    );
    if college_wide {
        out.push(
            Field::new("to.roles", "Roles", Kind::Ticks, "")
                .options(choices.roles)
                .ticked(&to.roles),
        );
        out.push(
            Field::new("to.programs", "Programs", Kind::Ticks, "")
                .hint("Their current students; with years ticked, only those years")
                .options(choices.programs)
                .ticked(&strings(&to.programs)),
        );
        out.push(
            Field::new("to.years", "Years of study", Kind::Ticks, "")
                .options(
                    (1..=MAX_YEAR)
                        .map(|y| (y.to_string(), format!("Year {y}")))
                        .collect(),
                )
                .ticked(&to.years.iter().map(i64::to_string).collect::<Vec<_>>()),
        );
        out.push(
            Field::new("to.departments", "Departments", Kind::Ticks, "")
                .hint("Their staff, and the students of their programs")
                .options(choices.departments)
                .ticked(&strings(&to.departments)),
        );
    }
    out.push(
        Field::new("to.sections", "Sections", Kind::Ticks, "")
            .hint("Their enrolled students and their teachers")
            .options(choices.sections)
            .ticked(&strings(&to.sections)),
    );
    if college_wide {
        out.push(
            Field::new("to.people", "People", Kind::Textarea, &to.people.join("\n"))
                .hint("One per line: an email, a student number or a staff number"),
        );
    }
    let parents = if to.include_parents {
        vec!["yes".to_string()]
    } else {
        Vec::new()
    };
    out.push(
        Field::new("to.include_parents", "Parents", Kind::Ticks, "")
            .options(vec![(
                "yes".into(),
                "The parents of these students too".into(),
            )])
            .ticked(&parents),
    );
    let pinned = if input.pinned {
        vec!["yes".to_string()]
    } else {
        Vec::new()
    };
    out.push(
        Field::new("pinned", "Pinned", Kind::Ticks, "")
            .options(vec![(
                "yes".into(),
                "Show it above the other notices".into(),
            )])
            .ticked(&pinned),
    );
    out.push(
        Field::new("publish_at", "Show from", Kind::DateTime, &input.publish_at)
            .hint("Empty: now. In the college's time zone."),
    );
    out.push(
        Field::new(
            "expires_on",
            "Last day shown",
            Kind::Date,
            &input.expires_on,
        )
        .hint("Optional: shown until withdrawn when empty"),
    );
    out
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    principal: &Principal,
    grant: &Grant,
    jar: CookieJar,
    existing: Option<Uuid>,
    input: &NoticeInput,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let choices = queries::choices(&mut tx, grant).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = if existing.is_some() {
        format!("Edit {}", input.title.trim())
    } else {
        "Post a notice".to_string()
    };
    let (action, back) = match existing {
        Some(id) => (format!("/notices/{id}/edit"), format!("/notices/{id}")),
        None => ("/notices".to_string(), "/notices".to_string()),
    };
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/notices"),
        csrf,
        area: ("Notices", "/notices"),
        title: "Notices",
        list_href: "/notices",
        heading,
        what: "The notice".to_string(),
        action,
        button: if existing.is_some() {
            "Save the changes".to_string()
        } else {
            "Post it".to_string()
        },
        back,
        fields: fields(input, choices, grant.scope >= Scope::College),
        errors: on_page(errors).into(),
    };
    page.respond(jar)
}

pub async fn new_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
) -> AppResult<Response> {
    let input = NoticeInput {
        audience: if grant.scope >= Scope::College {
            AUDIENCES[0].to_string()
        } else {
            "selected".to_string()
        },
        ..NoticeInput::default()
    };
    render_form(&state, &principal, &grant, jar, None, &input, Vec::new()).await
}

pub async fn post_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    axum_extra::extract::Form(sent): axum_extra::extract::Form<NoticeForm>,
) -> AppResult<Response> {
    let (input, unread) = sent.input();
    if !unread.is_empty() {
        return render_form(&state, &principal, &grant, jar, None, &input, unread).await;
    }
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::post(&mut tx, &context, &grant, &input).await;
    let message = format!("Notice {} posted.", input.title.trim());
    form::settle(&state, tx, result)
        .done(|id| Done::to(format!("/notices/{id}")).message(message))
        .again(async |errors| {
            render_form(&state, &principal, &grant, jar, None, &input, errors).await
        })
        .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut input = queries::for_edit(&mut tx, &grant, id).await?;
    tx.commit().await?;
    // The form shows the time as the college's clock reads it.
    if let Ok(at) = time::OffsetDateTime::parse(
        &input.publish_at,
        &time::format_description::well_known::Rfc3339,
    ) {
        let (date, minute) = crate::web::time::local_parts(at, &principal.timezone);
        input.publish_at = format!("{date}T{:02}:{:02}", minute / 60, minute % 60);
    }
    render_form(
        &state,
        &principal,
        &grant,
        jar,
        Some(id),
        &input,
        Vec::new(),
    )
    .await
}

pub async fn save_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    axum_extra::extract::Form(sent): axum_extra::extract::Form<NoticeForm>,
) -> AppResult<Response> {
    let (input, unread) = sent.input();
    if !unread.is_empty() {
        return render_form(&state, &principal, &grant, jar, Some(id), &input, unread).await;
    }
    let change = NoticeChange {
        title: Some(input.title.clone()),
        body: Some(input.body.clone()),
        audience: Some(input.audience.clone()),
        to: Some(input.to.clone().unwrap_or_default()),
        pinned: Some(input.pinned),
        publish_at: Some(input.publish_at.clone()),
        expires_on: Some(input.expires_on.clone()),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = queries::edit(&mut tx, &context, &grant, id, &change).await;
    form::settle(&state, tx, result)
        .conflict_on("title")
        .done(|()| Done::to(format!("/notices/{id}")).message("Notice saved."))
        .again(async |errors| {
            render_form(&state, &principal, &grant, jar, Some(id), &input, errors).await
        })
        .await
}

pub async fn withdraw_confirm(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let input = queries::for_edit(&mut tx, &grant, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let heading = format!("Withdraw {}?", input.title);
    let page = Confirm::new(
        Chrome::signed_in(heading.clone(), &principal, csrf.clone(), "/notices"),
        csrf,
        heading,
        format!("/notices/{id}/withdraw"),
    )
    .consequence("Nobody sees it any more, from now on; it stays in the record.")
    .consequence("A withdrawn notice cannot be shown again: post a new one instead.")
    .button("Withdraw the notice")
    .back(format!("/notices/{id}"))
    .respond()?;
    Ok((jar, page).into_response())
}

pub async fn withdraw_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::withdraw(&mut tx, &context, &grant, id).await?;
    tx.commit().await?;
    Ok(Done::to("/notices")
        .message("Notice withdrawn; nobody sees it now.")
        .respond(&state))
}

pub async fn attach_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let back = format!("/notices/{id}");
    let sent = match uploads::read_form(multipart, state.config.upload_limit_bytes).await {
        Ok(sent) => sent,
        Err(AppError::Validation(errors)) => return Ok(refused(&state, back, &errors)),
        Err(other) => return Err(other),
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match queries::attach(
        &mut tx,
        &state.files,
        principal.college,
        &context,
        &grant,
        id,
        &sent.files,
    )
    .await
    {
        Ok(files) => {
            tx.commit().await?;
            let message = match files.len() {
                1 => "File attached.".to_string(),
                n => format!("{n} files attached."),
            };
            Ok(Done::to(back).message(message).respond(&state))
        }
        Err(AppError::Validation(errors)) => Ok(refused(&state, back, &errors)),
        Err(other) => Err(other),
    }
}

/// Back to the notice saying why the files were refused (nothing was attached).
fn refused(state: &AppState, back: String, errors: &[FieldError]) -> Response {
    let why: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
    Done::to(back)
        .message(format!("Nothing was attached: {}.", why.join("; ")))
        .respond(state)
}

pub async fn detach_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath((id, file)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::detach(&mut tx, &context, &grant, id, file).await?;
    tx.commit().await?;
    Ok(Done::to(format!("/notices/{id}"))
        .message("File taken off the notice.")
        .respond(&state))
}
