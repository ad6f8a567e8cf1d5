-- Indexes found by `campus bench` on a college of 20,000 students.

-- A student's latest marks (dashboard) without scanning every mark of the college.
CREATE INDEX marks_student ON marks (college_id, student_id, entered_at DESC);

-- Searching people by any part of a name or address (ILIKE '%...%') with trigrams.
-- pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_search ON users USING gin ((email::text || ' ' || display_name) gin_trgm_ops);
