//! What the sign-in page shows before anyone is known: the directory of colleges and a
//! college's single sign-on button, remembered between requests (`db::remembered`) and
//! forgotten when the database announces a change to either.

use std::sync::Arc;

use crate::app::AppState;
use crate::db::CollegeId;
use crate::db::remembered::{DIRECTORY, Key, SIGN_ON};
use crate::institution::model::CollegeSummary;
use crate::institution::queries as institution;

/// Every active college, by name.
pub async fn directory(state: &AppState) -> Result<Arc<Vec<CollegeSummary>>, sqlx::Error> {
    let key = Key::new(DIRECTORY, None, "");
    if let Some(found) = state.remembered.get::<Vec<CollegeSummary>>(&key) {
        return Ok(found);
    }
    let ticket = state.remembered.ticket();
    let read = Arc::new(institution::directory(&state.db).await?);
    state.remembered.remember(ticket, key, read.clone());
    Ok(read)
}

/// An active college by its address name.
pub async fn college(state: &AppState, slug: &str) -> Result<Option<CollegeSummary>, sqlx::Error> {
    Ok(directory(state)
        .await?
        .iter()
        .find(|c| c.slug == slug)
        .cloned())
}

/// The label of the college's single sign-on button, when it offers one.
pub async fn sign_on(state: &AppState, college: CollegeId) -> Result<Option<String>, sqlx::Error> {
    let key = Key::new(SIGN_ON, Some(college), "");
    if let Some(found) = state.remembered.get::<Option<String>>(&key) {
        return Ok((*found).clone());
    }
    let ticket = state.remembered.ticket();
    let read = crate::identity::sso::queries::offered(&state.db, college).await?;
    state
        .remembered
        .remember(ticket, key, Arc::new(read.clone()));
    Ok(read)
}
