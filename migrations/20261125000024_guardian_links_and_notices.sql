-- Guardians ask to be linked to a child; the college confirms. A row of
-- `student_guardians` is a confirmed link (who confirmed it and when is kept); a request
-- waits in `guardian_link_requests` until the college decides, so nothing unconfirmed
-- ever widens what a parent can see.

ALTER TABLE student_guardians
    ADD COLUMN confirmed_by uuid,
    ADD COLUMN confirmed_at timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT student_guardians_confirmed_by_fkey
        FOREIGN KEY (college_id, confirmed_by) REFERENCES users (college_id, id) ON DELETE SET NULL (confirmed_by);

CREATE TABLE guardian_link_requests (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    -- The parent account asking.
    user_id uuid NOT NULL,
    -- Set when the number and date of birth given matched a student.
    student_id uuid,
    student_number text NOT NULL CHECK (length(student_number) <= 40),
    relationship text NOT NULL
        CHECK (relationship IN ('mother', 'father', 'guardian', 'grandparent', 'sibling', 'aunt', 'uncle', 'other')),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    -- `unmatched` requests are kept to count attempts (guessing dates of birth is slow).
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'confirmed', 'rejected', 'unmatched')),
    decided_by uuid,
    decided_at timestamptz,
    reason text CHECK (length(reason) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, decided_by) REFERENCES users (college_id, id) ON DELETE SET NULL (decided_by),
    CONSTRAINT guardian_link_requests_matched CHECK ((status = 'unmatched') = (student_id IS NULL))
);
SELECT campus_tenant_table('guardian_link_requests');
CREATE INDEX guardian_link_requests_user ON guardian_link_requests (college_id, user_id, created_at DESC);
CREATE INDEX guardian_link_requests_pending ON guardian_link_requests (college_id, created_at) WHERE status = 'pending';
-- One open request per parent and child.
CREATE UNIQUE INDEX guardian_link_requests_one_open ON guardian_link_requests (college_id, user_id, student_id)
    WHERE status = 'pending';

-- Notices: what the college tells students, parents or staff, for a while.
CREATE TABLE notices (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 3 AND 200),
    body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
    audience text NOT NULL CHECK (audience IN ('everyone', 'students', 'parents', 'staff')),
    -- Shown from this moment (a notice may be scheduled) until the end of `expires_on`.
    publish_at timestamptz NOT NULL DEFAULT now(),
    expires_on date,
    posted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, posted_by) REFERENCES users (college_id, id) ON DELETE SET NULL (posted_by),
    CONSTRAINT notices_expiry CHECK (expires_on IS NULL OR expires_on >= publish_at::date)
);
SELECT campus_tenant_table('notices');
CREATE INDEX notices_current ON notices (college_id, publish_at DESC) WHERE withdrawn_at IS NULL;
