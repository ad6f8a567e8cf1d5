-- Setting a college up from its pages and API (issue 15): records are retired rather
-- than deleted once something uses them (kept for history, offered no more), rooms say
-- what they are equipped with, departments have a head and programs an intake.

ALTER TABLE campuses ADD COLUMN retired_at timestamptz;
ALTER TABLE buildings ADD COLUMN retired_at timestamptz;
ALTER TABLE rooms ADD COLUMN retired_at timestamptz;
ALTER TABLE departments ADD COLUMN retired_at timestamptz;
ALTER TABLE programs ADD COLUMN retired_at timestamptz;
COMMENT ON COLUMN campuses.retired_at IS 'When the campus was retired: kept for the records that used it, offered no more.';
COMMENT ON COLUMN buildings.retired_at IS 'When the building was retired: kept for history, offered no more.';
COMMENT ON COLUMN rooms.retired_at IS 'When the room was retired: kept for the timetables that used it, offered no more.';
COMMENT ON COLUMN departments.retired_at IS 'When the department was retired: kept for its staff and courses, offered no more.';
COMMENT ON COLUMN programs.retired_at IS 'When the program was retired: kept for its students, offered no more.';

ALTER TABLE rooms ADD COLUMN features text[] NOT NULL DEFAULT '{}'
    CONSTRAINT rooms_features_known CHECK (features <@ ARRAY['projector', 'smart_board', 'computers',
        'lab_benches', 'wheelchair_access', 'air_conditioning', 'audio', 'video_conferencing']::text[]);
COMMENT ON COLUMN rooms.features IS 'What the room offers (projector, wheelchair access, ...), for finding a room that suits a class.';

ALTER TABLE departments ADD COLUMN head_staff_id uuid,
    ADD CONSTRAINT departments_head_fk FOREIGN KEY (college_id, head_staff_id)
        REFERENCES staff (college_id, id) ON DELETE SET NULL (head_staff_id);
COMMENT ON COLUMN departments.head_staff_id IS 'The head of the department, a staff member.';

ALTER TABLE programs ADD COLUMN intake_capacity integer
    CONSTRAINT programs_intake_range CHECK (intake_capacity BETWEEN 1 AND 100000);
COMMENT ON COLUMN programs.intake_capacity IS 'Students the program admits a year; none when not set.';
