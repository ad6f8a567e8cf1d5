-- Achievements, the student hub: what students record (with evidence files), who decides
-- on it, the activity points a college awards per category, and the verified portfolio
-- (an issued document of kind `portfolio`).

CREATE TABLE achievements (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    student_id uuid NOT NULL,
    title text NOT NULL CHECK (length(btrim(title)) BETWEEN 3 AND 200),
    category text NOT NULL CHECK (category IN (
        'academic', 'sports', 'cultural', 'technical', 'volunteering', 'internship', 'certification')),
    achieved_on date NOT NULL CHECK (achieved_on > DATE '1950-01-01'),
    organiser text NOT NULL CHECK (length(btrim(organiser)) BETWEEN 2 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    -- submitted -> approved / rejected; an approved one may later be revoked.
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'approved', 'rejected', 'revoked')),
    -- The points awarded when approved, by the college's rule for the category then.
    points integer NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 1000),
    decided_by uuid,
    decided_at timestamptz,
    decision_comment text CHECK (length(decision_comment) <= 1000),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, student_id) REFERENCES students (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, decided_by) REFERENCES users (college_id, id) ON DELETE SET NULL (decided_by),
    -- A decision names who made it and when; a rejection or revocation says why.
    CONSTRAINT achievements_decided CHECK ((status = 'submitted') = (decided_at IS NULL)),
    CONSTRAINT achievements_reasoned CHECK (
        status NOT IN ('rejected', 'revoked') OR length(btrim(coalesce(decision_comment, ''))) >= 3),
    CONSTRAINT achievements_points_only_when_approved CHECK (status IN ('approved', 'revoked') OR points = 0)
);
SELECT campus_tenant_table('achievements');
CREATE INDEX achievements_student ON achievements (college_id, student_id, achieved_on DESC);
CREATE INDEX achievements_pending ON achievements (college_id, created_at) WHERE status = 'submitted';

-- Evidence: stored files (kept in file storage, checked against their extension).
CREATE TABLE achievement_files (
    college_id uuid NOT NULL,
    achievement_id uuid NOT NULL,
    file_id uuid NOT NULL,
    PRIMARY KEY (college_id, achievement_id, file_id),
    FOREIGN KEY (college_id, achievement_id) REFERENCES achievements (college_id, id) ON DELETE CASCADE,
    FOREIGN KEY (college_id, file_id) REFERENCES stored_files (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('achievement_files');
CREATE INDEX achievement_files_file ON achievement_files (college_id, file_id);

-- The activity points a college awards for an approved achievement of each category.
-- A category without a rule earns none.
CREATE TABLE activity_point_rules (
    college_id uuid NOT NULL,
    category text NOT NULL CHECK (category IN (
        'academic', 'sports', 'cultural', 'technical', 'volunteering', 'internship', 'certification')),
    points integer NOT NULL CHECK (points BETWEEN 0 AND 1000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, category)
);
SELECT campus_tenant_table('activity_point_rules');

-- Student organizers review the achievements of the categories they organise (a club's
-- secretary for `cultural`, say); the college assigns them here.
CREATE TABLE achievement_organizers (
    college_id uuid NOT NULL,
    user_id uuid NOT NULL,
    category text NOT NULL CHECK (category IN (
        'academic', 'sports', 'cultural', 'technical', 'volunteering', 'internship', 'certification')),
    PRIMARY KEY (college_id, user_id, category),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('achievement_organizers');

-- Portfolios are issued documents too: their page shows each achievement's status today.
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_kind_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_kind_check
    CHECK (kind IN ('report_card', 'transcript', 'portfolio'));
