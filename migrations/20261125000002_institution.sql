-- Institution: campuses, buildings and rooms, departments and programs, academic years
-- and terms. Every table is tenant-owned (see 20261125000001_tenancy.sql).

CREATE TABLE campuses (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 200),
    address text CHECK (length(address) <= 500),
    PRIMARY KEY (college_id, id),
    CONSTRAINT campuses_code_unique UNIQUE (college_id, code)
);
SELECT campus_tenant_table('campuses');

CREATE TABLE buildings (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    campus_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 200),
    floors smallint NOT NULL DEFAULT 1 CHECK (floors BETWEEN 1 AND 200),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, campus_id) REFERENCES campuses (college_id, id) ON DELETE CASCADE,
    CONSTRAINT buildings_code_unique UNIQUE (college_id, code)
);
SELECT campus_tenant_table('buildings');

CREATE TABLE rooms (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    building_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('classroom', 'lecture_hall', 'lab', 'seminar', 'office', 'library', 'hall')),
    floor smallint NOT NULL DEFAULT 0 CHECK (floor BETWEEN -5 AND 200),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, building_id) REFERENCES buildings (college_id, id) ON DELETE CASCADE,
    CONSTRAINT rooms_code_unique UNIQUE (college_id, building_id, code)
);
SELECT campus_tenant_table('rooms');

CREATE TABLE departments (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 200),
    -- Where the department is housed; optional, a department may span buildings.
    building_id uuid,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, building_id) REFERENCES buildings (college_id, id),
    CONSTRAINT departments_code_unique UNIQUE (college_id, code)
);
SELECT campus_tenant_table('departments');

CREATE TABLE programs (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    department_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,29}$'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 200),
    level text NOT NULL CHECK (level IN ('diploma', 'undergraduate', 'postgraduate', 'doctoral')),
    duration_years smallint NOT NULL CHECK (duration_years BETWEEN 1 AND 8),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, department_id) REFERENCES departments (college_id, id),
    CONSTRAINT programs_code_unique UNIQUE (college_id, code)
);
SELECT campus_tenant_table('programs');

-- Academic years of one college never overlap (exclusion constraint), nor do its terms.
CREATE TABLE academic_years (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 60),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    PRIMARY KEY (college_id, id),
    CONSTRAINT academic_years_dates CHECK (ends_on > starts_on),
    CONSTRAINT academic_years_name_unique UNIQUE (college_id, name),
    CONSTRAINT academic_years_no_overlap
        EXCLUDE USING gist (college_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
);
SELECT campus_tenant_table('academic_years');

CREATE TABLE terms (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    academic_year_id uuid NOT NULL,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 60),
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, academic_year_id) REFERENCES academic_years (college_id, id) ON DELETE CASCADE,
    CONSTRAINT terms_dates CHECK (ends_on > starts_on),
    CONSTRAINT terms_name_unique UNIQUE (college_id, academic_year_id, name),
    CONSTRAINT terms_no_overlap
        EXCLUDE USING gist (college_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
);
SELECT campus_tenant_table('terms');

-- A term lies inside its academic year. A trigger, because a CHECK cannot see another row.
CREATE FUNCTION terms_within_year() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM academic_years y
        WHERE y.college_id = NEW.college_id AND y.id = NEW.academic_year_id
          AND NEW.starts_on >= y.starts_on AND NEW.ends_on <= y.ends_on
    ) THEN
        RAISE EXCEPTION 'term dates lie outside their academic year'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'terms_within_year';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER terms_within_year BEFORE INSERT OR UPDATE ON terms
    FOR EACH ROW EXECUTE FUNCTION terms_within_year();
