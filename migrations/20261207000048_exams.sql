-- Exams: a sitting of each assessment examined (an exam or a practical), on a day of
-- one of the calendar's exam periods, in rooms with seats allotted, watched by
-- invigilators; and the seats students are given. A room seat or an invigilator taken
-- twice at once is refused by PostgreSQL itself (exclusion constraints); the
-- application names every clash before it writes.

CREATE TABLE exam_sittings (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    assessment_id uuid NOT NULL,
    -- The assessment's section and its term, repeated for the timetables' joins.
    section_id uuid NOT NULL,
    term_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, assessment_id) REFERENCES assessments (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, section_id, term_id) REFERENCES sections (college_id, id, term_id) ON DELETE CASCADE,
    CONSTRAINT exam_sittings_one_per_assessment UNIQUE (college_id, assessment_id),
    CONSTRAINT exam_sittings_times CHECK (ends_at > starts_at AND ends_at <= starts_at + interval '8 hours')
);
SELECT campus_tenant_table('exam_sittings');
CREATE INDEX exam_sittings_term ON exam_sittings (college_id, term_id, starts_at);
CREATE INDEX exam_sittings_section ON exam_sittings (college_id, section_id);

-- The rooms of a sitting and how many of its students each seats.
CREATE TABLE exam_sitting_rooms (
    college_id uuid NOT NULL,
    sitting_id uuid NOT NULL,
    room_id uuid NOT NULL,
    seats integer NOT NULL CHECK (seats BETWEEN 1 AND 10000),
    -- The sitting's times, repeated so a room's load at a time is one indexed read.
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    PRIMARY KEY (college_id, sitting_id, room_id),
    FOREIGN KEY (college_id, sitting_id) REFERENCES exam_sittings (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, room_id) REFERENCES rooms (college_id, id)
);
SELECT campus_tenant_table('exam_sitting_rooms');
CREATE INDEX exam_sitting_rooms_room ON exam_sitting_rooms USING gist (college_id, room_id, tstzrange(starts_at, ends_at));

CREATE TABLE exam_invigilators (
    college_id uuid NOT NULL,
    sitting_id uuid NOT NULL,
    staff_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    PRIMARY KEY (college_id, sitting_id, staff_id),
    FOREIGN KEY (college_id, sitting_id) REFERENCES exam_sittings (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, staff_id) REFERENCES staff (college_id, id),
    CONSTRAINT exam_invigilators_clash EXCLUDE USING gist (
        college_id WITH =, staff_id WITH =, tstzrange(starts_at, ends_at) WITH &&
    )
);
SELECT campus_tenant_table('exam_invigilators');

-- A student's seat: one per sitting, never a seat of a room someone else holds then,
-- never two sittings at once.
CREATE TABLE exam_seats (
    college_id uuid NOT NULL,
    sitting_id uuid NOT NULL,
    student_id uuid NOT NULL,
    room_id uuid NOT NULL,
    seat integer NOT NULL CHECK (seat >= 1),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    PRIMARY KEY (college_id, sitting_id, student_id),
    FOREIGN KEY (college_id, sitting_id, room_id) REFERENCES exam_sitting_rooms (college_id, sitting_id, room_id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    CONSTRAINT exam_seats_one_holder EXCLUDE USING gist (
        college_id WITH =, room_id WITH =, seat WITH =, tstzrange(starts_at, ends_at) WITH &&
    ),
    CONSTRAINT exam_seats_one_place EXCLUDE USING gist (
        college_id WITH =, student_id WITH =, tstzrange(starts_at, ends_at) WITH &&
    )
);
SELECT campus_tenant_table('exam_seats');

-- Hall tickets are issued documents of a term, like report cards.
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_kind_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_kind_check
    CHECK (kind IN ('report_card', 'transcript', 'portfolio', 'id_card', 'hall_ticket'));
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_term;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_term
    CHECK ((kind IN ('report_card', 'hall_ticket')) = (term_id IS NOT NULL));

-- A printing job prints a program's report cards or its hall tickets.
ALTER TABLE document_jobs ADD COLUMN kind text NOT NULL DEFAULT 'report_cards'
    CONSTRAINT document_jobs_kind CHECK (kind IN ('report_cards', 'hall_tickets'));
