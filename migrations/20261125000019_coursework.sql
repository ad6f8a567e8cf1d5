-- Coursework: files (kept in file storage, described here), assignments with their
-- submissions, course materials and online meetings of a section.

-- A stored file. The bytes live in file storage under `storage_key`; every download goes
-- through a handler that authorizes it by what the file is attached to.
CREATE TABLE stored_files (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    storage_key text NOT NULL,
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by uuid,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, uploaded_by) REFERENCES users (college_id, id) ON DELETE SET NULL (uploaded_by),
    CONSTRAINT stored_files_key_unique UNIQUE (college_id, storage_key)
);
SELECT campus_tenant_table('stored_files');

-- A task set to a section. Its marks go to an assessment of kind `assignment` made with it.
CREATE TABLE assignments (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    assessment_id uuid NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    instructions text NOT NULL DEFAULT '' CHECK (length(instructions) <= 20000),
    due_at timestamptz NOT NULL,
    -- Whether work may still be handed in after the deadline (it is flagged late).
    accept_late boolean NOT NULL DEFAULT true,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, assessment_id) REFERENCES assessments (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, created_by) REFERENCES users (college_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT assignments_assessment_unique UNIQUE (college_id, assessment_id)
);
SELECT campus_tenant_table('assignments');
CREATE INDEX assignments_section ON assignments (college_id, section_id, due_at);

CREATE TABLE assignment_files (
    college_id uuid NOT NULL,
    assignment_id uuid NOT NULL,
    file_id uuid NOT NULL,
    PRIMARY KEY (college_id, assignment_id, file_id),
    FOREIGN KEY (college_id, assignment_id) REFERENCES assignments (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('assignment_files');

CREATE TABLE submissions (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    assignment_id uuid NOT NULL,
    student_id uuid NOT NULL,
    body text NOT NULL DEFAULT '' CHECK (length(body) <= 50000),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    -- Handed in after the deadline (set when submitted).
    late boolean NOT NULL,
    score numeric(7,2) CHECK (score >= 0),
    feedback text CHECK (length(feedback) <= 10000),
    graded_by uuid,
    graded_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, assignment_id) REFERENCES assignments (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, graded_by) REFERENCES users (college_id, id) ON DELETE SET NULL (graded_by),
    CONSTRAINT submissions_one_per_student UNIQUE (college_id, assignment_id, student_id)
);
SELECT campus_tenant_table('submissions');

CREATE TABLE submission_files (
    college_id uuid NOT NULL,
    submission_id uuid NOT NULL,
    file_id uuid NOT NULL,
    PRIMARY KEY (college_id, submission_id, file_id),
    FOREIGN KEY (college_id, submission_id) REFERENCES submissions (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('submission_files');

-- Course materials: a file or a link, seen by the section's students and teachers only.
CREATE TABLE materials (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    file_id uuid,
    link text CHECK (link ~ '^https?://' AND length(link) <= 2000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, created_by) REFERENCES users (college_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT materials_file_or_link CHECK ((file_id IS NULL) <> (link IS NULL))
);
SELECT campus_tenant_table('materials');
CREATE INDEX materials_section ON materials (college_id, section_id, created_at DESC);

-- Online (or extra) meetings a teacher schedules for a section: on its students'
-- dashboards and timetables.
CREATE TABLE online_meetings (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    link text CHECK (link ~ '^https://' AND length(link) <= 2000),
    agenda text NOT NULL DEFAULT '' CHECK (length(agenda) <= 5000),
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, created_by) REFERENCES users (college_id, id) ON DELETE SET NULL (created_by),
    CONSTRAINT online_meetings_times CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '12 hours')
);
SELECT campus_tenant_table('online_meetings');
CREATE INDEX online_meetings_section ON online_meetings (college_id, section_id, starts_at);
