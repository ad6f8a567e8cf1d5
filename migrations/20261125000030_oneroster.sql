-- OneRoster's identifiers (`sourcedId`) of records Campus imported, so a later import
-- of the same archive updates those records instead of duplicating them, and an export
-- gives them back under the same identifiers.
CREATE TABLE oneroster_ids (
    college_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('academic_year', 'term', 'course', 'section', 'student', 'staff', 'guardian')),
    sourced_id text NOT NULL CHECK (length(sourced_id) BETWEEN 1 AND 255),
    campus_id uuid NOT NULL,
    PRIMARY KEY (college_id, kind, sourced_id)
);
SELECT campus_tenant_table('oneroster_ids');
CREATE INDEX oneroster_ids_campus ON oneroster_ids (college_id, kind, campus_id);
