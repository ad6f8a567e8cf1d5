//! Exporting the college as a OneRoster 1.1 or 1.2 bulk archive: the college and its
//! departments (orgs), school years and terms, courses, sections (classes), students,
//! teachers and guardians (users, and 1.2's roles and user profiles), enrollments and
//! birth dates (demographics). Records that came from a OneRoster import keep their
//! `sourcedId`; the rest use Campus's ids. Every cell is defused against formulas.

use std::collections::HashMap;
use std::io::Write;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::exports::{Cell, csv};

fn text(value: impl Into<String>) -> Cell {
    let value = value.into();
    if value.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(value)
    }
}

struct Files {
    entries: Vec<(String, Vec<u8>)>,
}

impl Files {
    fn add(&mut self, name: &str, header: &[&str], rows: Vec<Vec<Cell>>) -> anyhow::Result<()> {
        let header: Vec<String> = header.iter().map(|h| (*h).to_string()).collect();
        self.entries.push((name.to_string(), csv(&header, &rows)?));
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: Uuid,
    number: String,
    first_name: String,
    last_name: String,
    email: Option<String>,
    phone: Option<String>,
    born: Option<time::Date>,
}

/// The archive's bytes and a file name for it.
pub async fn export(conn: &mut PgConnection, version: &str) -> anyhow::Result<(String, Vec<u8>)> {
    let v12 = version == "1.2";
    let ids: HashMap<(String, Uuid), String> = sqlx::query_as::<_, (String, Uuid, String)>(
        "SELECT kind, campus_id, sourced_id FROM oneroster_ids",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(k, c, s)| ((k, c), s))
    .collect();
    let sourced = |kind: &str, id: Uuid| {
        ids.get(&(kind.to_string(), id))
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let (college, slug, name): (Uuid, String, String) =
        sqlx::query!("SELECT id, slug, name FROM colleges")
            .fetch_one(&mut *conn)
            .await
            .map(|r| (r.id, r.slug, r.name))?;
    let school = college.to_string();
    let mut files = Files {
        entries: Vec::new(),
    };

    let departments: Vec<(Uuid, String, String)> =
        sqlx::query!("SELECT id, code, name FROM departments ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.id, r.code, r.name))
                    .collect::<Vec<_>>()
            })?;
    let mut orgs = vec![vec![
        text(school.clone()),
        text("active"),
        Cell::Empty,
        text(name.clone()),
        text("school"),
        text(slug.clone()),
        Cell::Empty,
    ]];
    for (id, code, name) in &departments {
        orgs.push(vec![
            text(id.to_string()),
            text("active"),
            Cell::Empty,
            text(name.clone()),
            text("department"),
            text(code.clone()),
            text(school.clone()),
        ]);
    }
    files.add(
        "orgs.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ],
        orgs,
    )?;

    let years: Vec<(Uuid, String, time::Date, time::Date)> =
        sqlx::query!("SELECT id, name, starts_on, ends_on FROM academic_years ORDER BY starts_on")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.id, r.name, r.starts_on, r.ends_on))
                    .collect::<Vec<_>>()
            })?;
    let terms: Vec<(Uuid, Uuid, String, time::Date, time::Date)> = sqlx::query!(
        "SELECT id, academic_year_id, name, starts_on, ends_on FROM terms ORDER BY starts_on"
    )
    .fetch_all(&mut *conn)
    .await
    .map(|v| {
        v.into_iter()
            .map(|r| (r.id, r.academic_year_id, r.name, r.starts_on, r.ends_on))
            .collect::<Vec<_>>()
    })?;
    let year_end: HashMap<Uuid, i32> = years.iter().map(|y| (y.0, y.3.year())).collect();
    let mut sessions = Vec::new();
    for (id, title, starts, ends) in &years {
        sessions.push(vec![
            text(sourced("academic_year", *id)),
            text("active"),
            Cell::Empty,
            text(title.clone()),
            text("schoolYear"),
            text(starts.to_string()),
            text(ends.to_string()),
            Cell::Empty,
            text(ends.year().to_string()),
        ]);
    }
    for (id, year, title, starts, ends) in &terms {
        sessions.push(vec![
            text(sourced("term", *id)),
            text("active"),
            Cell::Empty,
            text(title.clone()),
            text("term"),
            text(starts.to_string()),
            text(ends.to_string()),
            text(sourced("academic_year", *year)),
            text(year_end.get(year).map(i32::to_string).unwrap_or_default()),
        ]);
    }
    files.add(
        "academicSessions.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        sessions,
    )?;

    let courses: Vec<(Uuid, Uuid, String, String)> =
        sqlx::query!("SELECT id, department_id, code, title FROM courses ORDER BY code")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.id, r.department_id, r.code, r.title))
                    .collect::<Vec<_>>()
            })?;
    files.add(
        "courses.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ],
        courses
            .iter()
            .map(|(id, department, code, title)| {
                vec![
                    text(sourced("course", *id)),
                    text("active"),
                    Cell::Empty,
                    Cell::Empty,
                    text(title.clone()),
                    text(code.clone()),
                    Cell::Empty,
                    text(department.to_string()),
                    Cell::Empty,
                    Cell::Empty,
                ]
            })
            .collect(),
    )?;

    let sections: Vec<(Uuid, Uuid, Uuid, String, String)> = sqlx::query!("SELECT s.id, s.course_id, s.term_id, s.code, c.title FROM sections s \
         JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id ORDER BY c.code, s.code")
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.course_id, r.term_id, r.code, r.title)).collect::<Vec<_>>())?;
    files.add(
        "classes.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        sections
            .iter()
            .map(|(id, course, term, code, title)| {
                vec![
                    text(sourced("section", *id)),
                    text("active"),
                    Cell::Empty,
                    text(format!("{title} ({code})")),
                    Cell::Empty,
                    text(sourced("course", *course)),
                    text(code.clone()),
                    text("scheduled"),
                    Cell::Empty,
                    text(school.clone()),
                    text(sourced("term", *term)),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ]
            })
            .collect(),
    )?;

    // People: (sourcedId, role, username, given, family, identifier, email, phone, agents).
    let students: Vec<PersonRow> = sqlx::query_as!(PersonRow, "SELECT id, student_number AS number, first_name, last_name, email::text AS \"email?\", phone AS \"phone?\", date_of_birth AS \"born?\" \
         FROM students WHERE status IN ('enrolled', 'on_leave') ORDER BY student_number")
    .fetch_all(&mut *conn)
    .await?;
    let staff: Vec<PersonRow> = sqlx::query_as!(PersonRow, "SELECT id, staff_number AS number, first_name, last_name, email::text AS \"email?\", phone AS \"phone?\", NULL::date AS \"born?\" \
         FROM staff WHERE status <> 'left' ORDER BY staff_number")
    .fetch_all(&mut *conn)
    .await?;
    let guardians: Vec<PersonRow> = sqlx::query_as!(PersonRow, "SELECT id, '' AS \"number!\", first_name, last_name, email::text AS \"email?\", phone AS \"phone?\", NULL::date AS \"born?\" \
         FROM guardians ORDER BY last_name")
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(Uuid, Uuid)> =
        sqlx::query!("SELECT student_id, guardian_id FROM student_guardians")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.student_id, r.guardian_id))
                    .collect::<Vec<_>>()
            })?;
    let mut agents: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (student, guardian) in &links {
        agents
            .entry(*student)
            .or_default()
            .push(sourced("guardian", *guardian));
        agents
            .entry(*guardian)
            .or_default()
            .push(sourced("student", *student));
    }
    struct Person {
        id: String,
        campus: Uuid,
        role: &'static str,
        username: String,
        given: String,
        family: String,
        identifier: String,
        email: Option<String>,
        phone: Option<String>,
    }
    let mut people = Vec::new();
    for (rows, kind, role) in [
        (&students, "student", "student"),
        (&staff, "staff", "teacher"),
        (&guardians, "guardian", "guardian"),
    ] {
        for r in rows {
            people.push(Person {
                id: sourced(kind, r.id),
                campus: r.id,
                role,
                username: r.email.clone().unwrap_or_else(|| {
                    if r.number.is_empty() {
                        r.id.to_string()
                    } else {
                        r.number.clone()
                    }
                }),
                given: r.first_name.clone(),
                family: r.last_name.clone(),
                identifier: r.number.clone(),
                email: r.email.clone(),
                phone: r.phone.clone(),
            });
        }
    }
    let agents_of = |p: &Person| {
        agents
            .get(&p.campus)
            .map(|a| a.join(","))
            .unwrap_or_default()
    };
    if v12 {
        files.add(
            "users.csv",
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "enabledUser",
                "username",
                "userIds",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
                "agentSourcedIds",
                "grades",
                "password",
                "userMasterIdentifier",
                "resourceSourcedIds",
                "preferredGivenName",
                "preferredMiddleName",
                "preferredFamilyName",
                "primaryOrgSourcedId",
                "pronouns",
            ],
            people
                .iter()
                .map(|p| {
                    vec![
                        text(p.id.clone()),
                        text("active"),
                        Cell::Empty,
                        text("true"),
                        text(p.username.clone()),
                        Cell::Empty,
                        text(p.given.clone()),
                        text(p.family.clone()),
                        Cell::Empty,
                        text(p.identifier.clone()),
                        text(p.email.clone().unwrap_or_default()),
                        Cell::Empty,
                        text(p.phone.clone().unwrap_or_default()),
                        text(agents_of(p)),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        text(school.clone()),
                        Cell::Empty,
                    ]
                })
                .collect(),
        )?;
        files.add(
            "roles.csv",
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "userSourcedId",
                "roleType",
                "role",
                "beginDate",
                "endDate",
                "orgSourcedId",
                "userProfileSourcedId",
            ],
            people
                .iter()
                .map(|p| {
                    vec![
                        text(format!("{}-role", p.id)),
                        text("active"),
                        Cell::Empty,
                        text(p.id.clone()),
                        text("primary"),
                        text(p.role),
                        Cell::Empty,
                        Cell::Empty,
                        text(school.clone()),
                        Cell::Empty,
                    ]
                })
                .collect(),
        )?;
        files.add(
            "userProfiles.csv",
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "userSourcedId",
                "profileType",
                "vendorId",
                "applicationId",
                "description",
                "credentialType",
                "username",
                "password",
            ],
            people
                .iter()
                .filter(|p| p.email.is_some())
                .map(|p| {
                    vec![
                        text(format!("{}-campus", p.id)),
                        text("active"),
                        Cell::Empty,
                        text(p.id.clone()),
                        text("campus"),
                        text("campus"),
                        Cell::Empty,
                        text("Campus sign-in"),
                        text("password"),
                        text(p.email.clone().unwrap_or_default()),
                        Cell::Empty,
                    ]
                })
                .collect(),
        )?;
    } else {
        files.add(
            "users.csv",
            &[
                "sourcedId",
                "status",
                "dateLastModified",
                "enabledUser",
                "orgSourcedIds",
                "role",
                "username",
                "userIds",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
                "agentSourcedIds",
                "grades",
                "password",
            ],
            people
                .iter()
                .map(|p| {
                    vec![
                        text(p.id.clone()),
                        text("active"),
                        Cell::Empty,
                        text("true"),
                        text(school.clone()),
                        text(p.role),
                        text(p.username.clone()),
                        Cell::Empty,
                        text(p.given.clone()),
                        text(p.family.clone()),
                        Cell::Empty,
                        text(p.identifier.clone()),
                        text(p.email.clone().unwrap_or_default()),
                        Cell::Empty,
                        text(p.phone.clone().unwrap_or_default()),
                        text(agents_of(p)),
                        Cell::Empty,
                        Cell::Empty,
                    ]
                })
                .collect(),
        )?;
    }

    let enrolled: Vec<(Uuid, Uuid)> = sqlx::query!("SELECT e.section_id, e.student_id FROM enrollments e JOIN students s ON s.college_id = e.college_id AND s.id = e.student_id \
         WHERE e.status = 'enrolled' AND s.status IN ('enrolled', 'on_leave')")
    .fetch_all(&mut *conn)
    .await.map(|v| v.into_iter().map(|r| (r.section_id, r.student_id)).collect::<Vec<_>>())?;
    let teaching: Vec<(Uuid, Uuid)> =
        sqlx::query!("SELECT section_id, staff_id FROM section_teachers")
            .fetch_all(&mut *conn)
            .await
            .map(|v| {
                v.into_iter()
                    .map(|r| (r.section_id, r.staff_id))
                    .collect::<Vec<_>>()
            })?;
    let mut enrollments = Vec::new();
    for (section, student) in &enrolled {
        enrollments.push(vec![
            text(format!("{section}-{student}")),
            text("active"),
            Cell::Empty,
            text(sourced("section", *section)),
            text(school.clone()),
            text(sourced("student", *student)),
            text("student"),
            text("false"),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for (section, teacher) in &teaching {
        enrollments.push(vec![
            text(format!("{section}-{teacher}")),
            text("active"),
            Cell::Empty,
            text(sourced("section", *section)),
            text(school.clone()),
            text(sourced("staff", *teacher)),
            text("teacher"),
            text("true"),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    files.add(
        "enrollments.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        enrollments,
    )?;
    files.add(
        "demographics.csv",
        &[
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
        ],
        students
            .iter()
            .filter_map(|s| {
                s.born.map(|born| {
                    vec![
                        text(sourced("student", s.id)),
                        text("active"),
                        Cell::Empty,
                        text(born.to_string()),
                        Cell::Empty,
                    ]
                })
            })
            .collect(),
    )?;

    let listed = |stem: &str| {
        files
            .entries
            .iter()
            .any(|(n, _)| n == &format!("{stem}.csv"))
    };
    let mut manifest = vec![
        vec![text("manifest.version"), text("1.0")],
        vec![text("oneroster.version"), text(version)],
    ];
    for stem in [
        "academicSessions",
        "categories",
        "classes",
        "classResources",
        "courses",
        "courseResources",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "resources",
        "results",
        "users",
        "roles",
        "userProfiles",
    ] {
        if !v12 && ["roles", "userProfiles"].contains(&stem) {
            continue;
        }
        manifest.push(vec![
            text(format!("file.{stem}")),
            text(if listed(stem) { "bulk" } else { "absent" }),
        ]);
    }
    manifest.push(vec![text("source.systemName"), text("Campus")]);
    manifest.push(vec![text("source.systemCode"), text(slug.clone())]);
    let manifest_bytes = csv(
        &["propertyName".to_string(), "value".to_string()],
        &manifest,
    )?;

    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    archive.start_file("manifest.csv", options)?;
    archive.write_all(&manifest_bytes)?;
    for (name, bytes) in &files.entries {
        archive.start_file(name.as_str(), options)?;
        archive.write_all(bytes)?;
    }
    let bytes = archive.finish()?.into_inner();
    Ok((format!("oneroster-{version}-{slug}.zip"), bytes))
}
