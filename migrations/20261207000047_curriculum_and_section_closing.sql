-- What each year of a program takes: the courses its students follow, so a timetable
-- can be built for a program year and two of its courses are never placed at once
-- without the coordinator being told.
CREATE TABLE program_courses (
    college_id uuid NOT NULL,
    program_id uuid NOT NULL,
    year_of_study smallint NOT NULL CHECK (year_of_study BETWEEN 1 AND 10),
    course_id uuid NOT NULL,
    PRIMARY KEY (college_id, program_id, year_of_study, course_id),
    FOREIGN KEY (college_id, program_id) REFERENCES programs (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, course_id) REFERENCES courses (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('program_courses');
CREATE INDEX program_courses_course ON program_courses (college_id, course_id);

-- A section closed: kept with its students, meetings and marks, open to no new
-- enrolment (a cancelled or merged offering).
ALTER TABLE sections ADD COLUMN closed_at timestamptz;
COMMENT ON COLUMN sections.closed_at IS 'When the section was closed to new enrolment; its students and records stay.';

-- The builder reads a term's meetings by section and a room's by time.
CREATE INDEX IF NOT EXISTS section_meetings_section ON section_meetings (college_id, section_id);
