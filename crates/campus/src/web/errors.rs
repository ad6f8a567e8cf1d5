//! Renders every error response, whoever made it: a handler's `AppError`, the router's
//! 404 and 405, the body limit's 413, the timeout, a caught panic. API paths get problem
//! details (RFC 9457) as JSON; pages get a friendly HTML page. Both carry the request id.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{FieldError, Problem};
use crate::web::layout::Chrome;
use crate::web::request_id::RequestId;

/// Problem details (RFC 9457), as every API error is answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// A URI naming the kind of problem; its fragment is stable and can be matched on.
    #[serde(rename = "type")]
    #[schema(example = "/api/docs#problem-validation")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The path of the request that failed.
    pub instance: String,
    /// Quote it when reporting a problem; it is in the server's logs too.
    pub request_id: String,
    /// Per-field errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    problem: &'a Problem,
    request_id: &'a str,
}

pub async fn middleware(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let request_id = request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    if !(response.status().is_client_error() || response.status().is_server_error()) {
        return response;
    }
    let problem = match response.extensions().get::<Problem>() {
        Some(problem) => problem.clone(),
        // A response some layer already gave a real body (a JSON readiness report)
        // stands as it is; plain text and empty bodies are ours to replace.
        None if has_own_body(&response) => return response,
        None => Problem::for_status(response.status()),
    };
    let mut rendered = if wants_json(&path) {
        problem_json(&problem, path, request_id)
    } else {
        let chrome = response.extensions().get::<Chrome>().cloned();
        problem_page(&problem, &request_id, chrome)
    };
    // Keep headers the original answer relied on (Allow on a 405, Retry-After).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = response.headers().get(&name) {
            rendered.headers_mut().insert(name, value.clone());
        }
    }
    rendered
}

fn has_own_body(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| !ct.starts_with("text/plain"))
}

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api"
}

fn problem_json(problem: &Problem, instance: String, request_id: String) -> Response {
    let document = ProblemDocument {
        kind: format!("/api/docs#problem-{}", problem.kind),
        title: problem.title.to_string(),
        status: problem.status.as_u16(),
        detail: problem.detail.clone(),
        instance,
        request_id,
        errors: problem.errors.clone(),
    };
    let body = serde_json::to_vec(&document).unwrap_or_default();
    (
        problem.status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        )],
        body,
    )
        .into_response()
}

/// The error as a page: in the signed-in user's college chrome when there is one.
fn problem_page(problem: &Problem, request_id: &str, chrome: Option<Chrome>) -> Response {
    let chrome = match chrome {
        Some(mut chrome) => {
            chrome.title = problem.title.to_string();
            chrome
        }
        None => Chrome::platform(problem.title, ""),
    };
    let page = ErrorPage {
        chrome,
        status: problem.status.as_u16(),
        problem,
        request_id,
    };
    match page.render() {
        Ok(html) => (problem.status, axum::response::Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the error page itself failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!doctype html><title>Error</title><p>Something went wrong.</p>",
            )
                .into_response()
        }
    }
}
