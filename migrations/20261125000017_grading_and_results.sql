-- Grading and results: a college's grading scale, each section's results workflow
-- (draft -> submitted -> published) and the graded results it produces. Publishing locks
-- a section's marks and results in the database itself: a later change must name a
-- reason in the transaction (`campus.results_amendment`), which the amendment service
-- sets and audits.

-- A college's grading scale, one band per letter. A college without bands uses the
-- built-in ten-point scale.
CREATE TABLE grade_bands (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    letter text NOT NULL CHECK (letter ~ '^[A-Za-z0-9+-]{1,4}$'),
    min_percent numeric(5,2) NOT NULL CHECK (min_percent BETWEEN 0 AND 100),
    grade_points numeric(4,2) NOT NULL CHECK (grade_points BETWEEN 0 AND 10),
    passing boolean NOT NULL,
    PRIMARY KEY (college_id, letter),
    CONSTRAINT grade_bands_min_unique UNIQUE (college_id, min_percent)
);
SELECT campus_tenant_table('grade_bands');

ALTER TABLE sections
    ADD COLUMN results_status text NOT NULL DEFAULT 'draft'
        CONSTRAINT sections_results_status CHECK (results_status IN ('draft', 'submitted', 'published')),
    ADD COLUMN results_changed_at timestamptz;

-- One graded result per student of a section, computed when the teacher submits and kept
-- as it was graded: a later change of the scale or the catalog does not rewrite history,
-- so a transcript printed after a year-end rollover shows each term as it was.
CREATE TABLE results (
    college_id uuid NOT NULL,
    section_id uuid NOT NULL,
    student_id uuid NOT NULL,
    percent numeric(5,2) NOT NULL CHECK (percent BETWEEN 0 AND 100),
    letter text NOT NULL,
    grade_points numeric(4,2) NOT NULL CHECK (grade_points BETWEEN 0 AND 10),
    -- The course's credits when graded.
    credits numeric(4,1) NOT NULL CHECK (credits > 0),
    passed boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, section_id, student_id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('results');
CREATE INDEX results_student ON results (college_id, student_id);

-- Marks and results of a published section change only inside an amendment.
CREATE FUNCTION results_lock() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    section uuid;
    status text;
BEGIN
    IF TG_TABLE_NAME = 'marks' THEN
        SELECT a.section_id INTO section FROM assessments a
        WHERE a.college_id = COALESCE(NEW.college_id, OLD.college_id)
          AND a.id = COALESCE(NEW.assessment_id, OLD.assessment_id);
    ELSE
        section := COALESCE(NEW.section_id, OLD.section_id);
    END IF;
    SELECT s.results_status INTO status FROM sections s
    WHERE s.college_id = COALESCE(NEW.college_id, OLD.college_id) AND s.id = section;
    IF status = 'published' AND COALESCE(current_setting('campus.results_amendment', true), '') = '' THEN
        RAISE EXCEPTION 'the results of this section are published: a change needs an amendment with a reason'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'results_published_locked';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$;

CREATE TRIGGER marks_locked_when_published
    BEFORE INSERT OR UPDATE OR DELETE ON marks
    FOR EACH ROW EXECUTE FUNCTION results_lock();
CREATE TRIGGER results_locked_when_published
    BEFORE INSERT OR UPDATE OR DELETE ON results
    FOR EACH ROW EXECUTE FUNCTION results_lock();
