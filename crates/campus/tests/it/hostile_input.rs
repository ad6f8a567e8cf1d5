//! Every route in the route table, walked with input a browser would not send: NUL
//! characters and bytes that are not UTF-8 in the address, the query and the body, empty
//! filter boxes, wrong types and nonsense ids. Nothing answers a server error; text that
//! cannot be text is refused at the edge with the field named.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use campus::access::routes::{Access, RouteSpec};
use campus::db::begin_for_college;
use serde_json::Value;

use crate::util::api::token_with_code;
use crate::util::{Browser, TestApp};

/// Routes left out, and why.
const SKIPPED: [&str; 2] = [
    "/logout",         // ends the session the walk is using
    "/static/{*name}", // files from the binary; no input reaches a database
];

/// The demo's administrator (second factor answered by the browser helper).
const ADMIN: &str = "admin@riverside.edu";
const PASSWORD: &str = "riverside-demo-campus";

/// A real id for the kind of record a path names (the segment before `{id}`), so the
/// walk reaches the handlers' inner code, or a random one where none is known.
async fn id_for(app: &TestApp, college: campus::db::CollegeId, path: &str) -> String {
    let segment = path
        .split("/{id}")
        .next()
        .and_then(|head| head.rsplit('/').next())
        .unwrap_or_default();
    let table = match segment {
        "users" | "staff" => "users",
        "students" => "students",
        "sections" => "sections",
        "courses" => "courses",
        "applications" => "applications",
        "intakes" => "intakes",
        "achievements" => "achievements",
        "tickets" => "tickets",
        "leave" => "leave_requests",
        "assignments" => "assignments",
        "notices" => "notices",
        "terms" => "terms",
        "rooms" => "rooms",
        "assessments" => "assessments",
        "sessions" => "class_sessions",
        "files" => "files",
        "roles" => "custom_roles",
        _ => return uuid::Uuid::new_v4().to_string(),
    };
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let found: Option<uuid::Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} LIMIT 1"
    )))
    .fetch_optional(&mut *tx)
    .await
    .ok()
    .flatten();
    tx.rollback().await.ok();
    found.map_or_else(|| uuid::Uuid::new_v4().to_string(), |id| id.to_string())
}

/// `path` in the demo college: `{id}`, `{code}`, `{token}` and `{reference}` are `id`,
/// `{slug}` is `riverside` and `{gateway}` is `test`; other parameters stay as they are.
fn concrete_in_riverside(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{slug}", "riverside")
        .replace("{gateway}", "test")
        .replace("{code}", id)
        .replace("{token}", id)
        .replace("{reference}", id)
}

/// `path` with every parameter, whatever it names, replaced by `value`.
fn every_parameter(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Like [`crate::util::api::call`], but with any body (content type and raw bytes) and
/// the answer as text, since the walk sends and receives what is not JSON.
async fn call_raw(
    app: &TestApp,
    method: &Method,
    uri: &str,
    token: &str,
    body: Option<(&str, Vec<u8>)>,
) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some((content_type, bytes)) => {
            request = request.header(header::CONTENT_TYPE, content_type);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let response = app.send(request.body(body).expect("request")).await;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

struct Walk<'a> {
    app: &'a TestApp,
    browser: Browser<'a>,
    csrf: String,
    token: String,
    failures: Vec<String>,
}

impl Walk<'_> {
    /// Signs the browser in again if a route ended its session.
    async fn keep_signed_in(&mut self) {
        let page = self.browser.get("/account/sessions").await;
        if page.status == StatusCode::OK {
            self.csrf = page.csrf();
            return;
        }
        self.browser.sign_in("riverside", ADMIN, PASSWORD).await;
        self.csrf = self.browser.get("/account/sessions").await.csrf();
    }

    /// Sends `body` (a form, for pages; JSON, for the API) to the route at `uri`.
    async fn send(
        &mut self,
        spec: &RouteSpec,
        uri: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, String) {
        if uri.starts_with("/api/") || spec.method != Method::GET && spec.method != Method::POST {
            return call_raw(self.app, &spec.method, uri, &self.token, body).await;
        }
        if spec.method == Method::GET {
            let page = self.browser.get(uri).await;
            return (page.status, page.html);
        }
        let (content_type, bytes) =
            body.unwrap_or(("application/x-www-form-urlencoded", Vec::new()));
        let page = self.browser.post_raw(uri, content_type, bytes).await;
        (page.status, page.html)
    }

    fn expect(
        &mut self,
        what: &str,
        spec: &RouteSpec,
        status: StatusCode,
        body: &str,
        allowed: &[StatusCode],
    ) {
        if status.is_server_error() || !allowed.is_empty() && !allowed.contains(&status) {
            self.failures.push(format!(
                "{} {} with {what}: {status} {}",
                spec.method,
                spec.path,
                body.chars().take(200).collect::<String>()
            ));
        }
    }

    fn form(&self, pairs: &str) -> Option<(&'static str, Vec<u8>)> {
        let mut body = format!("_csrf={}", self.csrf).into_bytes();
        body.extend_from_slice(b"&");
        body.extend_from_slice(pairs.as_bytes());
        Some(("application/x-www-form-urlencoded", body))
    }

    fn body(&self, spec: &RouteSpec, form: &str, json: &str) -> Option<(&'static str, Vec<u8>)> {
        if spec.path.starts_with("/api/") {
            Some(("application/json", json.as_bytes().to_vec()))
        } else {
            self.form(form)
        }
    }
}

#[tokio::test]
async fn no_route_answers_hostile_input_with_a_server_error() {
    let (app, college) = crate::util::fixtures::demo_college().await;
    let mut walk = Walk {
        app: &app,
        browser: Browser::new(&app),
        csrf: String::new(),
        token: token_with_code(
            &app,
            "riverside",
            ADMIN,
            PASSWORD,
            campus::demo::TOTP_SECRET,
        )
        .await,
        failures: Vec::new(),
    };
    walk.keep_signed_in().await;
    let specs: Vec<RouteSpec> = campus::router::routes()
        .specs()
        .into_iter()
        .filter(|s| !SKIPPED.contains(&s.path))
        .collect();
    let refused = [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY];
    let mut walked = 0;
    for spec in &specs {
        let id = id_for(&app, college, spec.path).await;
        let path = concrete_in_riverside(spec.path, &id);
        let has_body = spec.method != Method::GET;

        // Text that cannot be text, in the address, the query and the body.
        if spec.path.contains('{') {
            let broken = every_parameter(spec.path, "a%00b");
            let (status, body) = walk.send(spec, &broken, None).await;
            walk.expect(
                "NUL in the address",
                spec,
                status,
                &body,
                &[StatusCode::BAD_REQUEST],
            );
            let broken = every_parameter(spec.path, "%C3%28");
            let (status, body) = walk.send(spec, &broken, None).await;
            walk.expect(
                "bad UTF-8 in the address",
                spec,
                status,
                &body,
                &[StatusCode::BAD_REQUEST],
            );
        }
        let (status, body) = walk.send(spec, &format!("{path}?q=a%00b"), None).await;
        walk.expect(
            "NUL in the query",
            spec,
            status,
            &body,
            &[StatusCode::UNPROCESSABLE_ENTITY],
        );
        if status == StatusCode::UNPROCESSABLE_ENTITY
            && !body.contains("\"q\"")
            && !body.contains(">q<")
            && !body.contains("q:")
            && !body.contains("q ")
        {
            walk.failures.push(format!(
                "{} {}: the NUL's field is not named: {body}",
                spec.method, spec.path
            ));
        }
        let (status, body) = walk.send(spec, &format!("{path}?q=%FF%FE"), None).await;
        walk.expect(
            "bad UTF-8 in the query",
            spec,
            status,
            &body,
            &[StatusCode::UNPROCESSABLE_ENTITY],
        );
        if has_body {
            let hostile = walk.body(
                spec,
                "name=a%00b&email=x%00%40y.z",
                r#"{"name":"a\u0000b","email":"x\u0000@y.z","items":[{"title":"\u0000"}]}"#,
            );
            let (status, body) = walk.send(spec, &path, hostile).await;
            walk.expect("NUL in the body", spec, status, &body, &refused);
            if spec.path.starts_with("/api/") {
                let (status, body) = walk
                    .send(
                        spec,
                        &path,
                        Some(("application/json", b"{\"name\":\"\xff\xfe\"}".to_vec())),
                    )
                    .await;
                walk.expect("bad UTF-8 in the body", spec, status, &body, &refused);
            } else {
                let broken = walk.form("name=%FF%FE");
                let (status, body) = walk.send(spec, &path, broken).await;
                walk.expect("bad UTF-8 in the body", spec, status, &body, &refused);
            }
        }

        // Input that is text, but wrong: any answer but a server error.
        let (status, body) = walk
            .send(
                spec,
                &format!(
                    "{path}?page=-1&per_page=99999999999&year=&q=&sort=%27%22%3Cx%3E&after=zz"
                ),
                None,
            )
            .await;
        walk.expect("odd query values", spec, status, &body, &[]);
        let (status, body) = walk
            .send(spec, &concrete_in_riverside(spec.path, "not-an-id"), None)
            .await;
        walk.expect("a malformed id", spec, status, &body, &[]);
        if has_body {
            let odd = walk.body(
                spec,
                "name=&email=nobody&date=31/02/2026&amount=-1&seats=1e99&status=zzz&id=x",
                r#"{"name":7,"email":[],"date":"2026-02-31","amount":-1,"seats":1e99,"status":"zzz","id":"x","items":{}}"#,
            );
            let (status, body) = walk.send(spec, &path, odd).await;
            walk.expect("wrong types", spec, status, &body, &[]);
            let empty = walk.body(spec, "", "{}");
            let (status, body) = walk.send(spec, &path, empty).await;
            walk.expect("an empty body", spec, status, &body, &[]);
            if spec.access != Access::Public && !spec.path.starts_with("/api/") {
                walk.keep_signed_in().await;
            }
        }
        walked += 1;
    }
    assert!(walked > 300, "only {walked} routes");
    assert!(
        walk.failures.is_empty(),
        "{} failures:\n{}",
        walk.failures.len(),
        walk.failures.join("\n")
    );
}

/// A filter form submitted from a browser sends its empty boxes; they mean "any".
#[tokio::test]
async fn empty_filter_boxes_mean_any() {
    let (app, _) = crate::util::fixtures::demo_college().await;
    let mut browser = Browser::new(&app);
    browser.sign_in("riverside", ADMIN, PASSWORD).await;
    let page = browser.get("/students?q=&year=&program=&status=").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let token = token_with_code(
        &app,
        "riverside",
        ADMIN,
        PASSWORD,
        campus::demo::TOTP_SECRET,
    )
    .await;
    let (status, body) = call_raw(
        &app,
        &Method::GET,
        "/api/v1/students?q=&year=&program=",
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: Value = serde_json::from_str(&body).expect("json");
    assert!(found.to_string().contains("student"), "{found}");
}

/// A list under a record that does not exist is not an empty list: every GET of the API
/// whose address names a record answers 404 for an unknown one.
#[tokio::test]
async fn lists_under_unknown_records_are_not_found() {
    let (app, _) = crate::util::fixtures::demo_college().await;
    let token = token_with_code(
        &app,
        "riverside",
        ADMIN,
        PASSWORD,
        campus::demo::TOTP_SECRET,
    )
    .await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let mut wrong = Vec::new();
    for spec in campus::router::routes().specs() {
        if spec.method != Method::GET
            || !spec.path.starts_with("/api/v1/")
            || !spec.path.contains("{id}")
        {
            continue;
        }
        // Required query parameters are given (unknown ones are ignored).
        let path = format!(
            "{}?to={unknown}&term={unknown}",
            concrete_in_riverside(spec.path, &unknown)
        );
        let (status, body) = call_raw(&app, &Method::GET, &path, &token, None).await;
        // 403: the admin may not read such records at all (guidance notes, unless the
        // college allows it), which is answered before whether one exists.
        if status != StatusCode::NOT_FOUND && status != StatusCode::FORBIDDEN {
            wrong.push(format!(
                "{path}: {status} {}",
                body.chars().take(120).collect::<String>()
            ));
        }
    }
    assert!(wrong.is_empty(), "not 404:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn a_form_part_whose_name_is_not_text_is_refused_as_input() {
    use crate::util::fixtures;
    use campus::access::permissions::Role;

    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "s@alpha.edu", &[Role::Registrar]).await;
    let token = crate::util::api::token(&app, "alpha", "s@alpha.edu", fixtures::PASSWORD).await;
    // A part named with a control character and bytes that are not UTF-8 (as a fuzzer
    // sends), then a file.
    let body = b"--b0\r\nContent-Disposition: form-data; name=\"g\xf3\xb2\xa7\x07a\"\r\n\r\nx\r\n\
                 --b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-\r\n\
                 --b0--\r\n"
        .to_vec();
    let (status, answer) = call_raw(
        &app,
        &Method::POST,
        "/api/v1/students/import",
        &token,
        Some(("multipart/form-data; boundary=b0", body)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.contains("not readable text"), "{answer}");
}
