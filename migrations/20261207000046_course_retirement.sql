-- A course retired: kept with its sections, results and transcripts, offered for no new
-- section.
ALTER TABLE courses ADD COLUMN retired_at timestamptz;
