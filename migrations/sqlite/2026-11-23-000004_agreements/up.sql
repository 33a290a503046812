-- Cooperation agreements between work organisations and education providers.
CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    issuer_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    reference_number TEXT NOT NULL,
    title TEXT NOT NULL,
    guideline_id TEXT REFERENCES guidelines (id),
    valid_from DATE NOT NULL,
    valid_until DATE,
    terms TEXT,
    status TEXT NOT NULL,
    activated_at TIMESTAMP,
    terminated_on DATE,
    termination_reason TEXT,
    terminated_by_organisation_id TEXT REFERENCES organisations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (issuer_organisation_id, reference_number)
);
CREATE INDEX agreements_status_idx ON agreements (status, id);
CREATE INDEX agreements_updated_idx ON agreements (updated_at, id);

CREATE TABLE agreement_parties (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    confirmed_by_client_id TEXT,
    PRIMARY KEY (agreement_id, organisation_id)
);
CREATE INDEX agreement_parties_organisation_idx ON agreement_parties (organisation_id, agreement_id);

CREATE TABLE agreement_contacts (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    position INTEGER NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    role TEXT,
    email TEXT,
    phone TEXT,
    PRIMARY KEY (agreement_id, position)
);

CREATE TABLE agreement_qualifications (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    qualification_code TEXT NOT NULL REFERENCES qualifications (code),
    PRIMARY KEY (agreement_id, qualification_code)
);
CREATE INDEX agreement_qualifications_code_idx ON agreement_qualifications (qualification_code, agreement_id);

-- Learning environments covered; the environments themselves are registered separately.
CREATE TABLE agreement_environments (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    environment_id TEXT NOT NULL,
    PRIMARY KEY (agreement_id, environment_id)
);

CREATE TABLE agreement_attachments (
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (agreement_id, position)
);
