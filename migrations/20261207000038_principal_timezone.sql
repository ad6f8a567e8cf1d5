-- A signed-in user's pages show times in their college's time zone, which the cached
-- principal carries: a change of zone must reach every instance's cache like a change
-- of name does.
DROP TRIGGER campus_auth_changed ON colleges;
CREATE TRIGGER campus_auth_changed AFTER UPDATE ON colleges
    FOR EACH ROW WHEN ((OLD.status, OLD.slug, OLD.name, OLD.kind, OLD.mfa_required_for_staff,
                        OLD.guidance_admin_access, OLD.timezone)
                       IS DISTINCT FROM (NEW.status, NEW.slug, NEW.name, NEW.kind,
                                         NEW.mfa_required_for_staff, NEW.guidance_admin_access,
                                         NEW.timezone))
    EXECUTE FUNCTION campus_auth_college_changed();
