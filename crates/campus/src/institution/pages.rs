//! Public pages: the directory of colleges and each college's landing page.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::institution::model::{CollegeProfile, CollegeSummary};
use crate::institution::queries;
use crate::web::extract::ApiPath;
use crate::web::layout::{Brand, Chrome, render};

#[derive(Template)]
#[template(path = "institution/directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    colleges: Vec<CollegeSummary>,
}

/// The front page: the colleges on this Campus. With exactly one, it goes straight there.
pub async fn directory(State(state): State<AppState>) -> AppResult<Response> {
    let colleges = queries::directory(&state.db).await?;
    if let [only] = colleges.as_slice() {
        return Ok(Redirect::to(&format!("/c/{}", only.slug)).into_response());
    }
    let page = DirectoryPage {
        chrome: Chrome::platform("Colleges", "/"),
        colleges,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "institution/landing.html")]
struct LandingPage {
    chrome: Chrome,
    college: CollegeProfile,
}

pub async fn landing(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Response> {
    // The platform tenant is not a college: its "home" (the link on the platform's
    // sign-in page) is the installation's front page.
    if slug == queries::PLATFORM_SLUG {
        return Ok(Redirect::to("/").into_response());
    }
    let summary = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, summary.id).await?;
    let college = queries::profile(&mut tx, summary).await?;
    tx.commit().await?;
    let brand = Brand {
        slug: college.summary.slug.clone(),
        name: college.summary.name.clone(),
    };
    let page = LandingPage {
        chrome: Chrome::college("Home", brand),
        college,
    };
    Ok(render(&page)?.into_response())
}
