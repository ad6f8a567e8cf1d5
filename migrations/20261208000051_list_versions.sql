-- What the server keeps between requests, told when it goes stale.
--
-- 1. The sign-in page's college directory and each college's single sign-on label are
--    remembered by every server; a change to the colleges or to a college's sign-on
--    provider is announced on the `campus_auth` channel the principal cache already
--    listens to ('d:' for the directory, 'o:<college>' for a provider).
-- 2. The students list keeps each college's order of students (by name, number,
--    program, year or status) so that any page of it costs the page's own rows. The
--    order is checked against a version the database bumps in the same transaction as
--    any change to what orders or filters the list, read in the page's own statement:
--    a stale order is never served, however late a notification would arrive.

CREATE FUNCTION campus_site_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'colleges' THEN
        PERFORM pg_notify('campus_auth', 'd:');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('campus_auth', 'o:' || OLD.college_id);
    ELSE
        PERFORM pg_notify('campus_auth', 'o:' || NEW.college_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER campus_site_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON colleges
    FOR EACH STATEMENT EXECUTE FUNCTION campus_site_changed();
CREATE TRIGGER campus_site_changed AFTER INSERT OR UPDATE OR DELETE ON oidc_providers
    FOR EACH ROW EXECUTE FUNCTION campus_site_changed();

CREATE TABLE student_list_versions (
    college_id uuid PRIMARY KEY REFERENCES colleges (id) ON DELETE CASCADE,
    version bigint NOT NULL DEFAULT 1
);
COMMENT ON TABLE student_list_versions IS
    'Bumped with every change to what orders or filters the students list (a student''s '
    'name, number, program, year or status; a program''s code or name), so a server''s '
    'remembered order of the college''s students is known stale in the statement that '
    'reads a page.';
SELECT campus_tenant_table('student_list_versions');

CREATE FUNCTION student_list_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO student_list_versions AS v (college_id)
    SELECT DISTINCT college_id FROM changed
    ON CONFLICT (college_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER student_list_inserted AFTER INSERT ON students
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump();
-- An update names its columns (a new address or photo leaves the order as it was), and a
-- trigger with a column list has no transition table: the college is the transaction's,
-- the only one whose students it can update under the policy (every college for a role
-- that bypasses it).
CREATE FUNCTION student_list_bump_current() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO student_list_versions AS v (college_id)
    SELECT id FROM colleges WHERE id = coalesce(app_current_college(), id)
    ON CONFLICT (college_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER student_list_updated
    AFTER UPDATE OF last_name, first_name, student_number, program_id, year_of_study, status ON students
    FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump_current();
CREATE TRIGGER student_list_deleted AFTER DELETE ON students
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump();
CREATE TRIGGER student_list_inserted AFTER INSERT ON programs
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump();
CREATE TRIGGER student_list_updated AFTER UPDATE ON programs
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump();
CREATE TRIGGER student_list_deleted AFTER DELETE ON programs
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION student_list_bump();

-- The order of the list's default sort under the tenant policy, for the searches and the
-- narrower reaches that still sort in SQL.
CREATE INDEX students_by_name ON students (college_id, last_name, first_name, id);

-- Each student's attendance in each section as running counts, kept by the database in
-- the same transaction as the marks: the low-attendance check that runs on every
-- marking reads the absentees' counts instead of counting their marks in every session
-- held so far, so its cost no longer grows with the term.
CREATE TABLE attendance_tallies (
    college_id uuid NOT NULL,
    section_id uuid NOT NULL,
    student_id uuid NOT NULL,
    marked integer NOT NULL DEFAULT 0,
    attended integer NOT NULL DEFAULT 0,
    PRIMARY KEY (college_id, section_id, student_id),
    FOREIGN KEY (college_id, section_id) REFERENCES sections (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE attendance_tallies IS
    'Marks of a student in a section''s sessions (marked) and how many were present or late '
    '(attended), kept by triggers on attendance and class_sessions.';
COMMENT ON COLUMN attendance_tallies.attended IS 'Marks present or late.';
SELECT campus_tenant_table('attendance_tallies');

-- Applies the marks added (+1) and taken away (-1). Marks whose session or student is
-- going in the same statement (a cascade) are left out: the session's own trigger below
-- counts its section again, and a student's tallies go with the student.
CREATE FUNCTION attendance_tallies_apply(college_ids uuid[], session_ids uuid[], student_ids uuid[],
                                         signs integer[], statuses text[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attendance_tallies AS t (college_id, section_id, student_id, marked, attended)
    SELECT x.college_id, cs.section_id, x.student_id, sum(x.sign),
           coalesce(sum(x.sign) FILTER (WHERE x.status IN ('present', 'late')), 0)
    FROM unnest(college_ids, session_ids, student_ids, signs, statuses)
         AS x(college_id, session_id, student_id, sign, status)
    JOIN class_sessions cs ON cs.college_id = x.college_id AND cs.id = x.session_id
    JOIN students st ON st.college_id = x.college_id AND st.id = x.student_id
    GROUP BY 1, 2, 3
    ON CONFLICT (college_id, section_id, student_id) DO UPDATE
        SET marked = t.marked + EXCLUDED.marked,
            attended = t.attended + EXCLUDED.attended;
END
$$;

CREATE FUNCTION attendance_tallies_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM attendance_tallies_apply(array_agg(college_id), array_agg(session_id),
                                         array_agg(student_id), array_agg(1), array_agg(status))
        FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM attendance_tallies_apply(array_agg(college_id), array_agg(session_id),
                                         array_agg(student_id), array_agg(-1), array_agg(status))
        FROM old_rows;
    ELSE
        PERFORM attendance_tallies_apply(array_agg(c), array_agg(se), array_agg(st), array_agg(d), array_agg(s))
        FROM (SELECT college_id, session_id, student_id, 1, status FROM new_rows
              UNION ALL SELECT college_id, session_id, student_id, -1, status FROM old_rows)
             AS x(c, se, st, d, s);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER attendance_tallies_insert AFTER INSERT ON attendance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_tallies_sync();
CREATE TRIGGER attendance_tallies_update AFTER UPDATE ON attendance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_tallies_sync();
CREATE TRIGGER attendance_tallies_delete AFTER DELETE ON attendance
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_tallies_sync();

-- Counts the sections of sessions taken away again from the marks that remain.
CREATE FUNCTION attendance_tallies_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM attendance_tallies t
    USING (SELECT DISTINCT college_id, section_id FROM gone) g
    WHERE t.college_id = g.college_id AND t.section_id = g.section_id;
    INSERT INTO attendance_tallies (college_id, section_id, student_id, marked, attended)
    SELECT cs.college_id, cs.section_id, a.student_id, count(*),
           count(*) FILTER (WHERE a.status IN ('present', 'late'))
    FROM class_sessions cs
    JOIN attendance a ON a.college_id = cs.college_id AND a.session_id = cs.id
    WHERE (cs.college_id, cs.section_id) IN (SELECT college_id, section_id FROM gone)
    GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;
CREATE TRIGGER attendance_tallies_recount AFTER DELETE ON class_sessions
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION attendance_tallies_recount();

-- The tallies as the marks stand now, college by college (the tenant policy applies to
-- the owner too).
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT id FROM colleges LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        INSERT INTO attendance_tallies (college_id, section_id, student_id, marked, attended)
        SELECT a.college_id, cs.section_id, a.student_id, count(*),
               count(*) FILTER (WHERE a.status IN ('present', 'late'))
        FROM attendance a
        JOIN class_sessions cs ON cs.college_id = a.college_id AND cs.id = a.session_id
        GROUP BY 1, 2, 3;
    END LOOP;
    PERFORM set_config('app.college_id', '', true);
END
$$;
