-- A guardian link request that matches no student now waits for the college like any
-- other (the parent is told nothing either way), so the college can decline it: a
-- declined request may have no student.
ALTER TABLE guardian_link_requests DROP CONSTRAINT guardian_link_requests_matched;
ALTER TABLE guardian_link_requests ADD CONSTRAINT guardian_link_requests_matched CHECK (
    CASE status
        WHEN 'unmatched' THEN student_id IS NULL
        WHEN 'rejected' THEN true
        ELSE student_id IS NOT NULL
    END
);
