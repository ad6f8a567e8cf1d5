-- Staff records kept by the college: how each is employed. A staff member who has left
-- keeps their record (status `left`): it is what their teaching, advising and headships
-- of the past refer to.
ALTER TABLE staff ADD COLUMN employment_type text NOT NULL DEFAULT 'full_time'
    CHECK (employment_type IN ('full_time', 'part_time', 'visiting', 'contract'));
ALTER TABLE staff ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
