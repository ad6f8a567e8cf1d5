-- Dashboards show a college's figures (students by status and program, accounts by
-- status, students registered this term) on every visit. Counting them from the rows
-- read every student of the college each time (30-60 ms at 20,000 students, under the
-- tenant policy); these tables keep the counts, changed in the same transaction as the
-- rows they count by statement-level triggers, so a dashboard reads a handful of rows
-- and the figures are never stale.

CREATE TABLE student_counts (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    program_id uuid NOT NULL,
    status text NOT NULL,
    students bigint NOT NULL,
    PRIMARY KEY (college_id, program_id, status)
);
SELECT campus_tenant_table('student_counts');
COMMENT ON TABLE student_counts IS 'Students of each program and status, kept by triggers on students (dashboards'' figures).';

CREATE TABLE user_counts (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    status text NOT NULL,
    accounts bigint NOT NULL,
    PRIMARY KEY (college_id, status)
);
SELECT campus_tenant_table('user_counts');
COMMENT ON TABLE user_counts IS 'Accounts of each status, kept by triggers on users (dashboards'' figures).';

-- A student is registered in a term while enrolled (not waitlisted) in one of its
-- sections or more: `sections` counts them. Counted at reading (an index of one row per
-- student) rather than kept as one number per term, which every enrolment of the term
-- would have to lock in turn.
CREATE TABLE term_students (
    college_id uuid NOT NULL,
    term_id uuid NOT NULL,
    student_id uuid NOT NULL,
    sections integer NOT NULL,
    PRIMARY KEY (college_id, term_id, student_id),
    FOREIGN KEY (college_id, term_id) REFERENCES terms (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('term_students');
CREATE INDEX term_students_registered ON term_students (college_id, term_id) WHERE sections > 0;
CREATE INDEX term_students_student ON term_students (college_id, student_id);
COMMENT ON TABLE term_students IS 'Enrolled sections of each student in each term (registered while above 0); kept by triggers on enrollments.';

-- Each apply function takes a statement's changed rows as arrays (+1 for a row as it is
-- now, -1 for a row as it was) and adds their sum to the counts (PL/pgSQL, so its plan
-- is kept for the connection). Changes that cancel out (a sign-in stamping an account:
-- -1 and +1 for its status) write nothing; a statement on enrolments that enrols no one
-- (a waitlisting) returns before calling it. No join of the old rows to the new: a plan
-- kept from a one-row statement would make it quadratic on a bulk update. The count columns carry
-- no CHECK: PostgreSQL checks the row an upsert proposes (a negative change) before it
-- finds the row the change applies to.
CREATE FUNCTION student_counts_apply(college_ids uuid[], program_ids uuid[], statuses text[], deltas integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO student_counts AS c (college_id, program_id, status, students)
    SELECT college_id, program_id, status, sum(d)
    FROM unnest(college_ids, program_ids, statuses, deltas) AS x(college_id, program_id, status, d)
    GROUP BY 1, 2, 3 HAVING sum(d) <> 0
    ON CONFLICT (college_id, program_id, status) DO UPDATE SET students = c.students + EXCLUDED.students;
END
$$;

CREATE FUNCTION user_counts_apply(college_ids uuid[], statuses text[], deltas integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_counts AS c (college_id, status, accounts)
    SELECT college_id, status, sum(d)
    FROM unnest(college_ids, statuses, deltas) AS x(college_id, status, d)
    GROUP BY 1, 2 HAVING sum(d) <> 0
    ON CONFLICT (college_id, status) DO UPDATE SET accounts = c.accounts + EXCLUDED.accounts;
END
$$;

CREATE FUNCTION term_students_apply(college_ids uuid[], section_ids uuid[], student_ids uuid[], deltas integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO term_students AS t (college_id, term_id, student_id, sections)
    SELECT x.college_id, s.term_id, x.student_id, sum(x.d)
    FROM unnest(college_ids, section_ids, student_ids, deltas) AS x(college_id, section_id, student_id, d)
    JOIN sections s ON s.college_id = x.college_id AND s.id = x.section_id
    GROUP BY 1, 2, 3 HAVING sum(x.d) <> 0
    ON CONFLICT (college_id, term_id, student_id) DO UPDATE SET sections = t.sections + EXCLUDED.sections;
END
$$;

CREATE FUNCTION term_students_recount(student_ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM term_students WHERE student_id = ANY (student_ids);
    INSERT INTO term_students (college_id, term_id, student_id, sections)
    SELECT e.college_id, s.term_id, e.student_id, count(*)
    FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id
    WHERE e.student_id = ANY (student_ids) AND e.status = 'enrolled'
    GROUP BY 1, 2, 3;
END
$$;

CREATE FUNCTION student_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM student_counts_apply(array_agg(college_id), array_agg(program_id), array_agg(status), array_agg(1))
        FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM student_counts_apply(array_agg(college_id), array_agg(program_id), array_agg(status), array_agg(-1))
        FROM old_rows;
    ELSE
        PERFORM student_counts_apply(array_agg(c), array_agg(p), array_agg(st), array_agg(d))
        FROM (SELECT college_id, program_id, status, 1 FROM new_rows
              UNION ALL SELECT college_id, program_id, status, -1 FROM old_rows) AS x(c, p, st, d);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION user_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM user_counts_apply(array_agg(college_id), array_agg(status), array_agg(1)) FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM user_counts_apply(array_agg(college_id), array_agg(status), array_agg(-1)) FROM old_rows;
    ELSE
        PERFORM user_counts_apply(array_agg(c), array_agg(st), array_agg(d))
        FROM (SELECT college_id, status, 1 FROM new_rows
              UNION ALL SELECT college_id, status, -1 FROM old_rows) AS x(c, st, d);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION term_students_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows WHERE status = 'enrolled') THEN
            RETURN NULL;
        END IF;
        PERFORM term_students_apply(array_agg(college_id), array_agg(section_id), array_agg(student_id), array_agg(1))
        FROM new_rows WHERE status = 'enrolled';
    ELSIF TG_OP = 'DELETE' THEN
        -- Counted again from the enrolments that remain: a deletion may come from a
        -- section or a student deleted with their enrolments, whose term (or student)
        -- is gone by now.
        IF NOT EXISTS (SELECT 1 FROM old_rows WHERE status = 'enrolled') THEN
            RETURN NULL;
        END IF;
        PERFORM term_students_recount(array_agg(DISTINCT student_id)) FROM old_rows WHERE status = 'enrolled';
    ELSE
        IF NOT EXISTS (SELECT 1 FROM new_rows WHERE status = 'enrolled')
           AND NOT EXISTS (SELECT 1 FROM old_rows WHERE status = 'enrolled') THEN
            RETURN NULL;
        END IF;
        PERFORM term_students_apply(array_agg(c), array_agg(sec), array_agg(st), array_agg(d))
        FROM (SELECT college_id, section_id, student_id, 1 FROM new_rows WHERE status = 'enrolled'
              UNION ALL
              SELECT college_id, section_id, student_id, -1 FROM old_rows WHERE status = 'enrolled') AS x(c, sec, st, d);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER student_counts_insert AFTER INSERT ON students
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_counts_sync();
CREATE TRIGGER student_counts_update AFTER UPDATE ON students
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_counts_sync();
CREATE TRIGGER student_counts_delete AFTER DELETE ON students
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_counts_sync();
CREATE TRIGGER user_counts_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_sync();
CREATE TRIGGER user_counts_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_sync();
CREATE TRIGGER user_counts_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_counts_sync();
CREATE TRIGGER term_students_insert AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION term_students_sync();
CREATE TRIGGER term_students_update AFTER UPDATE ON enrollments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION term_students_sync();
CREATE TRIGGER term_students_delete AFTER DELETE ON enrollments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION term_students_sync();

-- The counts as the rows stand now, college by college (the tenant policy applies to the
-- owner too).
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT id FROM colleges LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        INSERT INTO student_counts (college_id, program_id, status, students)
        SELECT college_id, program_id, status, count(*) FROM students GROUP BY 1, 2, 3;
        INSERT INTO user_counts (college_id, status, accounts)
        SELECT college_id, status, count(*) FROM users GROUP BY 1, 2;
        INSERT INTO term_students (college_id, term_id, student_id, sections)
        SELECT e.college_id, s.term_id, e.student_id, count(*)
        FROM enrollments e JOIN sections s ON s.college_id = e.college_id AND s.id = e.section_id
        WHERE e.status = 'enrolled' GROUP BY 1, 2, 3;
    END LOOP;
    PERFORM set_config('app.college_id', '', true);
END
$$;
