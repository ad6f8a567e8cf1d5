-- Issued documents after issue: a report card or transcript whose grades were amended
-- later is superseded (its verification page says so); a student's identity cards stop
-- being valid when the student leaves.
ALTER TABLE issued_documents ADD COLUMN superseded_at timestamptz;

CREATE FUNCTION students_revoke_id_cards() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE issued_documents
    SET revoked_at = now(), revoked_reason = 'the student left the college (' || NEW.status || ')'
    WHERE college_id = NEW.college_id AND student_id = NEW.id AND kind = 'id_card'
      AND revoked_at IS NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER students_revoke_id_cards
    AFTER UPDATE OF status ON students
    FOR EACH ROW
    WHEN (NEW.status IN ('graduated', 'withdrawn') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION students_revoke_id_cards();

CREATE INDEX issued_documents_issuer_day ON issued_documents (college_id, issued_by, issued_at);
