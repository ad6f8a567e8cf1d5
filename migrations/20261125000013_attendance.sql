-- Attendance: class sessions of a section (added by a teacher or registrar) and one mark
-- per enrolled student per session.

CREATE TABLE class_sessions (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    held_on date NOT NULL,
    start_minute integer NOT NULL,
    end_minute integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    CONSTRAINT class_sessions_times CHECK (start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute),
    CONSTRAINT class_sessions_unique UNIQUE (college_id, section_id, held_on, start_minute)
);
SELECT campus_tenant_table('class_sessions');

CREATE TABLE attendance (
    college_id uuid NOT NULL,
    session_id uuid NOT NULL,
    student_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
    marked_by uuid,
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, session_id, student_id),
    FOREIGN KEY (college_id, session_id) REFERENCES class_sessions (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, marked_by) REFERENCES users (college_id, id)
);
SELECT campus_tenant_table('attendance');
CREATE INDEX attendance_student ON attendance (college_id, student_id);
