-- Reference data: official codes, imported rather than typed by hand.
CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    in_force BOOLEAN NOT NULL,
    placeholder BOOLEAN NOT NULL
);

CREATE TABLE municipalities (
    code TEXT PRIMARY KEY NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    region_code TEXT REFERENCES regions (code),
    in_force BOOLEAN NOT NULL,
    valid_to DATE,
    placeholder BOOLEAN NOT NULL
);
CREATE INDEX municipalities_region_idx ON municipalities (region_code, code);

CREATE TABLE qualifications (
    code TEXT PRIMARY KEY NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    name_search TEXT NOT NULL,
    qualification_type TEXT NOT NULL,
    competence_points INTEGER,
    replaced_by TEXT,
    sample BOOLEAN NOT NULL
);
CREATE INDEX qualifications_type_idx ON qualifications (qualification_type, code);

CREATE TABLE qualification_units (
    code TEXT PRIMARY KEY NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    competence_points INTEGER,
    sample BOOLEAN NOT NULL
);

CREATE TABLE qualification_unit_links (
    qualification_code TEXT NOT NULL REFERENCES qualifications (code) ON DELETE CASCADE,
    unit_code TEXT NOT NULL REFERENCES qualification_units (code),
    position INTEGER NOT NULL,
    PRIMARY KEY (qualification_code, unit_code)
);
CREATE INDEX qualification_unit_links_unit_idx ON qualification_unit_links (unit_code);

-- Organisations: workshops, education providers, municipalities and the others that sign and agree.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    name_search TEXT NOT NULL,
    business_id TEXT UNIQUE,
    oph_oid TEXT,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    website TEXT,
    email TEXT,
    phone TEXT,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_kind_idx ON organisations (kind, id);
CREATE INDEX organisations_municipality_idx ON organisations (municipality_code, id);

-- Idempotency-Key records, shared by every instance of the service.
CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER,
    response_headers TEXT,
    response_body BLOB,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
