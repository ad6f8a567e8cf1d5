-- Assessment, first part: assessments of a section (exams, quizzes, assignments,
-- practicals) with a weight and maximum marks, and each enrolled student's marks.
CREATE TABLE assessments (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    kind text NOT NULL CHECK (kind IN ('exam', 'quiz', 'assignment', 'practical')),
    -- Percent of the course grade.
    weight numeric(5,2) NOT NULL CHECK (weight > 0 AND weight <= 100),
    max_marks numeric(7,2) NOT NULL CHECK (max_marks > 0 AND max_marks <= 10000),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    CONSTRAINT assessments_name_unique UNIQUE (college_id, section_id, name)
);
SELECT campus_tenant_table('assessments');

CREATE TABLE marks (
    college_id uuid NOT NULL,
    assessment_id uuid NOT NULL,
    student_id uuid NOT NULL,
    score numeric(7,2) NOT NULL CHECK (score >= 0),
    entered_by uuid,
    entered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, assessment_id, student_id),
    FOREIGN KEY (college_id, assessment_id) REFERENCES assessments (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('marks');
