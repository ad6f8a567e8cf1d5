-- The catalog (courses with credits and prerequisites; sections: a course offered in a
-- term, with teachers, room and capacity) and registration (windows per term, optionally
-- per program and year; enrolments with capacity and a waitlist).

CREATE TABLE courses (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    department_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9-]{1,19}$'),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 2 AND 200),
    credits numeric(4,1) NOT NULL CHECK (credits > 0 AND credits <= 40),
    description text CHECK (length(description) <= 4000),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, department_id) REFERENCES departments (college_id, id),
    CONSTRAINT courses_code_unique UNIQUE (college_id, code)
);
SELECT campus_tenant_table('courses');
CREATE INDEX courses_search ON courses USING gin (to_tsvector('simple', code || ' ' || title));

CREATE TABLE course_prerequisites (
    college_id uuid NOT NULL,
    course_id uuid NOT NULL,
    prerequisite_id uuid NOT NULL,
    PRIMARY KEY (college_id, course_id, prerequisite_id),
    FOREIGN KEY (college_id, course_id) REFERENCES courses (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, prerequisite_id) REFERENCES courses (college_id, id) ON DELETE CASCADE,
    CONSTRAINT course_prerequisites_not_self CHECK (course_id <> prerequisite_id)
);
SELECT campus_tenant_table('course_prerequisites');

-- Courses a student has passed (recorded by the registrar today; results will add them).
CREATE TABLE course_completions (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    course_id uuid NOT NULL,
    completed_on date NOT NULL DEFAULT current_date,
    PRIMARY KEY (college_id, student_id, course_id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, course_id) REFERENCES courses (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('course_completions');

CREATE TABLE sections (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL,
    term_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,9}$'),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 5000),
    room_id uuid,
    -- Kept by the enrolment functions under the section's row lock; never above capacity.
    enrolled integer NOT NULL DEFAULT 0,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, course_id) REFERENCES courses (college_id, id),
    FOREIGN KEY (college_id, term_id) REFERENCES terms (college_id, id),
    FOREIGN KEY (college_id, room_id) REFERENCES rooms (college_id, id),
    CONSTRAINT sections_code_unique UNIQUE (college_id, course_id, term_id, code),
    CONSTRAINT sections_not_over_capacity CHECK (enrolled BETWEEN 0 AND capacity)
);
SELECT campus_tenant_table('sections');
CREATE INDEX sections_term ON sections (college_id, term_id);

CREATE TABLE section_teachers (
    college_id uuid NOT NULL,
    section_id uuid NOT NULL,
    staff_id uuid NOT NULL,
    PRIMARY KEY (college_id, section_id, staff_id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, staff_id) REFERENCES staff (college_id, id)
);
SELECT campus_tenant_table('section_teachers');

CREATE TABLE registration_windows (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    term_id uuid NOT NULL,
    opens_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL,
    -- Narrows the window to a group of students; NULL means everyone.
    program_id uuid,
    year_of_study smallint CHECK (year_of_study BETWEEN 1 AND 10),
    max_credits numeric(4,1) NOT NULL DEFAULT 30 CHECK (max_credits > 0),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, term_id) REFERENCES terms (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, program_id) REFERENCES programs (college_id, id),
    CONSTRAINT registration_windows_dates CHECK (closes_at > opens_at)
);
SELECT campus_tenant_table('registration_windows');

CREATE TABLE enrollments (
    college_id uuid NOT NULL,
    section_id uuid NOT NULL,
    student_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'dropped')),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (college_id, section_id, student_id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('enrollments');
CREATE INDEX enrollments_student ON enrollments (college_id, student_id) WHERE status <> 'dropped';
CREATE INDEX enrollments_waitlist ON enrollments (college_id, section_id, created_at) WHERE status = 'waitlisted';
