-- Enrollment progress through the college's own steps; counselors' guidance notes
-- (encrypted by the application, so the database never holds their text in clear);
-- leave requests with their approval chain; support and maintenance tickets.

CREATE TABLE enrollment_steps (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 50),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 2 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- A step dropped from the list stays for the history that names it.
    active boolean NOT NULL DEFAULT true,
    PRIMARY KEY (college_id, id),
    CONSTRAINT enrollment_steps_name_unique UNIQUE (college_id, name)
);
SELECT campus_tenant_table('enrollment_steps');

-- Each move of a student's enrollment to a step, with the registrar's remark.
CREATE TABLE enrollment_progress (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    student_id uuid NOT NULL,
    step_id uuid NOT NULL,
    remark text NOT NULL DEFAULT '' CHECK (length(remark) <= 1000),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, step_id) REFERENCES enrollment_steps (college_id, id),
    FOREIGN KEY (college_id, recorded_by) REFERENCES users (college_id, id) ON DELETE SET NULL (recorded_by)
);
SELECT campus_tenant_table('enrollment_progress');
CREATE INDEX enrollment_progress_student ON enrollment_progress (college_id, student_id, recorded_at DESC);

-- New colleges start with the usual steps; they change them on the progress page.
CREATE FUNCTION enrollment_default_steps() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO enrollment_steps (college_id, position, name, description) VALUES
        (NEW.id, 1, 'Application accepted', 'Admission offered and accepted'),
        (NEW.id, 2, 'Documents verified', 'Certificates, identity and photographs checked'),
        (NEW.id, 3, 'Fees cleared', 'First instalment received'),
        (NEW.id, 4, 'Courses registered', 'Enrolled in the term''s courses'),
        (NEW.id, 5, 'Enrollment complete', 'ID card issued and accounts active');
    RETURN NULL;
END
$$;
CREATE TRIGGER colleges_enrollment_steps AFTER INSERT ON colleges
    FOR EACH ROW WHEN (NEW.kind IS DISTINCT FROM 'platform') EXECUTE FUNCTION enrollment_default_steps();

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT id FROM colleges WHERE kind IS DISTINCT FROM 'platform' LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        INSERT INTO enrollment_steps (college_id, position, name, description) VALUES
            (c.id, 1, 'Application accepted', 'Admission offered and accepted'),
            (c.id, 2, 'Documents verified', 'Certificates, identity and photographs checked'),
            (c.id, 3, 'Fees cleared', 'First instalment received'),
            (c.id, 4, 'Courses registered', 'Enrolled in the term''s courses'),
            (c.id, 5, 'Enrollment complete', 'ID card issued and accounts active')
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('app.college_id', '', true);
END
$$;

-- Guidance notes: the text is AES-256-GCM ciphertext bound to the note's id.
CREATE TABLE guidance_notes (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    student_id uuid NOT NULL,
    body_enc text NOT NULL CHECK (body_enc LIKE 'v1:%'),
    author_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, author_id) REFERENCES users (college_id, id) ON DELETE SET NULL (author_id)
);
SELECT campus_tenant_table('guidance_notes');
CREATE INDEX guidance_notes_student ON guidance_notes (college_id, student_id, created_at DESC);

-- Whether college admins may read guidance notes too (counselors always may).
ALTER TABLE colleges ADD COLUMN guidance_admin_access boolean NOT NULL DEFAULT false;
GRANT UPDATE (guidance_admin_access) ON colleges TO campus_app;

-- Leave: a student's or a staff member's days away, approved stage by stage.
CREATE TABLE leave_requests (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    -- Set for a student's leave (their advisor approves first).
    student_id uuid,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 5 AND 2000),
    -- The approvers in order, e.g. {advisor,registrar}; `stage` indexes the next one (1-based).
    chain text[] NOT NULL CHECK (cardinality(chain) BETWEEN 1 AND 5),
    stage smallint NOT NULL DEFAULT 1,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    CONSTRAINT leave_requests_dates CHECK (ends_on >= starts_on AND ends_on - starts_on <= 365),
    CONSTRAINT leave_requests_stage CHECK (stage BETWEEN 1 AND cardinality(chain) + 1)
);
SELECT campus_tenant_table('leave_requests');
CREATE INDEX leave_requests_user ON leave_requests (college_id, user_id, created_at DESC);
CREATE INDEX leave_requests_pending ON leave_requests (college_id, created_at) WHERE status = 'pending';

CREATE TABLE leave_decisions (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    request_id uuid NOT NULL,
    stage smallint NOT NULL,
    approver text NOT NULL,
    decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    comment text NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    decided_by uuid,
    decided_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, request_id) REFERENCES leave_requests (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, decided_by) REFERENCES users (college_id, id) ON DELETE SET NULL (decided_by),
    CONSTRAINT leave_decisions_once UNIQUE (college_id, request_id, stage)
);
SELECT campus_tenant_table('leave_decisions');

-- Support and maintenance tickets, their comments and status changes.
CREATE TABLE tickets (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    number integer NOT NULL,
    requester_id uuid NOT NULL,
    category text NOT NULL CHECK (category IN ('it', 'maintenance', 'hostel', 'academic', 'finance', 'library', 'other')),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 3 AND 200),
    body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
    location text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    assignee_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, requester_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, assignee_id) REFERENCES users (college_id, id) ON DELETE SET NULL (assignee_id),
    CONSTRAINT tickets_number_unique UNIQUE (college_id, number)
);
SELECT campus_tenant_table('tickets');
CREATE INDEX tickets_requester ON tickets (college_id, requester_id, created_at DESC);
CREATE INDEX tickets_open ON tickets (college_id, status, created_at) WHERE status IN ('open', 'in_progress');

CREATE TABLE ticket_comments (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id uuid NOT NULL,
    author_id uuid,
    body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    -- A status or assignee change, written by Campus (shown differently).
    is_event boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, ticket_id) REFERENCES tickets (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, author_id) REFERENCES users (college_id, id) ON DELETE SET NULL (author_id)
);
SELECT campus_tenant_table('ticket_comments');
CREATE INDEX ticket_comments_ticket ON ticket_comments (college_id, ticket_id, created_at);
