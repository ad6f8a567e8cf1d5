-- Admissions: a program's intake (seats, fee, dates), applications by applicants who
-- made their own accounts, their documents, fee payments through a gateway, and the
-- status history applicants follow. Accepted applicants become students; the documents
-- they sent stay on their student record.

CREATE TABLE intakes (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    program_id uuid NOT NULL,
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 3 AND 100),
    seats integer NOT NULL CHECK (seats BETWEEN 1 AND 100000),
    application_fee numeric(12, 2) NOT NULL DEFAULT 0 CHECK (application_fee >= 0),
    currency text NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
    opens_on date NOT NULL,
    closes_on date NOT NULL,
    -- The day admitted students join (their admission date).
    admits_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, program_id) REFERENCES programs (college_id, id),
    CONSTRAINT intakes_dates CHECK (closes_on >= opens_on),
    CONSTRAINT intakes_name_unique UNIQUE (college_id, program_id, name)
);
SELECT campus_tenant_table('intakes');

CREATE TABLE applications (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    intake_id uuid NOT NULL,
    -- The applicant's own account.
    user_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'submitted', 'under_review', 'accepted', 'waitlisted', 'rejected', 'withdrawn')),
    first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    date_of_birth date CHECK (date_of_birth > DATE '1900-01-01'),
    phone text CHECK (length(phone) <= 40),
    address text CHECK (length(address) <= 500),
    previous_school text CHECK (length(previous_school) <= 200),
    -- The qualifying examination's percentage: the merit list ranks by it.
    qualifying_percent numeric(5, 2) CHECK (qualifying_percent BETWEEN 0 AND 100),
    statement text NOT NULL DEFAULT '' CHECK (length(statement) <= 4000),
    decision_reason text CHECK (length(decision_reason) <= 1000),
    submitted_at timestamptz,
    -- The student record made on acceptance.
    student_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, intake_id) REFERENCES intakes (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE SET NULL (student_id),
    CONSTRAINT applications_one_per_intake UNIQUE (college_id, intake_id, user_id),
    CONSTRAINT applications_submitted CHECK (status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL),
    CONSTRAINT applications_reasoned CHECK (status NOT IN ('rejected') OR length(btrim(coalesce(decision_reason, ''))) >= 3)
);
SELECT campus_tenant_table('applications');
CREATE INDEX applications_intake ON applications (college_id, intake_id, status);
CREATE INDEX applications_user ON applications (college_id, user_id);

CREATE TABLE application_files (
    college_id uuid NOT NULL,
    application_id uuid NOT NULL,
    file_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('transcript', 'identity', 'photo', 'other')),
    PRIMARY KEY (college_id, application_id, file_id),
    FOREIGN KEY (college_id, application_id) REFERENCES applications (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('application_files');
CREATE INDEX application_files_file ON application_files (college_id, file_id);

CREATE TABLE application_events (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    application_id uuid NOT NULL,
    status text NOT NULL,
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    by_user uuid,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, application_id) REFERENCES applications (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, by_user) REFERENCES users (college_id, id) ON DELETE SET NULL (by_user)
);
SELECT campus_tenant_table('application_events');
CREATE INDEX application_events_application ON application_events (college_id, application_id, at);

-- A payment through a gateway. `reference` is Campus's, sent to the gateway and
-- returned in its signed callback; a payment settles once.
CREATE TABLE payments (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    application_id uuid NOT NULL,
    amount numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    gateway text NOT NULL CHECK (gateway ~ '^[a-z][a-z0-9_]{1,30}$'),
    reference text NOT NULL CHECK (reference ~ '^[0-9A-HJKMNP-TV-Z]{16}$'),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    gateway_reference text CHECK (length(gateway_reference) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, application_id) REFERENCES applications (college_id, id) ON DELETE CASCADE,
    CONSTRAINT payments_reference_unique UNIQUE (college_id, reference),
    CONSTRAINT payments_settled CHECK ((status = 'pending') = (settled_at IS NULL))
);
SELECT campus_tenant_table('payments');
CREATE INDEX payments_application ON payments (college_id, application_id);
-- At most one paid fee per application.
CREATE UNIQUE INDEX payments_one_paid ON payments (college_id, application_id) WHERE status = 'paid';

-- Documents on a student's record (those sent with the application, and any the
-- registrar adds).
CREATE TABLE student_documents (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    file_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('transcript', 'identity', 'photo', 'other')),
    added_by uuid,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, student_id, file_id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, added_by) REFERENCES users (college_id, id) ON DELETE SET NULL (added_by)
);
SELECT campus_tenant_table('student_documents');
CREATE INDEX student_documents_file ON student_documents (college_id, file_id);
