-- Year end: a student's advisor, closing a term, the rollover to the next term (run once
-- per term: running it again answers what the first run did), and the requirements a
-- student carries forward (courses failed and not yet passed).

ALTER TABLE students ADD COLUMN advisor_staff_id uuid;
ALTER TABLE students ADD CONSTRAINT students_advisor_fk
    FOREIGN KEY (college_id, advisor_staff_id) REFERENCES staff (college_id, id) ON DELETE SET NULL (advisor_staff_id);
CREATE INDEX students_advisor ON students (college_id, advisor_staff_id) WHERE advisor_staff_id IS NOT NULL;

ALTER TABLE terms ADD COLUMN closed_at timestamptz;

CREATE TABLE rollovers (
    college_id uuid NOT NULL,
    from_term_id uuid NOT NULL,
    to_term_id uuid NOT NULL,
    run_by uuid,
    run_at timestamptz NOT NULL DEFAULT now(),
    -- What the run did, as shown to the registrar (and answered again on a re-run).
    summary jsonb NOT NULL,
    PRIMARY KEY (college_id, from_term_id),
    FOREIGN KEY (college_id, from_term_id) REFERENCES terms (college_id, id),
    FOREIGN KEY (college_id, to_term_id) REFERENCES terms (college_id, id),
    FOREIGN KEY (college_id, run_by) REFERENCES users (college_id, id) ON DELETE SET NULL (run_by),
    CONSTRAINT rollovers_distinct_terms CHECK (from_term_id <> to_term_id)
);
SELECT campus_tenant_table('rollovers');

-- A course a student failed and has not passed since, carried from the term it was failed
-- in; cleared when a later result passes it.
CREATE TABLE carried_requirements (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    course_id uuid NOT NULL,
    from_term_id uuid NOT NULL,
    carried_at timestamptz NOT NULL DEFAULT now(),
    cleared_at timestamptz,
    PRIMARY KEY (college_id, student_id, course_id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, course_id) REFERENCES courses (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, from_term_id) REFERENCES terms (college_id, id)
);
SELECT campus_tenant_table('carried_requirements');
