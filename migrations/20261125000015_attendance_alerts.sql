-- Attendance alerts: when a student's attendance in a course falls below the college's
-- threshold, the student and their guardians get a mail, at most once a week per course.
ALTER TABLE colleges ADD COLUMN attendance_threshold smallint NOT NULL DEFAULT 75
    CHECK (attendance_threshold BETWEEN 1 AND 100);
GRANT UPDATE (attendance_threshold) ON colleges TO campus_app;

CREATE TABLE attendance_alerts (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    section_id uuid NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    percent numeric(5,1) NOT NULL,
    PRIMARY KEY (college_id, student_id, section_id, sent_at),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('attendance_alerts');
