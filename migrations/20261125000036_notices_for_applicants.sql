-- Applicants (people who made an account only to apply) are not the college's members:
-- they see notices meant for applicants, never those for everyone at the college.
ALTER TABLE notices DROP CONSTRAINT IF EXISTS notices_audience_check;
ALTER TABLE notices ADD CONSTRAINT notices_audience_check
    CHECK (audience IN ('everyone', 'students', 'parents', 'staff', 'applicants'));
