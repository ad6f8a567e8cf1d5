//! The demo college's admissions: next year's intake of every program open for
//! applications (with a fee, so the test gateway can be tried), and the demo applicant's
//! draft application to the first.

use sqlx::PgConnection;

pub async fn load(conn: &mut PgConnection, applicant_email: &str) -> Result<(), sqlx::Error> {
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
    Ok(())
}
