-- Student identity cards are issued documents too: their verification page confirms the
-- card (and says when it was revoked, e.g. reported lost).
ALTER TABLE issued_documents DROP CONSTRAINT issued_documents_kind_check;
ALTER TABLE issued_documents ADD CONSTRAINT issued_documents_kind_check
    CHECK (kind IN ('report_card', 'transcript', 'portfolio', 'id_card'));
