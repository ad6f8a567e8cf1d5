//! The pages staff and students open all day, each driven by the busy scenario's clients:
//! the sign-in page, the student list (first page, any page, filtered), the search page,
//! a student's and a staff member's profile, the staff list, the catalog, a student's
//! timetable, and a teacher saving a class's attendance through the page's form.

use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

use super::load::{Bound, Outcome, drive};
use super::measured;
use super::prepare::Fixtures;
use crate::db::{CollegeId, begin_for_college};

/// Students marked in the attendance scenario (a class of 30).
pub const CLASS: usize = 30;

/// What the daily scenarios use besides the run's fixtures.
pub struct Daily {
    /// Students spread over the whole list (every n-th by number).
    pub students: Vec<Uuid>,
    pub staff: Vec<Uuid>,
    /// The program with the most students, by code.
    pub program: String,
    /// Pages of the unfiltered student list.
    pub pages: i64,
    /// Pages of the list filtered by `program` and the enrolled status.
    pub filtered_pages: i64,
    /// (teacher's access token, an assessment of a 30-student class with results open,
    /// the class).
    pub marks: Vec<(String, Uuid, Vec<Uuid>)>,
}

/// Classes whose marks are entered (their results still open, unlike the term's others):
/// more than the clients, as teachers enter their own classes' marks.
const MARKS_SECTIONS: i64 = 200;

/// Gives the first courses a 30-student section 'M1' with a quiz, taught by the teachers
/// of their section A, once per data folder.
async fn marks_classes(
    pool: &PgPool,
    config: &crate::config::Config,
    college: CollegeId,
    term: Uuid,
) -> anyhow::Result<Vec<(String, Uuid, Vec<Uuid>)>> {
    let mut tx = begin_for_college(pool, college).await?;
    let made: i64 = sqlx::query_scalar!(
        "SELECT count(*) AS \"v!\" FROM sections WHERE term_id = $1 AND code = 'M1'",
        term
    )
    .fetch_one(&mut *tx)
    .await?;
    if made == 0 {
        sqlx::query!(
            "INSERT INTO sections (college_id, course_id, term_id, code, capacity) \
             SELECT app_current_college(), c.id, $1, 'M1', $2 FROM courses c \
             WHERE EXISTS (SELECT 1 FROM sections a WHERE a.course_id = c.id AND a.term_id = $1 AND a.code = 'A') \
             ORDER BY c.code LIMIT $3",
            term,
            CLASS as i32,
            MARKS_SECTIONS
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO section_teachers (college_id, section_id, staff_id) \
             SELECT app_current_college(), m.id, x.staff_id FROM sections m \
             JOIN sections a ON a.course_id = m.course_id AND a.term_id = m.term_id AND a.code = 'A' \
             JOIN section_teachers x ON x.section_id = a.id \
             WHERE m.term_id = $1 AND m.code = 'M1' ON CONFLICT DO NOTHING",
            term
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "WITH m AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM sections \
                        WHERE term_id = $1 AND code = 'M1'), \
                  st AS (SELECT id, row_number() OVER (ORDER BY student_number DESC) - 1 AS n \
                         FROM students WHERE status = 'enrolled') \
             INSERT INTO enrollments (college_id, section_id, student_id, status) \
             SELECT app_current_college(), m.id, st.id, 'enrolled' FROM m JOIN st \
               ON st.n >= m.n * $2 AND st.n < (m.n + 1) * $2 \
             ON CONFLICT DO NOTHING",
            term,
            CLASS as i64
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE sections s SET enrolled = (SELECT count(*) FROM enrollments e \
               WHERE e.section_id = s.id AND e.status = 'enrolled') WHERE s.term_id = $1 AND s.code = 'M1'",
            term
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
             SELECT app_current_college(), id, 'Quiz', 'quiz', 20, 20 FROM sections \
             WHERE term_id = $1 AND code = 'M1' ON CONFLICT DO NOTHING",
            term
        )
        .execute(&mut *tx)
        .await?;
    }
    let classes: Vec<(Uuid, Uuid, Vec<Uuid>)> = sqlx::query!(
        "SELECT a.id AS assessment, \
                (SELECT sf.user_id FROM section_teachers x JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id \
                 WHERE x.section_id = s.id AND sf.user_id IS NOT NULL ORDER BY sf.user_id LIMIT 1) AS \"teacher?\", \
                ARRAY(SELECT e.student_id FROM enrollments e WHERE e.section_id = s.id AND e.status = 'enrolled' \
                      ORDER BY e.student_id) AS \"class!\" \
         FROM sections s JOIN assessments a ON a.college_id = s.college_id AND a.section_id = s.id \
         WHERE s.term_id = $1 AND s.code = 'M1' ORDER BY s.id",
        term
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .filter_map(|r| Some((r.assessment, r.teacher?, r.class)))
    .collect();
    let mut marks = Vec::new();
    for (assessment, teacher, class) in classes {
        let token = super::prepare::access_token(&mut tx, config, college, teacher).await?;
        marks.push((token, assessment, class));
    }
    tx.commit().await?;
    Ok(marks)
}

pub async fn prepare(
    pool: &PgPool,
    config: &crate::config::Config,
    college: CollegeId,
    term: Uuid,
) -> anyhow::Result<Daily> {
    let marks = marks_classes(pool, config, college, term).await?;
    let mut tx = begin_for_college(pool, college).await?;
    let total: i64 = sqlx::query_scalar!("SELECT count(*) AS \"v!\" FROM students")
        .fetch_one(&mut *tx)
        .await?;
    let students: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY student_number) AS n FROM students) x \
         WHERE n % greatest(1, $1::bigint / 500) = 0 ORDER BY n",
        total
    )
    .fetch_all(&mut *tx)
    .await?;
    let staff: Vec<Uuid> =
        sqlx::query_scalar!("SELECT id FROM staff ORDER BY staff_number LIMIT 500")
            .fetch_all(&mut *tx)
            .await?;
    let (program, in_program) = sqlx::query!(
        "SELECT p.code, count(*) FILTER (WHERE st.status = 'enrolled') AS \"n!\" FROM students st \
         JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id \
         GROUP BY p.code ORDER BY 2 DESC, 1 LIMIT 1"
    )
    .fetch_one(&mut *tx)
    .await
    .map(|r| (r.code, r.n))?;
    tx.commit().await?;
    Ok(Daily {
        students,
        staff,
        program,
        pages: (total + 24) / 25,
        filtered_pages: (in_program + 24) / 25,
        marks,
    })
}

/// A list's address for the request numbered `i`.
type PathOf = Box<dyn Fn(usize) -> String + Send + Sync>;

/// The value of the page's CSRF field (every signed-in page carries it).
fn csrf_of(page: &str) -> Option<String> {
    let at = page.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let rest = &page[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// A page of HTML as the clients fetch it, answered 200.
async fn page<M>(
    client: &Client,
    base: &str,
    name: &str,
    clients: usize,
    bound: Bound,
    make: M,
) -> Outcome
where
    M: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    measured(
        client,
        base,
        drive(name, clients, bound, make, |s| s == StatusCode::OK),
    )
    .await
}

pub async fn scenarios(
    client: &Client,
    base: &str,
    clients: usize,
    bound: Bound,
    f: &Fixtures,
    d: &Daily,
    want: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Vec<Outcome>> {
    let mut results = Vec::new();
    let registrar = f.registrar_cookie.clone();

    let name = "sign-in page";
    if want(name) {
        let (c, b) = (client.clone(), base.to_string());
        results.push(
            page(client, base, name, clients, bound, move |_| {
                c.get(format!("{b}/login"))
            })
            .await,
        );
    }

    // The registrar's pages: lists as they are paged through, records, the catalog.
    let registrar_pages: [(&str, PathOf); 8] = [
        (
            "student list, first page",
            Box::new(|_| "/students".to_string()),
        ),
        ("student list, any page", {
            let pages = d.pages.max(1) as usize;
            // Spread over every depth, the last page included.
            Box::new(move |i| format!("/students?page={}", 1 + (i * 7919) % pages))
        }),
        ("student list, filtered by program and status", {
            let (pages, program) = (d.filtered_pages.max(1) as usize, d.program.clone());
            Box::new(move |i| {
                format!(
                    "/students?status=enrolled&program={program}&page={}",
                    1 + (i * 7919) % pages
                )
            })
        }),
        ("student search page", {
            let names = f.surnames.clone();
            Box::new(move |i| {
                let prefix: String = names[i % names.len()].chars().take(4).collect();
                format!(
                    "/students?{}",
                    serde_urlencoded::to_string([("q", prefix.as_str())]).unwrap_or_default()
                )
            })
        }),
        ("staff list", Box::new(|_| "/staff".to_string())),
        ("student profile", {
            let ids = d.students.clone();
            Box::new(move |i| format!("/students/{}", ids[i % ids.len()]))
        }),
        ("staff profile", {
            let ids = d.staff.clone();
            Box::new(move |i| format!("/staff/{}", ids[i % ids.len()]))
        }),
        ("catalog of courses", Box::new(|_| "/catalog".to_string())),
    ];
    for (name, path) in registrar_pages {
        if !want(name) || (name == "staff profile" && d.staff.is_empty()) {
            continue;
        }
        let (c, b, cookie) = (client.clone(), base.to_string(), registrar.clone());
        results.push(
            page(client, base, name, clients, bound, move |i| {
                c.get(format!("{b}{}", path(i))).header("cookie", &cookie)
            })
            .await,
        );
    }

    let name = "student timetable";
    if want(name) {
        let (c, b, cookies) = (client.clone(), base.to_string(), f.student_cookies.clone());
        results.push(
            page(client, base, name, clients, bound, move |i| {
                c.get(format!("{b}/timetable"))
                    .header("cookie", &cookies[i % cookies.len()])
            })
            .await,
        );
    }

    // A teacher saves a class's attendance through the page's form, answered with the
    // redirect back to the page.
    let name = "teacher saves attendance, 30 students (form)";
    if want(name) {
        let mut forms = Vec::new();
        for (cookie, session, roster) in &f.marking_pages {
            let body = client
                .get(format!("{base}/sessions/{session}/mark"))
                .header("cookie", cookie)
                .send()
                .await?
                .text()
                .await?;
            let Some(csrf) = csrf_of(&body) else {
                anyhow::bail!("the marking page of session {session} has no CSRF field");
            };
            let class: Vec<Uuid> = roster.iter().take(CLASS).copied().collect();
            forms.push((cookie.clone(), *session, csrf, class));
        }
        // The answer is the redirect, not the page it leads to.
        let c = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1024)
            .build()?;
        let b = base.to_string();
        let mut outcome = measured(
            client,
            base,
            drive(
                name,
                clients,
                bound,
                move |i| {
                    let (cookie, session, csrf, class) = &forms[i % forms.len()];
                    let mut fields = vec![("_csrf".to_string(), csrf.clone())];
                    for (n, student) in class.iter().enumerate() {
                        let status = if (n + i) % 9 == 0 {
                            "absent"
                        } else {
                            "present"
                        };
                        fields.push((format!("status_{student}"), status.to_string()));
                    }
                    c.post(format!("{b}/sessions/{session}/mark"))
                        .header("cookie", cookie)
                        .form(&fields)
                },
                |s| s == StatusCode::SEE_OTHER,
            ),
        )
        .await;
        outcome.note = format!(
            "{} sessions of a term with 24 held {}",
            f.marking_pages.len(),
            outcome.note
        );
        results.push(outcome);
    }

    // A teacher enters a quiz's marks for the class, in one request.
    let name = "teacher enters marks, 30 students";
    if want(name) && !d.marks.is_empty() {
        let (c, b, marks) = (client.clone(), base.to_string(), d.marks.clone());
        let mut outcome = measured(
            client,
            base,
            drive(
                name,
                clients,
                bound,
                move |i| {
                    let (token, assessment, class) = &marks[i % marks.len()];
                    let entries: Vec<serde_json::Value> = class
                        .iter()
                        .enumerate()
                        .map(|(n, s)| serde_json::json!({"student_id": s, "score": ((n + i) % 21) as f64}))
                        .collect();
                    c.put(format!("{b}/api/v1/assessments/{assessment}/marks"))
                        .bearer_auth(token)
                        .json(&serde_json::json!({ "marks": entries }))
                },
                |s| s == StatusCode::NO_CONTENT,
            ),
        )
        .await;
        outcome.note = format!("{} classes {}", d.marks.len(), outcome.note);
        results.push(outcome);
    }
    Ok(results)
}
