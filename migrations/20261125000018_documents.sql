-- Issued documents (report cards, transcripts) and the jobs that print them in bulk.
-- Every issued document has a verification code printed on it; the public page for that
-- code shows what the document contained when issued, and nothing more.

CREATE TABLE issued_documents (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    -- 16 characters of Crockford base32 (80 random bits): not guessable.
    code text NOT NULL CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{16}$'),
    kind text NOT NULL CHECK (kind IN ('report_card', 'transcript')),
    student_id uuid NOT NULL,
    term_id uuid,
    -- What the document shows, as issued: the verification page shows this only.
    contents jsonb NOT NULL,
    -- SHA-256 of the PDF as issued.
    pdf_sha256 text NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    issued_by uuid,
    issued_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_reason text CHECK (length(revoked_reason) <= 500),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, term_id) REFERENCES terms (college_id, id),
    FOREIGN KEY (college_id, issued_by) REFERENCES users (college_id, id) ON DELETE SET NULL (issued_by),
    CONSTRAINT issued_documents_code_unique UNIQUE (college_id, code),
    CONSTRAINT issued_documents_term CHECK ((kind = 'report_card') = (term_id IS NOT NULL))
);
SELECT campus_tenant_table('issued_documents');
CREATE INDEX issued_documents_student ON issued_documents (college_id, student_id, issued_at DESC);

-- A registrar's request to print every report card of a program for a term as one file.
-- Runners claim queued jobs with SKIP LOCKED; a job left running by a stopped instance is
-- claimed again after its lease ends.
CREATE TABLE document_jobs (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    program_id uuid NOT NULL,
    term_id uuid NOT NULL,
    requested_by uuid,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total integer NOT NULL DEFAULT 0,
    done integer NOT NULL DEFAULT 0,
    lease_until timestamptz,
    -- Where the finished archive is kept in file storage.
    file_key text,
    file_size bigint,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, program_id) REFERENCES programs (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, term_id) REFERENCES terms (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, requested_by) REFERENCES users (college_id, id) ON DELETE SET NULL (requested_by)
);
SELECT campus_tenant_table('document_jobs');
CREATE INDEX document_jobs_pending ON document_jobs (college_id, created_at) WHERE status IN ('queued', 'running');

CREATE FUNCTION document_jobs_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('document_jobs', NEW.college_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER document_jobs_notify AFTER INSERT ON document_jobs
    FOR EACH ROW EXECUTE FUNCTION document_jobs_notify();
