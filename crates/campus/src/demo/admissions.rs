//! The demo college's admissions: next year's intake of every program open for
//! applications (with a fee, so the test gateway can be tried), the demo applicant's
//! draft application to the first, and the other applicants' applications to the same
//! intake in several states (submitted with the fee paid, under review, waitlisted,
//! rejected with a reason, withdrawn, still a draft), each with its history.

use sqlx::PgConnection;

use super::generate::Applicant;

/// The states the other applications are in, in turn (the first six, the fewest there
/// are, show every state but a draft, which the demo applicant's own is).
const STATES: [&str; 8] = [
    "submitted",
    "under_review",
    "waitlisted",
    "rejected",
    "withdrawn",
    "submitted",
    "draft",
    "submitted",
];

pub async fn load(
    conn: &mut PgConnection,
    applicant_email: &str,
    applicants: &[Applicant],
) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO intakes (college_id, program_id, name, seats, application_fee, currency, opens_on, closes_on, admits_on) \
         SELECT app_current_college(), id, extract(year FROM current_date + 240)::int || ' intake', 40, 500, 'INR', \
            current_date - 14, current_date + 60, make_date(extract(year FROM current_date + 240)::int, 7, 1) \
         FROM programs")
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO applications (college_id, intake_id, user_id, first_name, last_name) \
         SELECT app_current_college(), (SELECT i.id FROM intakes i JOIN programs p ON p.id = i.program_id ORDER BY p.code LIMIT 1), \
            u.id, split_part(u.display_name, ' ', 1), split_part(u.display_name, ' ', 2) \
         FROM users u WHERE u.email = $1", applicant_email)
    .execute(&mut *conn)
    .await?;
    if applicants.is_empty() {
        return Ok(());
    }
    let statuses: Vec<&str> = (0..applicants.len())
        .map(|i| STATES[i % STATES.len()])
        .collect();
    // Submitted over the last two weeks; a decided one was decided a day later.
    sqlx::query!(
        "INSERT INTO applications (college_id, intake_id, user_id, status, first_name, last_name, date_of_birth, \
                                   phone, address, previous_school, qualifying_percent, statement, decision_reason, \
                                   submitted_at, created_at, updated_at) \
         SELECT app_current_college(), \
                (SELECT i.id FROM intakes i JOIN programs p ON p.id = i.program_id ORDER BY p.code LIMIT 1), \
                t.user_id, t.status, t.first, t.last, t.born, t.phone, t.address, t.school, round(t.percent::numeric, 2), \
                'I enjoyed my science projects at school and would like to build on them here.', \
                CASE WHEN t.status = 'rejected' THEN 'The qualifying percentage is below this intake''s cut-off.' END, \
                CASE WHEN t.status <> 'draft' THEN now() - make_interval(days => (1 + t.k % 13)::int) END, \
                now() - make_interval(days => (2 + t.k % 13)::int), now() - make_interval(days => (t.k % 13)::int) \
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], \
                     $8::text[], $9::float8[]) WITH ORDINALITY \
              AS t(user_id, status, first, last, born, phone, address, school, percent, k)",
        &applicants.iter().map(|a| a.user_id).collect::<Vec<_>>(),
        &statuses as &[&str],
        &applicants.iter().map(|a| a.first.clone()).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.last.clone()).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.date_of_birth).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.phone.clone()).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.address.clone()).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.school.clone()).collect::<Vec<_>>(),
        &applicants.iter().map(|a| a.percent).collect::<Vec<_>>()
    )
    .execute(&mut *conn)
    .await?;
    let users: Vec<uuid::Uuid> = applicants.iter().map(|a| a.user_id).collect();
    // The fee paid through the test gateway before submitting.
    sqlx::query!(
        "INSERT INTO payments (college_id, application_id, amount, currency, gateway, reference, status, \
                               created_at, settled_at) \
         SELECT app_current_college(), a.id, i.application_fee, i.currency, 'test', \
                upper(substr(encode(sha256(convert_to(a.id::text, 'UTF8')), 'hex'), 1, 16)), 'paid', \
                a.submitted_at - interval '1 hour', a.submitted_at - interval '50 minutes' \
         FROM applications a JOIN intakes i ON i.college_id = a.college_id AND i.id = a.intake_id \
         WHERE a.user_id = ANY($1) AND a.submitted_at IS NOT NULL AND i.application_fee > 0",
        &users
    )
    .execute(&mut *conn)
    .await?;
    // Each application's history: submitted by the applicant, then the office's
    // decision (or the applicant's withdrawal) a day later.
    sqlx::query!(
        "INSERT INTO application_events (college_id, application_id, status, note, by_user, at) \
         SELECT app_current_college(), a.id, 'submitted', 'Submitted for review', a.user_id, a.submitted_at \
         FROM applications a WHERE a.user_id = ANY($1) AND a.submitted_at IS NOT NULL \
         UNION ALL \
         SELECT app_current_college(), a.id, a.status, coalesce(a.decision_reason, ''), \
                CASE WHEN a.status = 'withdrawn' THEN a.user_id \
                     ELSE (SELECT r.user_id FROM role_assignments r WHERE r.role = 'registrar' LIMIT 1) END, \
                a.submitted_at + interval '1 day' \
         FROM applications a WHERE a.user_id = ANY($1) \
           AND a.status IN ('under_review', 'waitlisted', 'rejected', 'withdrawn')",
        &users
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
