-- Applicants' own sign-ups prove their address before they count. Until then such an
-- account is "invited" (it cannot sign in) and gives way to any account the college
-- makes with the same address, whatever path makes it (a user, a staff or student
-- record, an import), and to a later sign-up with the address.
ALTER TABLE users ADD COLUMN self_signup boolean NOT NULL DEFAULT false;

CREATE FUNCTION users_release_unverified_signup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM users
    WHERE college_id = NEW.college_id AND email = NEW.email AND id <> NEW.id
      AND self_signup AND email_verified_at IS NULL;
    RETURN NEW;
END
$$;

CREATE TRIGGER users_release_unverified_signup
    BEFORE INSERT OR UPDATE OF email ON users
    FOR EACH ROW EXECUTE FUNCTION users_release_unverified_signup();
