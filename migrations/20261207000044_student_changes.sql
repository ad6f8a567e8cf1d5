-- What was changed in a student's record, field by field, by whom and when: the change
-- history their profile shows (the audit trail keeps the same with the request's
-- context; this is the record's own, read with it).
CREATE TABLE student_changes (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    student_id uuid NOT NULL,
    field text NOT NULL CHECK (length(field) BETWEEN 1 AND 40),
    before text CHECK (length(before) <= 600),
    after text CHECK (length(after) <= 600),
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, changed_by) REFERENCES users (college_id, id) ON DELETE SET NULL (changed_by)
);
SELECT campus_tenant_table('student_changes');
CREATE INDEX student_changes_student ON student_changes (college_id, student_id, changed_at DESC);
