-- Student search that row-level security does not slow down. The tenant tables force
-- RLS, and PostgreSQL evaluates a query's own conditions after the policy's unless their
-- operators are leakproof; full-text `@@` is not, so the GIN index on `students.search`
-- went unused and every search read the college's every student. Text comparisons
-- (`>=`, `<`) are leakproof, so each word of a student's number, names and email is kept
-- here and a prefix search becomes a range scan of this index.

CREATE TABLE student_search_terms (
    college_id uuid NOT NULL,
    student_id uuid NOT NULL,
    term text COLLATE "C" NOT NULL,
    PRIMARY KEY (college_id, term, student_id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('student_search_terms');
CREATE INDEX student_search_terms_student ON student_search_terms (college_id, student_id);

-- The words of a student, as the search splits what people type: lower case, split at
-- anything that is not a letter or a digit.
CREATE FUNCTION student_terms(number text, first text, last text, email text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT DISTINCT w FROM regexp_split_to_table(
        lower(number || ' ' || first || ' ' || last || ' ' || coalesce(email, '')), '[^[:alnum:]]+') AS w
    WHERE w <> ''
$$;

CREATE FUNCTION student_search_terms_sync() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.student_number IS NOT DISTINCT FROM OLD.student_number
           AND NEW.first_name IS NOT DISTINCT FROM OLD.first_name
           AND NEW.last_name IS NOT DISTINCT FROM OLD.last_name
           AND NEW.email IS NOT DISTINCT FROM OLD.email THEN
            RETURN NULL;
        END IF;
        DELETE FROM student_search_terms WHERE college_id = NEW.college_id AND student_id = NEW.id;
    END IF;
    INSERT INTO student_search_terms (college_id, student_id, term)
    SELECT NEW.college_id, NEW.id, t
    FROM student_terms(NEW.student_number, NEW.first_name, NEW.last_name, NEW.email::text) AS t;
    RETURN NULL;
END
$$;
CREATE TRIGGER students_search_terms AFTER INSERT OR UPDATE ON students
    FOR EACH ROW EXECUTE FUNCTION student_search_terms_sync();

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT id FROM colleges LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        INSERT INTO student_search_terms (college_id, student_id, term)
        SELECT s.college_id, s.id, t FROM students s,
            LATERAL student_terms(s.student_number, s.first_name, s.last_name, s.email::text) AS t
        WHERE s.college_id = c.id;
    END LOOP;
    PERFORM set_config('app.college_id', '', true);
END
$$;
