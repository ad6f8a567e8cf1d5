-- The timetable: when and where sections meet. A room, or a teacher, booked twice at
-- once in a term is refused by PostgreSQL itself (exclusion constraints); the
-- application turns the refusal into a message naming the clash.

ALTER TABLE sections ADD CONSTRAINT sections_term_key UNIQUE (college_id, id, term_id);

CREATE TABLE section_meetings (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    section_id uuid NOT NULL,
    -- The section's term, repeated so the constraints below can compare terms.
    term_id uuid NOT NULL,
    -- 1 = Monday ... 7 = Sunday (ISO).
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    -- Minutes after midnight.
    start_minute integer NOT NULL,
    end_minute integer NOT NULL,
    room_id uuid,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, section_id, term_id) REFERENCES sections (college_id, id, term_id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, room_id) REFERENCES rooms (college_id, id),
    CONSTRAINT section_meetings_times CHECK (start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute),
    CONSTRAINT section_meetings_room_clash EXCLUDE USING gist (
        college_id WITH =, term_id WITH =, room_id WITH =, weekday WITH =,
        int4range(start_minute, end_minute) WITH &&
    ) WHERE (room_id IS NOT NULL)
);
SELECT campus_tenant_table('section_meetings');

-- One row per teacher per meeting, so a teacher's double booking is refused too.
CREATE TABLE teacher_bookings (
    college_id uuid NOT NULL,
    meeting_id uuid NOT NULL,
    staff_id uuid NOT NULL,
    term_id uuid NOT NULL,
    weekday smallint NOT NULL,
    start_minute integer NOT NULL,
    end_minute integer NOT NULL,
    PRIMARY KEY (college_id, meeting_id, staff_id),
    FOREIGN KEY (college_id, meeting_id) REFERENCES section_meetings (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, staff_id) REFERENCES staff (college_id, id),
    CONSTRAINT teacher_bookings_clash EXCLUDE USING gist (
        college_id WITH =, term_id WITH =, staff_id WITH =, weekday WITH =,
        int4range(start_minute, end_minute) WITH &&
    )
);
SELECT campus_tenant_table('teacher_bookings');
