-- The college's calendar: which academic year and term are current, the holidays, exam
-- periods and events of the year, and the bell schedule (named periods) timetables use.

-- Exactly one academic year is current once any exists, and the current term is one of
-- the current year's terms (none while that year has none). At most one of each by index;
-- "at least one" is kept by the triggers below, whoever writes the rows (the pages, the
-- API, the OneRoster import, the demo).
ALTER TABLE academic_years ADD COLUMN is_current boolean NOT NULL DEFAULT false;
ALTER TABLE terms ADD COLUMN is_current boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX academic_years_one_current ON academic_years (college_id) WHERE is_current;
CREATE UNIQUE INDEX terms_one_current ON terms (college_id) WHERE is_current;

-- Chooses a current year when none is (the one running today, else the next to start,
-- else the nearest), then a current term of that year the same way.
CREATE FUNCTION calendar_settle_current(college uuid) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    year uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM academic_years WHERE college_id = college AND is_current) THEN
        UPDATE academic_years SET is_current = true
        WHERE college_id = college AND id = (
            SELECT id FROM academic_years WHERE college_id = college
            ORDER BY current_date BETWEEN starts_on AND ends_on DESC, starts_on > current_date DESC,
                     abs(starts_on - current_date), id
            LIMIT 1);
    END IF;
    SELECT id INTO year FROM academic_years WHERE college_id = college AND is_current;
    UPDATE terms SET is_current = false
    WHERE college_id = college AND is_current AND academic_year_id IS DISTINCT FROM year;
    IF year IS NOT NULL AND NOT EXISTS (SELECT 1 FROM terms WHERE college_id = college AND is_current) THEN
        UPDATE terms SET is_current = true
        WHERE college_id = college AND id = (
            SELECT id FROM terms WHERE college_id = college AND academic_year_id = year
            ORDER BY current_date BETWEEN starts_on AND ends_on DESC, starts_on > current_date DESC,
                     abs(starts_on - current_date), id
            LIMIT 1);
    END IF;
END
$$;

CREATE FUNCTION calendar_settle_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    college uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR college IN SELECT DISTINCT college_id FROM old_rows LOOP
            PERFORM calendar_settle_current(college);
        END LOOP;
    ELSE
        FOR college IN SELECT DISTINCT college_id FROM new_rows LOOP
            PERFORM calendar_settle_current(college);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- Not on UPDATE: the settling itself updates the flags, and a year's new dates do not
-- change which one the college chose. A term moved to another year is settled by the
-- code that moves it.
CREATE TRIGGER academic_years_settle_insert AFTER INSERT ON academic_years
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_settle_changed();
CREATE TRIGGER academic_years_settle_delete AFTER DELETE ON academic_years
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_settle_changed();
CREATE TRIGGER terms_settle_insert AFTER INSERT ON terms
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_settle_changed();
CREATE TRIGGER terms_settle_delete AFTER DELETE ON terms
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION calendar_settle_changed();

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT id FROM colleges LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        PERFORM calendar_settle_current(c.id);
    END LOOP;
    PERFORM set_config('app.college_id', '', true);
END
$$;

-- Holidays and exam periods suspend classes: no class session is generated on them and
-- the one-click attendance of the day's meetings is not offered. Events do not.
CREATE TABLE calendar_entries (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('holiday', 'exam_period', 'event')),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 120),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    PRIMARY KEY (college_id, id),
    CONSTRAINT calendar_entries_dates CHECK (ends_on >= starts_on AND ends_on - starts_on <= 366),
    -- Two exam periods at once would leave a sitting's period ambiguous.
    CONSTRAINT calendar_exam_periods_no_overlap EXCLUDE USING gist (
        college_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&
    ) WHERE (kind = 'exam_period')
);
SELECT campus_tenant_table('calendar_entries');
CREATE INDEX calendar_entries_span ON calendar_entries USING gist (college_id, daterange(starts_on, ends_on, '[]'));

-- The bell schedule: the named periods of a teaching day, the rows of the timetable
-- builder's grid. Breaks are shown but take no classes.
CREATE TABLE bell_periods (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 40),
    start_minute integer NOT NULL,
    end_minute integer NOT NULL,
    is_break boolean NOT NULL DEFAULT false,
    PRIMARY KEY (college_id, id),
    CONSTRAINT bell_periods_name_unique UNIQUE (college_id, name),
    CONSTRAINT bell_periods_times CHECK (start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute),
    CONSTRAINT bell_periods_no_overlap EXCLUDE USING gist (
        college_id WITH =, int4range(start_minute, end_minute) WITH &&
    )
);
SELECT campus_tenant_table('bell_periods');
