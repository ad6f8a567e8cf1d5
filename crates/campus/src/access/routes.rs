//! Every route declares who may reach it: anyone, any signed-in user, or holders of a
//! named permission. Routes can only be added through `Routes`, which puts the guard in
//! front of each handler, so a route without a declared access cannot exist (clippy
//! refuses `Router::route` elsewhere, and a test walks the table).

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::access::permissions::{Permission, Scope};
use crate::access::principal::{ActingRole, Principal};
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user; the handler narrows to their own data.
    SignedIn,
    /// Users whose roles give this permission; the handler applies its scope.
    Allowed(Permission),
    /// Users holding this permission for the whole college: for work over many records
    /// at once (imports, printing runs) that no narrower scope can be applied to.
    CollegeWide(Permission),
}

impl Access {
    /// The permission the route needs, if any.
    pub fn permission(self) -> Option<Permission> {
        match self {
            Access::Public | Access::SignedIn => None,
            Access::Allowed(p) | Access::CollegeWide(p) => Some(p),
        }
    }

    /// Whether a grant at `scope` opens the route.
    pub fn admits(self, scope: Scope) -> bool {
        match self {
            Access::CollegeWide(_) => scope >= Scope::College,
            _ => true,
        }
    }
}

/// One declared route.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// The table of routes being built.
#[derive(Default)]
pub struct Routes {
    entries: Vec<(RouteSpec, MethodRouter<AppState>)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, on(MethodFilter::GET, handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, on(MethodFilter::POST, handler))
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, access, on(MethodFilter::PUT, handler))
    }

    pub fn patch<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(
            Method::PATCH,
            path,
            access,
            on(MethodFilter::PATCH, handler),
        )
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(
            Method::DELETE,
            path,
            access,
            on(MethodFilter::DELETE, handler),
        )
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        router: MethodRouter<AppState>,
    ) -> Routes {
        self.entries.push((
            RouteSpec {
                method,
                path,
                access,
            },
            router,
        ));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.entries.extend(other.entries);
        self
    }

    pub fn specs(&self) -> Vec<RouteSpec> {
        self.entries.iter().map(|(spec, _)| spec.clone()).collect()
    }

    /// The axum router, each handler behind its guard.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place routes are added, each with its guard"
    )]
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        let mut router = Router::new();
        for (spec, method_router) in self.entries {
            let guarded = match spec.access {
                Access::Public => method_router,
                access => {
                    method_router.route_layer(from_fn_with_state((state.clone(), access), guard))
                }
            };
            // CSRF protection on the handlers themselves, so that a method the route does
            // not take is answered 405 before any check.
            let guarded = guarded.route_layer(from_fn_with_state(
                state.clone(),
                crate::web::csrf::middleware,
            ));
            router = router.route(spec.path, guarded);
        }
        router
    }
}

/// The pages open to a user who must enrol a second factor before anything else.
const ENROLMENT_PATHS: [&str; 3] = ["/account/mfa", "/account/mfa/confirm", "/logout"];

async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let principal = request.extensions().get::<Principal>().cloned();
    let Some(principal) = principal else {
        return unauthenticated(&request);
    };
    if principal.mfa_enrollment_required && !ENROLMENT_PATHS.contains(&request.uri().path()) {
        if request.uri().path().starts_with("/api/") {
            return AppError::MfaEnrollmentRequired.into_response();
        }
        return Redirect::to("/account/mfa").into_response();
    }
    if let Some(permission) = access.permission() {
        match principal.grant(permission) {
            Some(grant) if access.admits(grant.scope) => {
                request
                    .extensions_mut()
                    .insert(ActingRole(grant.role.clone()));
                request.extensions_mut().insert(grant);
            }
            _ => {
                let (parts, _) = request.into_parts();
                record_denial(&state, &principal, permission, &parts).await;
                return AppError::Forbidden.into_response();
            }
        }
    }
    next.run(request).await
}

/// Pages send the visitor to sign in and come back; the API answers 401.
fn unauthenticated(request: &Request) -> Response {
    let uri = request.uri();
    if uri.path().starts_with("/api/") {
        return AppError::Unauthorized.into_response();
    }
    let back = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let next = form_urlencoded_byte_serialize(back);
    Redirect::to(&format!("/login?next={next}")).into_response()
}

fn form_urlencoded_byte_serialize(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn record_denial(
    state: &AppState,
    principal: &Principal,
    permission: Permission,
    parts: &axum::http::request::Parts,
) {
    let context = AuditContext::from_parts(parts);
    let entry = Entry::new("authz.denied").after(serde_json::json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "permission": permission.name(),
    }));
    let written = async {
        let mut tx = begin_for_college(&state.db, principal.college).await?;
        audit::record(&mut tx, &context, entry).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, "could not record a permission denial");
    }
}
