-- Competence certificates issued to trainees, shared with education providers.
CREATE TABLE certificates (
    id TEXT PRIMARY KEY NOT NULL,
    issuer_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- draft, issued, revoked or superseded.
    status TEXT NOT NULL,
    holder_given_names TEXT NOT NULL,
    holder_family_name TEXT NOT NULL,
    holder_birth_date DATE NOT NULL,
    -- The personal identity code, encrypted (XChaCha20-Poly1305), and its keyed hash for look-ups.
    holder_hetu_encrypted TEXT,
    holder_hetu_index TEXT,
    holder_learner_oid TEXT,
    programme_reference TEXT,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    hours INTEGER,
    coach_name TEXT NOT NULL,
    coach_title TEXT,
    language TEXT NOT NULL,
    -- Competences outside qualifications, as a JSON array: they are shown, never searched.
    other_competences TEXT NOT NULL,
    supersedes_id TEXT REFERENCES certificates (id),
    superseded_by_id TEXT REFERENCES certificates (id),
    verification_code TEXT UNIQUE,
    -- The signed credential (VC-JWT), made once when the certificate is issued.
    credential TEXT,
    issued_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revocation_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- The revocation bit of an issued certificate in the published status lists: the list's
    -- number and the bit's index in it, chosen at random and never reused.
    status_list INTEGER,
    status_list_index INTEGER
);
CREATE UNIQUE INDEX certificates_status_list_idx ON certificates (status_list, status_list_index);
CREATE INDEX certificates_issuer_idx ON certificates (issuer_organisation_id, id);
CREATE INDEX certificates_hetu_idx ON certificates (holder_hetu_index);
CREATE INDEX certificates_supersedes_idx ON certificates (supersedes_id);

CREATE TABLE certificate_units (
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    position INTEGER NOT NULL,
    qualification_code TEXT NOT NULL REFERENCES qualifications (code),
    unit_code TEXT NOT NULL REFERENCES qualification_units (code),
    description TEXT NOT NULL,
    -- The skills shown, as a JSON array of {text, requirement_code}.
    skills TEXT NOT NULL,
    hours INTEGER,
    PRIMARY KEY (certificate_id, position)
);
CREATE INDEX certificate_units_unit_idx ON certificate_units (unit_code, certificate_id);
CREATE INDEX certificate_units_qualification_idx ON certificate_units (qualification_code, certificate_id);

CREATE TABLE certificate_environments (
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    environment_id TEXT NOT NULL REFERENCES learning_environments (id),
    PRIMARY KEY (certificate_id, environment_id)
);
CREATE INDEX certificate_environments_environment_idx ON certificate_environments (environment_id);

-- Who a certificate is shared with, with the holder's consent; an ended share keeps its row.
CREATE TABLE certificate_shares (
    id TEXT PRIMARY KEY NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    consent_given_on DATE NOT NULL,
    consent_method TEXT NOT NULL,
    shared_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX certificate_shares_certificate_idx ON certificate_shares (certificate_id, organisation_id);
CREATE INDEX certificate_shares_organisation_idx ON certificate_shares (organisation_id, certificate_id);

-- The change feed: one row per event and organisation that may see it. Positions come from
-- the counter below, taken under its row lock, so they are handed out in commit order.
CREATE TABLE certificate_events (
    position BIGINT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    event TEXT NOT NULL,
    -- For shared and unshared: the organisation the certificate was shared with.
    shared_with_id TEXT REFERENCES organisations (id),
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX certificate_events_organisation_idx ON certificate_events (organisation_id, position);

CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('certificate_events', 0);
