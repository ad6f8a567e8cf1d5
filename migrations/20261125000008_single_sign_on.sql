-- Single sign-on with OpenID Connect, configured per college. Users are matched by a
-- verified email address of the allowed domain; the client secret is encrypted.

CREATE TABLE oidc_providers (
    college_id uuid PRIMARY KEY REFERENCES colleges (id) ON DELETE CASCADE,
    issuer text NOT NULL CHECK (issuer ~ '^https?://' AND length(issuer) <= 300),
    client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 300),
    client_secret_enc text NOT NULL,
    -- Only emails of this domain may sign in this way (e.g. riverside.edu).
    allowed_domain text NOT NULL CHECK (allowed_domain ~ '^[a-z0-9.-]+\.[a-z]{2,}$'),
    -- What the sign-in button says, e.g. "Riverside Google account".
    label text NOT NULL DEFAULT 'your college account' CHECK (length(label) BETWEEN 2 AND 100),
    enabled boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT campus_tenant_table('oidc_providers');
