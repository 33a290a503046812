-- A holder's access link: a long random secret, kept only as its SHA-256, that opens the
-- holder's own view of the certificates one issuer gave them (by the holder's id in credentials).
CREATE TABLE holder_links (
    id TEXT PRIMARY KEY NOT NULL,
    -- The certificate whose issue (or whose issuer's request) made the link.
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    issuer_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    holder_subject_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE INDEX holder_links_certificate_idx ON holder_links (certificate_id);
-- What a link opens: the certificates one issuer gave one holder.
CREATE INDEX certificates_holder_subject_idx ON certificates (holder_subject_id, issuer_organisation_id);

-- A paper certificate from before the registry, entered by an administrator: issued on its
-- original date, never presented as issued the day it was entered.
ALTER TABLE certificates ADD COLUMN imported BOOLEAN NOT NULL DEFAULT FALSE;
