//! Coursework's shared types: who a section's member is (coursework is visible to its
//! members only), and the upload form of the API description.

use utoipa::ToSchema;
use uuid::Uuid;

/// Who belongs to a section: its teachers (and staff whose coursework grant reaches the
/// whole college) and its enrolled students.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// May post, grade and see everything of the section.
    Teacher,
    /// An enrolled student, by their student id.
    Student(Uuid),
}

/// The fields of an upload form, for the API description.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// One or more files (at most five); pdf, png, jpg, gif, txt, md, csv and office documents.
    #[schema(format = Binary)]
    file: Vec<String>,
    /// Submissions: the answer's text. Materials: the title, description or link.
    body: Option<String>,
}
