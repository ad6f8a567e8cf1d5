//! Admissions: applicants make their own accounts, complete, pay and submit; a forged
//! payment callback changes nothing; the merit list ranks them and allocation fills the
//! seats and no more; acceptance makes the student record and account; applicants never
//! see each other's applications.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::admissions::payments::model::{Outcome, Signed, TestGateway};
use campus::db::begin_for_college;
use serde_json::{Value, json};

use crate::util::api::{call, call_multipart, download, id, login};
use crate::util::db::scalar;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{token_of, world};
use crate::util::{Browser, TestApp};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// The newest mail queued for `to` in the college `slug`.
async fn last_mail(app: &TestApp, slug: &str, to: &str) -> Option<String> {
    let college = campus::institution::queries::find_by_slug(&app.pool, slug)
        .await
        .expect("query")
        .expect("college");
    let mut tx = begin_for_college(&app.pool, college.id).await.expect("tx");
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body_text FROM mail_outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(to)
    .fetch_optional(&mut *tx)
    .await
    .expect("mail");
    tx.commit().await.expect("commit");
    body
}

/// Signs an applicant up, confirms the address through the mailed link, and signs in;
/// returns their token and application id.
async fn applicant(app: &TestApp, intake: &str, email: &str, first: &str) -> (String, String) {
    let (status, body) = call(
        app,
        "POST",
        "/api/v1/colleges/alpha/applicants",
        "",
        Some(json!({"intake_id": intake, "first_name": first, "last_name": "Applicant", "email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // Until the address is confirmed, the account cannot sign in.
    let (status, _) = login(app, "alpha", email, PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed in unconfirmed");
    let mail = last_mail(app, "alpha", email)
        .await
        .expect("a confirmation mail");
    let token = fixtures::link_token(&mail);
    let confirmed = app
        .get(&format!("/account/verify-email?token={token}"))
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let (status, login) = login(app, "alpha", email, PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["access_token"].as_str().expect("token").to_string();
    let (_, mine) = call(app, "GET", "/api/v1/me/applications", &token, None).await;
    let application = mine[0]["id"].as_str().expect("application").to_string();
    (token, application)
}

/// A gateway's callback for `checkout` (as `POST /payments` answered it), signed by the
/// test gateway over `amount` and `outcome`.
fn callback(
    app: &TestApp,
    college: &str,
    checkout: &Value,
    amount: &str,
    outcome: Outcome,
) -> Value {
    let reference = checkout["reference"].as_str().expect("reference");
    let currency = checkout["currency"].as_str().expect("currency");
    let signature = TestGateway::new(app.state.config.secret_key.expose()).sign(&Signed {
        college,
        reference,
        amount,
        currency,
        outcome,
    });
    json!({"college": college, "reference": reference, "amount": amount, "currency": currency,
        "outcome": outcome, "signature": signature})
}

/// Fills in, documents, pays through the test gateway's signed callback, and submits.
async fn complete(app: &TestApp, token: &str, application: &str, percent: &str) {
    let (status, body) = call(
        app,
        "PUT",
        &format!("/api/v1/applications/{application}"),
        token,
        Some(json!({"first_name": "Ada", "last_name": "Applicant", "date_of_birth": "2008-04-30", "qualifying_percent": percent})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = call_multipart(
        app,
        "POST",
        &format!("/api/v1/applications/{application}/files"),
        token,
        &[("kind", "transcript")],
        &[("file", "marks.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, checkout) = call(
        app,
        "POST",
        &format!("/api/v1/applications/{application}/payments"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{checkout}");
    let amount = checkout["amount"].as_str().expect("amount");
    let (status, settled) = call(
        app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(callback(app, "alpha", &checkout, amount, Outcome::Paid)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    let (status, body) = call(
        app,
        "POST",
        &format!("/api/v1/applications/{application}/submit"),
        token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn applicants_apply_pay_and_are_admitted_by_merit_within_the_seats() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: i64| (today + time::Duration::days(d)).to_string();

    // The office opens an intake of two seats with a fee.
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/intakes",
        &registrar,
        Some(json!({"program": "NOPE", "name": "x", "seats": 0, "application_fee": "5.999", "opens_on": day(0), "closes_on": day(-1), "admits_on": day(10)})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"].as_array().expect("errors").len() >= 4,
        "{body}"
    );
    let (status, intake) = call(
        &app,
        "POST",
        "/api/v1/intakes",
        &registrar,
        Some(json!({"program": "bsc-cs", "name": "2027 intake", "seats": 2, "application_fee": "500", "opens_on": day(-1), "closes_on": day(30), "admits_on": "2027-07-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{intake}");
    let intake = id(&intake);
    let (_, open) = call(&app, "GET", "/api/v1/colleges/alpha/intakes", "", None).await;
    assert_eq!(open[0]["application_fee"], "500.00", "{open}");

    // Sign-up refuses weak passwords and taken emails, and grants nothing but applying.
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/colleges/alpha/applicants",
        "",
        Some(json!({"intake_id": intake, "first_name": "Weak", "last_name": "Pass", "email": "weak@example.org", "password": "password123"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (ada, ada_application) = applicant(&app, &intake, "ada@example.org", "Ada").await;
    // The same address again: the same answer as a new one, and its owner is mailed.
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/colleges/alpha/applicants",
        "",
        Some(json!({"intake_id": intake, "first_name": "Ada", "last_name": "Again", "email": "ADA@example.org", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        body["detail"],
        campus::admissions::signup::model::CHECK_YOUR_MAIL
    );
    let mail = last_mail(&app, "alpha", "ada@example.org")
        .await
        .expect("mail");
    assert!(mail.contains("already has an account"), "{mail}");
    assert!(!mail.contains("token="), "no link to a new account: {mail}");
    let (status, _) = call(&app, "GET", "/api/v1/students", &ada, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "applicants see no records");

    // Submitting too early names what is missing.
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{ada_application}/submit"),
        &ada,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(
        fields,
        ["date_of_birth", "qualifying_percent", "file", "fee"],
        "{body}"
    );
    // A photo that is not an image, and a file that lies about its type, are refused.
    let (status, _) = call_multipart(
        &app,
        "POST",
        &format!("/api/v1/applications/{ada_application}/files"),
        &ada,
        &[("kind", "photo")],
        &[("file", "me.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call_multipart(
        &app,
        "POST",
        &format!("/api/v1/applications/{ada_application}/files"),
        &ada,
        &[("kind", "identity")],
        &[("file", "id.png", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A forged payment callback changes nothing.
    let (_, checkout) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{ada_application}/payments"),
        &ada,
        None,
    )
    .await;
    let reference = checkout["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    assert!(
        checkout["checkout_url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/pay/test/{reference}"))
    );
    let amount = checkout["amount"].as_str().expect("amount").to_string();
    let mut forged = callback(&app, "alpha", &checkout, &amount, Outcome::Paid);
    forged["signature"] = json!("00".repeat(32));
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(forged),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut failed = callback(&app, "alpha", &checkout, &amount, Outcome::Failed);
    failed["outcome"] = json!("paid");
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(failed),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a signature for another outcome"
    );
    // A genuine signature over a smaller amount, or another currency, settles nothing.
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(callback(&app, "alpha", &checkout, "0.01", Outcome::Paid)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "amount", "{body}");
    let mut other_currency = checkout.clone();
    other_currency["currency"] = json!("XXX");
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(callback(
            &app,
            "alpha",
            &other_currency,
            &amount,
            Outcome::Paid,
        )),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "currency", "{body}");
    // Signed for another college, it finds no payment there.
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(callback(&app, "beta", &checkout, &amount, Outcome::Paid)),
    )
    .await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM payments WHERE status = 'paid'"
        )
        .await,
        0
    );

    complete(&app, &ada, &ada_application, "91.5").await;
    let (bob, bob_application) = applicant(&app, &intake, "bob@example.org", "Bob").await;
    complete(&app, &bob, &bob_application, "78").await;
    let (cy, cy_application) = applicant(&app, &intake, "cy@example.org", "Cy").await;
    complete(&app, &cy, &cy_application, "84.25").await;
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/applications/{ada_application}"),
        &ada,
        Some(json!({"first_name": "Changed", "last_name": "Later"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "submitted applications do not change"
    );

    // Applicants never see each other's.
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/applications/{ada_application}"),
        &bob,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, mine) = call(
        &app,
        "GET",
        &format!("/api/v1/applications/{ada_application}"),
        &ada,
        None,
    )
    .await;
    let transcript = mine["files"][0]["id"].as_str().expect("file").to_string();
    let (status, ..) = download(&app, &format!("/api/v1/files/{transcript}"), &bob).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, bytes, _) = download(&app, &format!("/api/v1/files/{transcript}"), &ada).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PDF));
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{bob_application}/decision"),
        &ada,
        Some(json!({"status": "accepted"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The merit list, then allocation: two seats to the two best, the third waitlisted.
    let (_, merit) = call(
        &app,
        "GET",
        &format!("/api/v1/intakes/{intake}/merit-list"),
        &registrar,
        None,
    )
    .await;
    let order: Vec<&str> = merit
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["qualifying_percent"].as_str().expect("percent"))
        .collect();
    assert_eq!(order, ["91.50", "84.25", "78.00"]);
    let (status, done) = call(
        &app,
        "POST",
        &format!("/api/v1/intakes/{intake}/allocate"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        done,
        json!({"accepted": 2, "waitlisted": 1, "seats_left": 0})
    );
    let status_of = |v: &Value| v[0]["status"].as_str().expect("status").to_string();
    let (_, mine) = call(&app, "GET", "/api/v1/me/applications", &bob, None).await;
    assert_eq!(status_of(&mine), "waitlisted");
    let (_, mine) = call(&app, "GET", "/api/v1/me/applications", &cy, None).await;
    assert_eq!(status_of(&mine), "accepted");
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{bob_application}/decision"),
        &registrar,
        Some(json!({"status": "accepted"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "no seat left: {body}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{bob_application}/decision"),
        &registrar,
        Some(json!({"status": "rejected"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection says why"
    );
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/intakes/{intake}/allocate"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM applications WHERE status = 'accepted'"
        )
        .await,
        2,
        "never more than the seats"
    );

    // Acceptance made the records: student, role, documents, first enrollment step, mail.
    assert_eq!(
        scalar::<String>(&app, w.college, "SELECT string_agg(student_number, ',' ORDER BY student_number) FROM students WHERE student_number LIKE '2027%'").await,
        "20270001,20270002"
    );
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM role_assignments r JOIN users u ON u.id = r.user_id WHERE u.email = 'ada@example.org' AND r.role = 'student'").await, 1);
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM student_documents").await,
        2
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM enrollment_progress").await,
        2
    );
    assert_eq!(scalar::<i64>(&app, w.college, "SELECT count(*) FROM mail_outbox WHERE subject LIKE 'Admitted to%' AND to_address = 'ada@example.org'").await, 1);
    let (status, records) = call(&app, "GET", "/api/v1/students", &ada, None).await;
    assert_eq!(status, StatusCode::OK, "now a student");
    assert_eq!(records["students"][0]["student_number"], "20270001");
    let (_, details) = call(
        &app,
        "GET",
        &format!("/api/v1/applications/{ada_application}"),
        &ada,
        None,
    )
    .await;
    let history: Vec<&str> = details["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(history.last(), Some(&"accepted"), "{details}");

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "admissions.intake_created",
        "admissions.applicant_signed_up",
        "admissions.application_submitted",
        "payment.paid",
        "admissions.seats_allocated",
        "admissions.application_accepted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

#[tokio::test]
async fn the_public_page_signs_applicants_up_and_the_test_checkout_takes_the_fee() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let today = time::OffsetDateTime::now_utc().date();
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "INSERT INTO intakes (college_id, program_id, name, seats, application_fee, opens_on, closes_on, admits_on) \
         SELECT app_current_college(), id, '2027 intake', 30, 250, $1, $2, $2 FROM programs",
    )
    .bind(today)
    .bind(today + time::Duration::days(20))
    .execute(&mut *tx)
    .await
    .expect("intake");
    tx.commit().await.expect("commit");
    let intake: uuid::Uuid = scalar(&app, w.college, "SELECT id FROM intakes").await;

    let mut browser = Browser::new(&app);
    let page = browser.get("/c/alpha/apply").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    let open = "section[aria-labelledby=open] table tbody tr";
    doc.expect_text(&format!("{open} > td:nth-child(1)"), "B.Sc. Computing");
    doc.expect_text(&format!("{open} > td:nth-child(4)"), "250.00 INR");
    let csrf = page.csrf();
    let refused = browser
        .post(
            "/c/alpha/apply",
            &[
                ("_csrf", &csrf),
                ("intake_id", &intake.to_string()),
                ("first_name", "Zoë"),
                ("last_name", "Ñúñez"),
                ("email", "not-an-email"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = browser
        .post(
            "/c/alpha/apply",
            &[
                ("_csrf", &csrf),
                ("intake_id", &intake.to_string()),
                ("first_name", "Zoë"),
                ("last_name", "Ñúñez"),
                ("email", "zoe@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    // Made, the browser goes to the college's sign-in page, which says to check the mail.
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    assert_eq!(made.location.as_deref(), Some("/c/alpha/login"));
    let login = browser.get("/c/alpha/login").await;
    Doc::parse(&login.html).expect_text("main .alert-success[role=status]", "Check your mail");
    let mail = last_mail(&app, "alpha", "zoe@example.org")
        .await
        .expect("a confirmation mail");
    let confirmed = browser
        .get(&format!(
            "/account/verify-email?token={}",
            fixtures::link_token(&mail)
        ))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);

    let mut applicant = Browser::new(&app);
    applicant
        .sign_in("alpha", "zoe@example.org", PASSWORD)
        .await;
    let list = applicant.get("/admissions").await;
    // The application made with the account, in the applicant's list.
    Doc::parse(&list.html).expect_text(
        "main .stack > ul > li > a[href^='/admissions/applications/']",
        "2027 intake",
    );
    let application: uuid::Uuid = scalar(&app, w.college, "SELECT id FROM applications").await;
    let page = applicant
        .get(&format!("/admissions/applications/{application}"))
        .await;
    assert_eq!(
        Doc::parse(&page.html).text(&format!(
            "form[action='/admissions/applications/{application}/pay'] button"
        )),
        "Pay the fee",
        "{}",
        page.html
    );
    let paying = applicant
        .post(
            &format!("/admissions/applications/{application}/pay"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(paying.status, StatusCode::SEE_OTHER);
    let checkout_path = paying.location.clone().expect("to the checkout");
    let checkout = applicant.get(&checkout_path).await;
    let doc = Doc::parse(&checkout.html);
    doc.expect_text("form[action^='/pay/test/'] h2", "250.00 INR");
    doc.expect_text(".page-header .lead", "no money moves");
    let wrong = applicant
        .post(
            &checkout_path,
            &[("_csrf", &checkout.csrf()), ("card", "1234")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let declined = applicant
        .post(
            &checkout_path,
            &[("_csrf", &checkout.csrf()), ("card", "4000 0000 0000 0002")],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.html);
    let back = declined.location.clone().expect("back to the application");
    assert_eq!(back, format!("/admissions/applications/{application}"));
    let page = applicant.get(&back).await;
    Doc::parse(&page.html).expect_text("main .alert[role=status]", "declined");
    let paying = applicant
        .post(
            &format!("/admissions/applications/{application}/pay"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    let checkout_path = paying.location.clone().expect("to the checkout");
    let checkout = applicant.get(&checkout_path).await;
    let paid = applicant
        .post(
            &checkout_path,
            &[("_csrf", &checkout.csrf()), ("card", "4242 4242 4242 4242")],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.html);
    let page = applicant
        .get(&paid.location.clone().expect("back to the application"))
        .await;
    Doc::parse(&page.html).expect_text("main .alert[role=status]", "The application fee is paid");
    // Someone else cannot pay with, or see, this applicant's checkout.
    let mut other = Browser::new(&app);
    fixtures::user(
        &app.pool,
        w.college,
        "other@example.org",
        &[Role::Applicant],
    )
    .await;
    other.sign_in("alpha", "other@example.org", PASSWORD).await;
    let stolen = other.get(&checkout_path).await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    let peek = other
        .get(&format!("/admissions/applications/{application}"))
        .await;
    assert_eq!(peek.status, StatusCode::FORBIDDEN);
}

/// Without a payment gateway (the test gateway is off, as production has it), no fee is
/// taken online and the application page says so; the office records a fee paid to it.
#[tokio::test]
async fn without_a_gateway_the_office_records_the_fee() {
    let app = TestApp::with_settings(&[("CAMPUS_TEST_PAYMENT_GATEWAY", "false")]).await;
    let w = world(&app, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: i64| (today + time::Duration::days(d)).to_string();
    let (status, intake) = call(
        &app,
        "POST",
        "/api/v1/intakes",
        &registrar,
        Some(json!({"program": "bsc-cs", "name": "2027 intake", "seats": 2, "application_fee": "500", "opens_on": day(-1), "closes_on": day(30), "admits_on": "2027-07-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{intake}");
    let intake = id(&intake);
    let (ada, application) = applicant(&app, &intake, "ada@example.org", "Ada").await;
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/v1/applications/{application}"),
        &ada,
        Some(json!({"first_name": "Ada", "last_name": "Applicant", "date_of_birth": "2008-04-30", "qualifying_percent": "90"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = call_multipart(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/files"),
        &ada,
        &[("kind", "transcript")],
        &[("file", "marks.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/payments"),
        &ada,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("does not take fees online")),
        "{body}"
    );
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/payments/callback/test",
        "",
        Some(json!({"college": "alpha", "reference": "x", "amount": "500.00", "currency": "USD", "outcome": "paid", "signature": "00"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no test gateway to call back"
    );
    assert_eq!(
        scalar::<i64>(&app, w.college, "SELECT count(*) FROM payments").await,
        0
    );
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/submit"),
        &ada,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the fee is unpaid"
    );

    // The applicant cannot record their own fee; the office must give a receipt.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/fee-received"),
        &ada,
        Some(json!({"receipt": "R-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/fee-received"),
        &registrar,
        Some(json!({"receipt": "  "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "receipt", "{body}");
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/fee-received"),
        &registrar,
        Some(json!({"receipt": "R-1001"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/fee-received"),
        &registrar,
        Some(json!({"receipt": "R-1002"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "recorded once");
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/submit"),
        &ada,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        scalar::<String>(
            &app,
            w.college,
            "SELECT gateway || ' ' || status || ' ' || gateway_reference FROM payments"
        )
        .await,
        "office paid R-1001"
    );
}

/// A sign-up nobody confirmed holds nothing: it cannot sign in, and the college can still
/// make an account with its address (which replaces it).
#[tokio::test]
async fn an_unconfirmed_sign_up_gives_way_to_the_colleges_account() {
    let app = TestApp::new().await;
    let w = world(&app, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: i64| (today + time::Duration::days(d)).to_string();
    let (_, intake) = call(
        &app,
        "POST",
        "/api/v1/intakes",
        &registrar,
        Some(json!({"program": "bsc-cs", "name": "2027 intake", "seats": 2, "application_fee": "0", "opens_on": day(-1), "closes_on": day(30), "admits_on": "2027-07-01"})),
    )
    .await;
    let intake = id(&intake);
    // Someone signs up with a teacher-to-be's address and never confirms it.
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/colleges/alpha/applicants",
        "",
        Some(json!({"intake_id": intake, "first_name": "Squat", "last_name": "Ter", "email": "new.teacher@alpha.edu", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = login(&app, "alpha", "new.teacher@alpha.edu", PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The college makes the teacher's account with that address all the same.
    let code = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (_, admin) = login(&app, "alpha", "admin@alpha.edu", PASSWORD, Some(&code)).await;
    let admin = admin["access_token"].as_str().expect("token").to_string();
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/users",
        &admin,
        Some(json!({"email": "new.teacher@alpha.edu", "display_name": "New Teacher", "roles": ["teacher"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM users WHERE email = 'new.teacher@alpha.edu'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            w.college,
            "SELECT count(*) FROM applications WHERE first_name = 'Squat'"
        )
        .await,
        0,
        "the unconfirmed sign-up and its draft gave way"
    );
    // A confirmed sign-up keeps its address.
    let (_, _) = applicant(&app, &intake, "kept@example.org", "Kept").await;
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/users",
        &admin,
        Some(json!({"email": "kept@example.org", "display_name": "Kept", "roles": ["teacher"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
