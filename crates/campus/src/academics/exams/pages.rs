//! Exam pages: the term's exam timetable (by program, student, room or invigilator), a
//! sitting scheduled or changed on the one form pattern with every clash named, its page
//! with the seating plan, the clash report, and a student's own papers and hall ticket.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::academics::exams::api::input_of;
use crate::academics::exams::model::{ClashLine, Seat, Sitting, SittingInput};
use crate::academics::exams::timetable::{self, Filter, MyPaper};
use crate::academics::exams::{seating, sittings, tickets};
use crate::access::permissions::Permission;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::institution::setup::pages::FormPage;
use crate::institution::setup::view::{Field, Kind};
use crate::web::attachment::attachment;
use crate::web::confirm::Confirm;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::{self, Done};
use crate::web::layout::{Chrome, render};
use crate::web::time::{local, local_date, local_time};

/// The exam timetable's address: a term and whose papers.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub term: String,
    pub program: String,
    pub room: String,
    pub invigilator: String,
    /// A student's number.
    pub student: String,
}

fn uuid(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}

/// A day of the exam timetable and its papers.
pub struct Day {
    pub heading: String,
    pub sittings: Vec<(Sitting, String)>,
}

#[derive(Template)]
#[template(path = "exams/list.html")]
struct ListPage {
    chrome: Chrome,
    query: ListQuery,
    terms: Vec<(Uuid, String)>,
    term: Option<Uuid>,
    programs: Vec<(Uuid, String)>,
    rooms: Vec<(Uuid, String)>,
    staff: Vec<(Uuid, String)>,
    days: Vec<Day>,
    total: usize,
    can_manage: bool,
    /// Whether the printing page (a program's hall tickets) is theirs.
    can_print: bool,
    can_find_students: bool,
    /// A student number typed that names nobody.
    unknown_student: bool,
}

impl ListPage {
    fn chosen(&self, id: &Uuid, typed: &str) -> bool {
        id.to_string() == typed.trim()
    }

    fn term_is(&self, term: &Uuid) -> bool {
        self.term == Some(*term)
    }
}

async fn choices(
    conn: &mut PgConnection,
) -> Result<
    (
        Vec<(Uuid, String)>,
        Vec<(Uuid, String)>,
        Vec<(Uuid, String)>,
    ),
    sqlx::Error,
> {
    let programs =
        sqlx::query!("SELECT id, code || ' · ' || name AS \"label!\" FROM programs ORDER BY code")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.label))
            .collect();
    let rooms = crate::academics::timetable::queries::room_choices(&mut *conn).await?;
    let staff = sqlx::query!(
        "SELECT id, last_name || ', ' || first_name AS \"label!\" FROM staff WHERE status <> 'left' ORDER BY 2"
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.label))
    .collect();
    Ok((programs, rooms, staff))
}

pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<Response> {
    let zone = principal.timezone.clone();
    let can_find_students =
        principal.can(Permission::StudentsRead) && principal.can(Permission::CatalogManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms: Vec<(Uuid, String)> = sqlx::query!(
        "SELECT id, name FROM terms ORDER BY is_current DESC, starts_on DESC LIMIT 40"
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let term = uuid(&query.term)
        .filter(|t| terms.iter().any(|(id, _)| id == t))
        .or(timetable::current_term(&mut tx).await?);
    let mut unknown_student = false;
    let student = match query.student.trim() {
        "" => None,
        number if can_find_students => {
            let found: Option<Uuid> = sqlx::query_scalar!(
                "SELECT id FROM students WHERE student_number = $1",
                number.to_uppercase()
            )
            .fetch_optional(&mut *tx)
            .await?;
            unknown_student = found.is_none();
            // Nobody's papers rather than everyone's when the number names no one.
            Some(found.unwrap_or(Uuid::nil()))
        }
        _ => None,
    };
    let filter = Filter {
        program: uuid(&query.program),
        student,
        room: uuid(&query.room),
        invigilator: uuid(&query.invigilator),
    };
    let found = match term {
        Some(term) => timetable::sittings(&mut tx, term, &filter).await?,
        None => Vec::new(),
    };
    let (programs, rooms, staff) = choices(&mut tx).await?;
    tx.commit().await?;
    let total = found.len();
    let mut days: Vec<Day> = Vec::new();
    for s in found {
        let heading = crate::web::time::day(local_date(s.starts_at, &zone));
        let hours = format!(
            "{}–{}",
            local_time(s.starts_at, &zone)
                .split(' ')
                .next()
                .unwrap_or_default(),
            local_time(s.ends_at, &zone)
        );
        match days.last_mut() {
            Some(d) if d.heading == heading => d.sittings.push((s, hours)),
            _ => days.push(Day {
                heading,
                sittings: vec![(s, hours)],
            }),
        }
    }
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ListPage {
        chrome: Chrome::signed_in("Exam timetable", &principal, csrf, "/exams"),
        query,
        terms,
        term,
        programs,
        rooms,
        staff,
        days,
        total,
        can_manage: principal.can(Permission::CatalogManage),
        can_print: principal
            .grant(Permission::ResultsPublish)
            .is_some_and(|g| g.scope >= crate::access::permissions::Scope::College),
        can_find_students,
        unknown_student,
    };
    Ok((jar, render(&page)?).into_response())
}

/// The sitting form as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SittingForm {
    pub assessment_id: String,
    pub date: String,
    pub starts: String,
    pub duration_minutes: String,
    pub rooms: Vec<String>,
    pub invigilators: Vec<String>,
}

impl SittingForm {
    fn of(input: &SittingInput) -> SittingForm {
        SittingForm {
            assessment_id: input.assessment_id.to_string(),
            date: input.date.clone(),
            starts: input.starts.clone(),
            duration_minutes: input.duration_minutes.to_string(),
            rooms: input.rooms.iter().map(Uuid::to_string).collect(),
            invigilators: input.invigilators.iter().map(Uuid::to_string).collect(),
        }
    }

    /// The form read into the API's input, with what could not be read at all.
    fn read(&self) -> (SittingInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let assessment_id = uuid(&self.assessment_id).unwrap_or_else(|| {
            errors.push(FieldError::new("assessment_id", "choose the paper"));
            Uuid::nil()
        });
        let duration_minutes = self
            .duration_minutes
            .trim()
            .parse::<i32>()
            .unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "duration_minutes",
                    "must be a whole number of minutes, such as 180",
                ));
                0
            });
        let ids = |typed: &[String]| typed.iter().filter_map(|t| uuid(t)).collect::<Vec<_>>();
        (
            SittingInput {
                assessment_id,
                date: self.date.clone(),
                starts: self.starts.clone(),
                duration_minutes,
                rooms: ids(&self.rooms),
                invigilators: ids(&self.invigilators),
            },
            errors,
        )
    }
}

/// The papers a sitting may be of: the exams and practicals of sections of terms not
/// over, with no sitting yet (and the sitting's own, when it is edited).
async fn papers(
    conn: &mut PgConnection,
    own: Option<Uuid>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT a.id, c.code || ' ' || s.code || ' · ' || a.name || ' (' || t.name || ', ' || s.enrolled || ' students)' AS "label!"
           FROM assessments a JOIN sections s ON s.college_id = a.college_id AND s.id = a.section_id
           JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id
           JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id
           WHERE a.kind IN ('exam', 'practical') AND t.ends_on >= current_date
             AND (a.id = $1 OR NOT EXISTS (SELECT 1 FROM exam_sittings x WHERE x.college_id = a.college_id AND x.assessment_id = a.id))
           ORDER BY t.starts_on, c.code, s.code, a.name"#,
        own
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.label))
    .collect())
}

async fn render_form(
    state: &AppState,
    principal: &Principal,
    jar: CookieJar,
    existing: Option<&Sitting>,
    typed: &SittingForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut options = vec![(String::new(), "Choose the paper…".to_string())];
    options.extend(papers(&mut tx, existing.map(|s| s.assessment_id)).await?);
    let rooms: Vec<(String, String)> = sqlx::query!(
        r#"SELECT r.id, r.code || ' (' || b.code || ', ' || r.capacity || ' seats)' AS "label!"
           FROM rooms r JOIN buildings b ON b.college_id = r.college_id AND b.id = r.building_id
           WHERE r.retired_at IS NULL ORDER BY r.code"#
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), r.label))
    .collect();
    let staff: Vec<(String, String)> = choices(&mut tx)
        .await?
        .2
        .into_iter()
        .map(|(id, label)| (id.to_string(), label))
        .collect();
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(state, Some(principal), jar);
    let heading = match existing {
        Some(s) => format!("Change {}", s.label()),
        None => "Schedule a paper".to_string(),
    };
    let mut fields = Vec::new();
    if existing.is_none() {
        fields.push(
            Field::new(
                "assessment_id",
                "Paper",
                Kind::Select,
                typed.assessment_id.trim(),
            )
            .options(options),
        );
    }
    fields.extend([
        Field::new("date", "Day", Kind::Date, &typed.date)
            .hint("A day of one of the calendar's exam periods"),
        Field::new("starts", "Starts at", Kind::Time, &typed.starts),
        Field::new(
            "duration_minutes",
            "Length in minutes",
            Kind::Number,
            &typed.duration_minutes,
        )
        .hint("15 to 480"),
        Field::new("rooms", "Rooms", Kind::Ticks, "")
            .hint("Filled in the order listed; together they must seat the section's students")
            .options(rooms)
            .ticked(&typed.rooms),
        Field::new("invigilators", "Invigilators", Kind::Ticks, "")
            .options(staff)
            .ticked(&typed.invigilators),
    ]);
    let (action, back) = match existing {
        Some(s) => (format!("/exams/{}/edit", s.id), format!("/exams/{}", s.id)),
        None => ("/exams".to_string(), "/exams".to_string()),
    };
    let page = FormPage {
        chrome: Chrome::signed_in(heading.clone(), principal, csrf.clone(), "/exams"),
        csrf,
        area: ("Exams", "/exams"),
        title: "Exam timetable",
        list_href: "/exams",
        heading,
        what: "The paper".to_string(),
        action,
        button: if existing.is_some() {
            "Save the changes".to_string()
        } else {
            "Schedule it".to_string()
        },
        back,
        fields,
        errors: errors.into(),
    };
    page.respond(jar)
}

pub async fn new_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let typed = SittingForm {
        duration_minutes: "180".into(),
        starts: "09:30".into(),
        ..SittingForm::default()
    };
    render_form(&state, &principal, jar, None, &typed, Vec::new()).await
}

/// Merges what could not be read with the refusal, each field named once.
fn merged(unreadable: Vec<FieldError>, refused: AppError) -> AppError {
    match refused {
        AppError::Validation(errors) => {
            let named: Vec<String> = unreadable.iter().map(|e| e.field.clone()).collect();
            AppError::Validation(
                unreadable
                    .into_iter()
                    .chain(errors.into_iter().filter(|e| !named.contains(&e.field)))
                    .collect(),
            )
        }
        other => other,
    }
}

pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(typed): Form<SittingForm>,
) -> AppResult<Response> {
    let (input, unreadable) = typed.read();
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let result = match sittings::save(&mut tx, &context, &principal.timezone, None, &input).await {
        Ok(id) if unreadable.is_empty() => Ok(id),
        Ok(_) => Err(AppError::Validation(unreadable)),
        Err(e) => Err(merged(unreadable, e)),
    };
    form::settle(&state, tx, result)
        .done(|id| Done::to(format!("/exams/{id}")).message("Paper scheduled"))
        .again(async |errors| render_form(&state, &principal, jar, None, &typed, errors).await)
        .await
}

pub async fn edit_page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let typed = SittingForm::of(&input_of(&found, &principal.timezone));
    render_form(&state, &principal, jar, Some(&found), &typed, Vec::new()).await
}

pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
    Form(mut typed): Form<SittingForm>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The paper itself is not changed on this form.
    typed.assessment_id = found.assessment_id.to_string();
    let (input, unreadable) = typed.read();
    let result =
        match sittings::save(&mut tx, &context, &principal.timezone, Some(id), &input).await {
            Ok(id) if unreadable.is_empty() => Ok(id),
            Ok(_) => Err(AppError::Validation(unreadable)),
            Err(e) => Err(merged(unreadable, e)),
        };
    form::settle(&state, tx, result)
        .done(|id| {
            Done::to(format!("/exams/{id}"))
                .message("Paper saved: make its day's seating plan again")
        })
        .again(async |errors| {
            render_form(&state, &principal, jar, Some(&found), &typed, errors).await
        })
        .await
}

#[derive(Template)]
#[template(path = "exams/sitting.html")]
struct SittingPage {
    chrome: Chrome,
    csrf: String,
    sitting: Sitting,
    when: String,
    seats: Vec<Seat>,
    can_manage: bool,
}

impl SittingPage {
    fn room_seats(&self, room: &Uuid) -> Vec<&Seat> {
        self.seats.iter().filter(|s| s.room_id == *room).collect()
    }
}

pub async fn sitting(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let can_manage = principal.can(Permission::CatalogManage);
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Who sits where names students: for those who keep the timetable only.
    let seats = if can_manage {
        seating::plan(&mut tx, id).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let zone = principal.timezone.clone();
    let when = format!(
        "{} to {}",
        local(found.starts_at, &zone),
        local_time(found.ends_at, &zone)
    );
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = SittingPage {
        chrome: Chrome::signed_in(found.label(), &principal, csrf.clone(), "/exams"),
        csrf,
        sitting: found,
        when,
        seats,
        can_manage,
    };
    Ok((jar, render(&page)?).into_response())
}

/// Makes the seating plans of the sitting's day.
pub async fn seat(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    match seating::seat_day(&mut tx, &context, &principal.timezone, id).await {
        Ok(n) => {
            tx.commit().await?;
            Ok(Done::to(format!("/exams/{id}"))
                .message(format!("{n} students seated for the day's papers"))
                .respond(&state))
        }
        Err(AppError::Conflict(message)) => Ok(Done::to(format!("/exams/{id}"))
            .message(message)
            .respond(&state)),
        Err(other) => Err(other),
    }
}

pub async fn cancel_confirm(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let heading = format!("Cancel {}?", found.label());
    let confirm = Confirm::new(
        Chrome::signed_in(heading.clone(), &principal, csrf.clone(), "/exams"),
        csrf,
        heading,
        format!("/exams/{id}/cancel"),
    )
    .consequence(format!(
        "The paper leaves the timetable with its rooms, invigilators and {} seats given.",
        found.seated
    ))
    .consequence("Hall tickets already issued still list it: issue them again.")
    .button("Cancel the paper")
    .back(format!("/exams/{id}"));
    Ok((jar, confirm.respond()?).into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::delete(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(Done::to("/exams")
        .message(format!("{} cancelled", found.label()))
        .respond(&state))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClashQuery {
    pub term: String,
}

#[derive(Template)]
#[template(path = "exams/clashes.html")]
struct ClashPage {
    chrome: Chrome,
    terms: Vec<(Uuid, String)>,
    term: Option<Uuid>,
    lines: Vec<ClashLine>,
}

impl ClashPage {
    fn term_is(&self, term: &Uuid) -> bool {
        self.term == Some(*term)
    }
}

pub async fn clashes(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ClashQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms: Vec<(Uuid, String)> = sqlx::query!(
        "SELECT id, name FROM terms ORDER BY is_current DESC, starts_on DESC LIMIT 40"
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let term = uuid(&query.term)
        .filter(|t| terms.iter().any(|(id, _)| id == t))
        .or(timetable::current_term(&mut tx).await?);
    let lines = match term {
        Some(term) => sittings::report(&mut tx, term, &principal.timezone).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ClashPage {
        chrome: Chrome::signed_in("Exam clashes", &principal, csrf, "/exams"),
        terms,
        term,
        lines,
    };
    Ok((jar, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "exams/mine.html")]
struct MinePage {
    chrome: Chrome,
    papers: Vec<(MyPaper, String)>,
}

pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = crate::academics::catalog::queries::own_student(&mut tx, &principal).await?;
    let papers = timetable::of_student(&mut tx, student).await?;
    tx.commit().await?;
    let zone = principal.timezone.clone();
    let papers = papers
        .into_iter()
        .map(|p| {
            let when = format!(
                "{} to {}",
                local(p.starts_at, &zone),
                local_time(p.ends_at, &zone)
            );
            (p, when)
        })
        .collect();
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = MinePage {
        chrome: Chrome::signed_in("Your exams", &principal, csrf, "/exams/mine"),
        papers,
    };
    Ok((jar, render(&page)?).into_response())
}

/// The signed-in student's hall ticket as a download.
pub async fn hall_ticket(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = crate::academics::catalog::queries::own_student(&mut tx, &principal).await?;
    let Some(term) = tickets::ticket_term(&mut tx, student).await? else {
        return Ok(Done::to("/exams/mine")
            .message("You sit no paper yet: there is no hall ticket to issue.")
            .respond(&state));
    };
    let issued = tickets::issue(
        &mut tx,
        &state.files,
        &context,
        &state.config.base_url(),
        &principal.timezone,
        student,
        term,
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}
