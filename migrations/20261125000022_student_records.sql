-- Student records: full-text search over names, numbers and addresses, and the history
-- of a student's status (active, on leave, suspended, graduated, withdrawn) with dates
-- and reasons.

ALTER TABLE students ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', student_number || ' ' || first_name || ' ' || last_name || ' ' || coalesce(email::text, ''))
) STORED;
CREATE INDEX students_search ON students USING gin (search);

CREATE TABLE student_status_history (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    student_id uuid NOT NULL,
    from_status text NOT NULL,
    to_status text NOT NULL
        CHECK (to_status IN ('enrolled', 'on_leave', 'suspended', 'graduated', 'withdrawn')),
    -- The day the new status takes effect (may be in the past, as registrars record late).
    effective_on date NOT NULL,
    reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 5 AND 500),
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, changed_by) REFERENCES users (college_id, id) ON DELETE SET NULL (changed_by),
    CONSTRAINT student_status_history_changes CHECK (from_status <> to_status)
);
SELECT campus_tenant_table('student_status_history');
CREATE INDEX student_status_history_student ON student_status_history (college_id, student_id, changed_at DESC);
