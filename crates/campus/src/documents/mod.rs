//! Documents: report cards and transcripts (PDF, each with a verification code and QR
//! code to a public page), identity cards, mark sheets (CSV, XLSX), issued documents
//! revoked or superseded, and printing a program's report cards as one job.

pub mod id_cards;
pub mod issue;
pub mod jobs;
pub mod lifecycle;
pub mod sheet;
pub mod verify;

use crate::access::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(verify::routes())
        .merge(id_cards::routes())
        .merge(lifecycle::routes())
        .merge(issue::routes())
        .merge(jobs::routes())
}
