-- When each object was last changed in the source system, as its archive said
-- (dateLastModified): a row older than what Campus has is not applied again.
ALTER TABLE oneroster_ids ADD COLUMN modified_at timestamptz;
