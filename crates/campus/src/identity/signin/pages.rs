//! The sign-in page and sign-out. The college is chosen by its URL name: `/c/{slug}/login`
//! names it, and `/login` offers a choice of colleges (or none when there is only one).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use serde::Deserialize;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::identity::mfa;
use crate::identity::signin::model::{SignInError, Visitor};
use crate::identity::signin::{queries, service, session};
use crate::institution::model::CollegeSummary;
use crate::web::client_ip::ClientIp;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::layout::{Chrome, render};
use crate::web::throttle::Door;

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    college: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "identity/login.html")]
struct LoginPage {
    chrome: Chrome,
    colleges: Vec<CollegeSummary>,
    college: String,
    email: String,
    next: String,
    csrf: String,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    /// The college's single sign-on, when it offers one: (slug, button label).
    sso: Option<(String, String)>,
}

/// Only paths on this site: no `//host` or `/\host` tricks.
pub fn safe_next(next: Option<&str>) -> String {
    // Printable ASCII only: browsers drop tabs and newlines, so `/\t/evil` would become
    // `//evil`, another site.
    let printable = |n: &str| n.bytes().all(|b| (0x21..0x7f).contains(&b));
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && printable(n) =>
        {
            n.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

/// What a sign-in form is drawn with.
#[derive(Default)]
struct SignInForm<'a> {
    /// The college named by the address (`/c/{slug}/login`).
    fixed: Option<CollegeSummary>,
    college: Option<String>,
    email: String,
    next: Option<&'a str>,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

async fn render_login(
    state: &AppState,
    jar: CookieJar,
    form: SignInForm<'_>,
) -> AppResult<Response> {
    let SignInForm {
        fixed,
        college,
        email,
        next,
        error,
        notice,
    } = form;
    let colleges = match &fixed {
        Some(one) => vec![one.clone()],
        None => super::site::directory(state).await?.to_vec(),
    };
    let college = college
        .or_else(|| (colleges.len() == 1).then(|| colleges[0].slug.clone()))
        .unwrap_or_default();
    let sso = match colleges.iter().find(|c| c.slug == college) {
        Some(c) => super::site::sign_on(state, c.id)
            .await?
            .map(|label| (c.slug.clone(), label)),
        None => None,
    };
    let (csrf, jar) = csrf::for_page(state, None, jar);
    let mut chrome = Chrome::platform("Sign in", "/login");
    if let Some(one) = fixed {
        chrome = Chrome::college(
            "Sign in",
            crate::web::layout::Brand {
                slug: one.slug,
                name: one.name,
            },
        );
    }
    let page = LoginPage {
        chrome,
        colleges,
        college,
        email,
        next: safe_next(next),
        csrf,
        error,
        notice,
        sso,
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, jar, render(&page)?).into_response())
}

pub async fn login_page(
    State(state): State<AppState>,
    principal: Option<Principal>,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<LoginQuery>,
) -> AppResult<Response> {
    if principal.is_some() {
        return Ok(Redirect::to(&safe_next(query.next.as_deref())).into_response());
    }
    let form = SignInForm {
        college: query.college.clone(),
        next: query.next.as_deref(),
        notice: (query.done.as_deref() == Some("password"))
            .then_some("Your password is set. Sign in with it."),
        ..SignInForm::default()
    };
    render_login(&state, jar, form).await
}

/// The sign-in form of one tenant named by the address (a college, or the platform).
pub async fn render_fixed_login(
    state: &AppState,
    jar: CookieJar,
    tenant: CollegeSummary,
) -> AppResult<Response> {
    let slug = tenant.slug.clone();
    let form = SignInForm {
        fixed: Some(tenant),
        college: Some(slug),
        ..SignInForm::default()
    };
    render_login(state, jar, form).await
}

pub async fn college_login_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Response> {
    let college = super::site::college(&state, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = SignInForm {
        fixed: Some(college),
        college: Some(slug),
        ..SignInForm::default()
    };
    render_login(&state, jar, form).await
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    college: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

const REFUSED: &str = "That email and password do not match an account of this college, or \
                       there were too many attempts. Check them, or wait a few minutes and \
                       try again.";

pub async fn login(
    State(state): State<AppState>,
    context: AuditContext,
    client: ClientIp,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    state.throttle.check(Door::SignIn, client.0)?;
    let outcome = service::check_password(
        &state.db,
        &context,
        &form.college,
        &form.email,
        &form.password,
    )
    .await;
    let mut signed_in = match outcome {
        Ok(signed_in) => signed_in,
        Err(SignInError::Refused) => {
            let again = SignInForm {
                college: Some(form.college),
                email: form.email,
                next: form.next.as_deref(),
                error: Some(REFUSED),
                ..SignInForm::default()
            };
            return render_login(&state, jar, again).await;
        }
        Err(SignInError::Internal(e)) => return Err(e),
    };
    if mfa::queries::enabled(&mut signed_in.tx, signed_in.user_id).await? {
        // The password was right; the second factor comes next, on its own page.
        signed_in.tx.commit().await?;
        let next = safe_next(form.next.as_deref());
        let ticket = mfa::ticket::ticket(&state, signed_in.college, signed_in.user_id);
        let to = format!(
            "/login/mfa?next={}",
            serde_urlencoded::to_string([("", next.as_str())])
                .unwrap_or_default()
                .trim_start_matches('=')
        );
        return Ok((jar.add(ticket), Redirect::to(&to)).into_response());
    }
    let cookie = session::start(
        &mut signed_in.tx,
        &state,
        &context,
        signed_in.college,
        signed_in.user_id,
        &Visitor::of(&client, &headers),
        Some(serde_json::json!({ "method": "password" })),
    )
    .await?;
    signed_in.tx.commit().await?;
    let jar = csrf::COOKIE.remove(&state.config, jar.add(cookie));
    Ok((jar, Redirect::to(&safe_next(form.next.as_deref()))).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
) -> AppResult<Response> {
    if let Some(session_id) = principal.session_id {
        let mut tx = begin_for_college(&state.db, principal.college).await?;
        queries::revoke(&mut tx, principal.user_id, session_id).await?;
        audit::record(
            &mut tx,
            &context,
            Entry::new("auth.logout").object("session", session_id),
        )
        .await?;
        tx.commit().await?;
        // Other servers hear of it from the database; this one forgets at once.
        state.principals.forget_user(principal.user_id);
    }
    let tls = state.config.served_over_tls();
    let jar = jar.remove(Cookie::build(session::cookie_name(tls)).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/account/sessions")), "/account/sessions");
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("/ok path")), "/dashboard");
    }
}
