-- Staff identity cards are issued documents too, for a staff record instead of a
-- student: verified the same way, a newer card replacing the older.
ALTER TABLE issued_documents ALTER COLUMN student_id DROP NOT NULL;
ALTER TABLE issued_documents ADD COLUMN staff_id uuid;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_staff_fk
    FOREIGN KEY (college_id, staff_id) REFERENCES staff (college_id, id) ON DELETE CASCADE;
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_kind_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_kind_check
    CHECK (kind IN ('report_card', 'transcript', 'portfolio', 'id_card', 'hall_ticket', 'staff_id_card'));
-- Each document is of one person: a staff card of a staff member, the rest of a student.
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_subject CHECK (
    CASE WHEN kind = 'staff_id_card' THEN staff_id IS NOT NULL AND student_id IS NULL
         ELSE student_id IS NOT NULL AND staff_id IS NULL END);
CREATE INDEX issued_documents_staff ON issued_documents (college_id, staff_id, issued_at DESC)
    WHERE staff_id IS NOT NULL;
