-- Every user keeps their own contact details: a phone and a photograph on their account
-- (a student's or staff member's record takes the same phone when they change it).
ALTER TABLE users ADD COLUMN phone text CHECK (length(phone) <= 40);
ALTER TABLE users ADD COLUMN photo_file_id uuid;
ALTER TABLE users ADD CONSTRAINT users_photo_fk
    FOREIGN KEY (college_id, photo_file_id) REFERENCES stored_files (college_id, id) ON DELETE SET NULL (photo_file_id);
