-- How long a college keeps a former student's personal data after they leave (graduate
-- or withdraw); after it, the record may be erased to an anonymous academic record.
ALTER TABLE colleges ADD COLUMN retention_years smallint NOT NULL DEFAULT 7
    CHECK (retention_years BETWEEN 0 AND 50);
GRANT UPDATE (retention_years) ON colleges TO campus_app;
