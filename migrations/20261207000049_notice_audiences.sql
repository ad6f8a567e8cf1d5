-- Notices to chosen groups: roles, programs, years of study, departments, sections and
-- named people (with their parents if asked), pinned, edited, with files, and read.
--
-- A notice lists the audience keys it is for; a reader belongs to keys (the view
-- `audience_members` below, one definition for both directions): a reader sees a notice
-- when the two meet, and a notice's audience is everyone whose keys meet its list.
--   everyone | students | parents | staff | applicants      by role, as before
--   role:<name>                                               holders of a role
--   person:<user>                                             one person
--   program:<id> | year:<n> | program:<id>:year:<n>           students by program and year
--   department:<id>                                           its staff, and its programs' students
--   section:<id>                                              its enrolled students and teachers
--   parents:<a student key>                                   the parents of those students

ALTER TABLE notices DROP CONSTRAINT IF EXISTS notices_audience_check;
ALTER TABLE notices ADD CONSTRAINT notices_audience_check
    CHECK (audience IN ('everyone', 'students', 'parents', 'staff', 'applicants', 'selected'));

ALTER TABLE notices
    ADD COLUMN audience_keys text[] NOT NULL DEFAULT '{}',
    -- The chosen groups as entered, so the edit form shows them again.
    ADD COLUMN audience_to jsonb,
    -- The chosen groups in words, as named when the notice was written.
    ADD COLUMN audience_words text NOT NULL DEFAULT '' CHECK (length(audience_words) <= 2000),
    ADD COLUMN pinned boolean NOT NULL DEFAULT false,
    ADD COLUMN edited_at timestamptz;
UPDATE notices SET audience_keys = ARRAY[audience];
ALTER TABLE notices ADD CONSTRAINT notices_keys CHECK (cardinality(audience_keys) BETWEEN 1 AND 1000);
ALTER TABLE notices ADD CONSTRAINT notices_selected_named
    CHECK (audience <> 'selected' OR audience_to IS NOT NULL);

CREATE TABLE notice_files (
    college_id uuid NOT NULL,
    notice_id uuid NOT NULL,
    file_id uuid NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, notice_id, file_id),
    FOREIGN KEY (college_id, notice_id) REFERENCES notices (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id)
);
SELECT campus_tenant_table('notice_files');
CREATE INDEX notice_files_file ON notice_files (college_id, file_id);

-- Who has seen a notice, and when first.
CREATE TABLE notice_reads (
    college_id uuid NOT NULL,
    notice_id uuid NOT NULL,
    user_id uuid NOT NULL,
    read_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, notice_id, user_id),
    FOREIGN KEY (college_id, notice_id) REFERENCES notices (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('notice_reads');

-- A student's keys (for the student, and prefixed for their parents). Current students
-- only: a graduate is not in "year 3" any more.
CREATE VIEW student_audience_keys WITH (security_invoker = true) AS
    SELECT st.college_id, st.id AS student_id, k.key
    FROM students st
    JOIN programs p ON p.college_id = st.college_id AND p.id = st.program_id
    CROSS JOIN LATERAL unnest(
        ARRAY['program:' || st.program_id,
              'year:' || st.year_of_study,
              'program:' || st.program_id || ':year:' || st.year_of_study]
        || CASE WHEN p.department_id IS NULL THEN '{}'::text[]
                ELSE ARRAY['department:' || p.department_id] END
    ) AS k(key)
    WHERE st.status IN ('enrolled', 'on_leave')
    UNION ALL
    SELECT e.college_id, e.student_id, 'section:' || e.section_id
    FROM enrollments e
    WHERE e.status = 'enrolled';

-- Every audience key each user belongs to.
CREATE VIEW audience_members WITH (security_invoker = true) AS
    SELECT r.college_id, r.user_id, k.key
    FROM role_assignments r
    CROSS JOIN LATERAL unnest(
        CASE r.role
            WHEN 'student' THEN ARRAY['everyone', 'students']
            WHEN 'parent' THEN ARRAY['everyone', 'parents']
            WHEN 'applicant' THEN ARRAY['applicants']
            ELSE ARRAY['everyone', 'staff']
        END || ARRAY['role:' || r.role]
    ) AS k(key)
    UNION ALL
    SELECT u.college_id, u.id, 'person:' || u.id FROM users u
    UNION ALL
    SELECT st.college_id, st.user_id, k.key
    FROM students st
    JOIN student_audience_keys k ON k.college_id = st.college_id AND k.student_id = st.id
    WHERE st.user_id IS NOT NULL
    UNION ALL
    SELECT g.college_id, g.user_id, 'parents:' || k.key
    FROM guardians g
    JOIN student_guardians l ON l.college_id = g.college_id AND l.guardian_id = g.id
    JOIN student_audience_keys k ON k.college_id = l.college_id AND k.student_id = l.student_id
    WHERE g.user_id IS NOT NULL
    UNION ALL
    SELECT sf.college_id, sf.user_id, 'department:' || sf.department_id
    FROM staff sf
    WHERE sf.user_id IS NOT NULL AND sf.department_id IS NOT NULL AND sf.status <> 'left'
    UNION ALL
    SELECT sf.college_id, sf.user_id, 'section:' || x.section_id
    FROM section_teachers x
    JOIN staff sf ON sf.college_id = x.college_id AND sf.id = x.staff_id
    WHERE sf.user_id IS NOT NULL;
GRANT SELECT ON student_audience_keys, audience_members TO campus_app;

CREATE INDEX IF NOT EXISTS section_teachers_staff ON section_teachers (college_id, staff_id);

-- Events for a department or a section (besides the whole college's).
ALTER TABLE calendar_entries
    ADD COLUMN department_id uuid,
    ADD COLUMN section_id uuid,
    ADD CONSTRAINT calendar_entries_department_fk FOREIGN KEY (college_id, department_id)
        REFERENCES departments (college_id, id),
    ADD CONSTRAINT calendar_entries_section_fk FOREIGN KEY (college_id, section_id)
        REFERENCES sections (college_id, id) ON DELETE CASCADE,
    -- Holidays and exam periods are the whole college's; an event may be narrower, to one
    -- department or one section, not both.
    ADD CONSTRAINT calendar_entries_scope CHECK (
        (department_id IS NULL AND section_id IS NULL)
        OR (kind = 'event' AND (department_id IS NULL OR section_id IS NULL)));
CREATE INDEX calendar_entries_dates ON calendar_entries (college_id, starts_on);
