//! Stored codes as people say them: statuses, kinds and audit actions are kept as codes
//! (`on_leave`, `it`, `auth.login`) and shown in words ("On leave", "IT", "Signed in").
//! A code with no entry here is shown with its underscores and dots made spaces and its
//! first letter capitalised, so a new code reads tolerably before it is added.

use crate::access::permissions::Role;

/// The words for `code`.
pub fn label(code: &str) -> String {
    if let Some(role) = Role::parse(code) {
        return role.label().to_string();
    }
    match known(code) {
        Some(words) => words.to_string(),
        None => spelled_out(code),
    }
}

fn known(code: &str) -> Option<&'static str> {
    Some(match code {
        // People and accounts.
        "enrolled" => "Enrolled",
        "on_leave" => "On leave",
        "suspended" => "Suspended",
        "graduated" => "Graduated",
        "withdrawn" => "Withdrawn",
        "invited" => "Invited",
        "active" => "Active",
        "deactivated" => "Deactivated",
        "left" => "Left",
        // Requests, applications, reviews.
        "pending" => "Pending",
        "unmatched" => "No matching student",
        "confirmed" => "Confirmed",
        "rejected" => "Rejected",
        "submitted" => "Submitted",
        "under_review" => "Under review",
        "accepted" => "Accepted",
        "waitlisted" => "On the waitlist",
        "dropped" => "Dropped",
        "approved" => "Approved",
        "cancelled" => "Cancelled",
        "draft" => "Draft",
        "published" => "Published",
        "returned" => "Returned for changes",
        "paid" => "Paid",
        "failed" => "Failed",
        "queued" => "Queued",
        "running" => "Running",
        "done" => "Done",
        "revoked" => "Revoked",
        // Tickets.
        "open" => "Open",
        "in_progress" => "In progress",
        "resolved" => "Resolved",
        "closed" => "Closed",
        "it" => "IT",
        "maintenance" => "Maintenance",
        "hostel" => "Hostel",
        "library" => "Library",
        "finance" => "Finance",
        "academic" => "Academic",
        "other" => "Other",
        // Attendance.
        "present" => "Present",
        "absent" => "Absent",
        "late" => "Late",
        "excused" => "Excused",
        // Rooms, assessments, documents.
        "lecture_hall" => "Lecture hall",
        "classroom" => "Classroom",
        "lab" => "Laboratory",
        "seminar" => "Seminar room",
        "hall" => "Hall",
        "office" => "Office",
        "exam" => "Exam",
        "quiz" => "Quiz",
        "assignment" => "Assignment",
        "practical" => "Practical",
        "report_card" => "Report card",
        "transcript" => "Transcript",
        "id_card" => "Identity card",
        "portfolio" => "Portfolio",
        // Application documents (admissions).
        "identity" => "Identity document",
        // Programs and audiences.
        "undergraduate" => "Undergraduate",
        "postgraduate" => "Postgraduate",
        "diploma" => "Diploma",
        "doctoral" => "Doctoral",
        "everyone" => "Everyone",
        "students" => "Students",
        "parents" => "Parents",
        "staff" => "Staff",
        "applicants" => "Applicants",
        // The audit trail's most common actions.
        "auth.login" => "Signed in",
        "auth.logout" => "Signed out",
        "auth.login_failed" => "Sign-in refused",
        "auth.locked" => "Account locked",
        "auth.mfa_enabled" => "Second factor turned on",
        "auth.mfa_disabled" => "Second factor turned off",
        "auth.password_changed" => "Password changed",
        "auth.password_reset" => "Password reset",
        "user.created" => "Account created",
        "user.invited" => "Invitation sent",
        "user.updated" => "Account changed",
        "user.deactivated" => "Account deactivated",
        "student.status_changed" => "Student status changed",
        "attendance.marked" => "Attendance taken",
        "marks.entered" => "Marks entered",
        "results.submitted" => "Results submitted",
        "results.published" => "Results published",
        "results.amended" => "Result amended",
        "authz.denied" => "Access refused",
        "user.invite_accepted" => "Invitation accepted",
        "user.roles_changed" => "Roles changed",
        "user.mfa_reset" => "Second factor removed",
        "college.settings_changed" => "College settings changed",
        "platform.college_created" => "College created",
        "oneroster.imported" => "OneRoster archive imported",
        "oneroster.exported" => "OneRoster archive exported",
        "privacy.exported" => "Student data exported",
        "privacy.erased" => "Student data erased",
        // Coursework, admissions, achievements, requests, notices, guidance, enrollment
        // and identity: their audit actions.
        "assignment.created" => "Assignment set",
        "assignment.files_added" => "Assignment files added",
        "assignment.submitted" => "Work handed in",
        "assignment.graded" => "Work graded",
        "material.added" => "Course material added",
        "meeting.scheduled" => "Online meeting scheduled",
        "admissions.applicant_signed_up" => "Applicant signed up",
        "admissions.application_started" => "Application started",
        "admissions.application_saved" => "Application details saved",
        "admissions.documents_attached" => "Application documents attached",
        "admissions.application_submitted" => "Application submitted",
        "admissions.application_withdrawn" => "Application withdrawn",
        "admissions.application_decided" => "Application decided",
        "admissions.application_accepted" => "Applicant admitted",
        "admissions.intake_created" => "Intake opened",
        "admissions.seats_allocated" => "Seats allocated by merit",
        "payment.started" => "Fee payment started",
        "payment.recorded" => "Fee payment recorded",
        "achievement.recorded" => "Achievement recorded",
        "achievement.rules_changed" => "Activity points changed",
        "achievement.organizer_set" => "Organizer's categories set",
        "leave.requested" => "Leave requested",
        "leave.cancelled" => "Leave request withdrawn",
        "leave.approved" => "Leave approved",
        "leave.rejected" => "Leave rejected",
        "ticket.opened" => "Ticket raised",
        "ticket.commented" => "Ticket commented on",
        "ticket.updated" => "Ticket updated",
        "notice.posted" => "Notice posted",
        "notice.withdrawn" => "Notice withdrawn",
        "guidance.note_added" => "Guidance note added",
        "guidance.notes_read" => "Guidance notes read",
        "enrollment.progressed" => "Enrollment step recorded",
        "enrollment.steps_changed" => "Enrollment steps changed",
        "auth.mfa_enrolled" => "Second factor turned on",
        "auth.mfa_removed" => "Second factor turned off",
        "auth.recovery_codes_replaced" => "Recovery codes replaced",
        "auth.session_revoked" => "Session signed out",
        "auth.reset_requested" => "Password reset asked for",
        "college.sso_configured" => "Single sign-on set up",
        _ => return None,
    })
}

/// `verify_email` → "Verify email"; `user.role_granted` → "User role granted".
fn spelled_out(code: &str) -> String {
    let words = code.replace(['_', '.'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(label("on_leave"), "On leave");
        assert_eq!(label("it"), "IT");
        assert_eq!(label("auth.login"), "Signed in");
        assert_eq!(label("college_admin"), "College admin");
        assert_eq!(label("verify_email"), "Verify email");
        assert_eq!(label("guardian.link_confirmed"), "Guardian link confirmed");
        assert_eq!(label(""), "");
    }
}
