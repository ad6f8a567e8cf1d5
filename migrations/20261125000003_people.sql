-- People: user accounts and their roles, and the student, staff and guardian records.
-- A person's record exists without an account (an applicant, a guardian never invited);
-- an account links to at most one record of each kind.

CREATE TABLE users (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    email citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    display_name text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'active', 'deactivated')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    CONSTRAINT users_email_unique UNIQUE (college_id, email)
);
SELECT campus_tenant_table('users');

-- Built-in role names are listed in code (the identity module); custom roles come later,
-- so the check here is on shape only.
CREATE TABLE role_assignments (
    college_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{1,62}$'),
    -- Narrows a role to one department where the role is department-scoped.
    department_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, department_id) REFERENCES departments (college_id, id) ON DELETE CASCADE,
    CONSTRAINT role_assignments_unique UNIQUE NULLS NOT DISTINCT (college_id, user_id, role, department_id)
);
SELECT campus_tenant_table('role_assignments');

CREATE TABLE students (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid,
    student_number text NOT NULL CHECK (student_number ~ '^[A-Z0-9][A-Z0-9-]{2,29}$'),
    first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    date_of_birth date CHECK (date_of_birth > DATE '1900-01-01'),
    email citext CHECK (length(email) <= 254),
    phone text CHECK (length(phone) <= 40),
    address text CHECK (length(address) <= 500),
    program_id uuid NOT NULL,
    admitted_on date NOT NULL,
    year_of_study smallint NOT NULL DEFAULT 1 CHECK (year_of_study BETWEEN 1 AND 10),
    status text NOT NULL DEFAULT 'enrolled'
        CHECK (status IN ('enrolled', 'on_leave', 'suspended', 'graduated', 'withdrawn')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE SET NULL (user_id),
    FOREIGN KEY (college_id, program_id) REFERENCES programs (college_id, id),
    CONSTRAINT students_number_unique UNIQUE (college_id, student_number),
    CONSTRAINT students_user_unique UNIQUE (college_id, user_id)
);
SELECT campus_tenant_table('students');
CREATE INDEX students_program ON students (college_id, program_id);
CREATE INDEX students_name ON students (college_id, lower(last_name), lower(first_name));

CREATE TABLE staff (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid,
    staff_number text NOT NULL CHECK (staff_number ~ '^[A-Z0-9][A-Z0-9-]{2,29}$'),
    first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    title text CHECK (length(title) <= 100),
    department_id uuid,
    email citext CHECK (length(email) <= 254),
    phone text CHECK (length(phone) <= 40),
    joined_on date,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'left')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE SET NULL (user_id),
    FOREIGN KEY (college_id, department_id) REFERENCES departments (college_id, id),
    CONSTRAINT staff_number_unique UNIQUE (college_id, staff_number),
    CONSTRAINT staff_user_unique UNIQUE (college_id, user_id)
);
SELECT campus_tenant_table('staff');
CREATE INDEX staff_department ON staff (college_id, department_id);

CREATE TABLE guardians (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid,
    first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    email citext CHECK (length(email) <= 254),
    phone text CHECK (length(phone) <= 40),
    address text CHECK (length(address) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE SET NULL (user_id),
    CONSTRAINT guardians_user_unique UNIQUE (college_id, user_id)
);
SELECT campus_tenant_table('guardians');

CREATE TABLE student_guardians (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    guardian_id uuid NOT NULL,
    relationship text NOT NULL
        CHECK (relationship IN ('mother', 'father', 'guardian', 'grandparent', 'sibling', 'aunt', 'uncle', 'other')),
    is_primary boolean NOT NULL DEFAULT false,
    PRIMARY KEY (college_id, student_id, guardian_id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, guardian_id) REFERENCES guardians (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('student_guardians');
CREATE INDEX student_guardians_guardian ON student_guardians (college_id, guardian_id);
-- At most one primary guardian per student.
CREATE UNIQUE INDEX student_guardians_one_primary ON student_guardians (college_id, student_id) WHERE is_primary;
