-- Learning environments: units of organisations where real work is done.
CREATE TABLE learning_environments (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    description TEXT,
    sector TEXT NOT NULL,
    street_address TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    post_office TEXT,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    -- The municipality's region, kept here so that a region's environments are one index range.
    region_code TEXT REFERENCES regions (code),
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    capacity INTEGER,
    accessibility TEXT,
    contact_name TEXT,
    contact_title TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    contact_private BOOLEAN NOT NULL,
    -- Name, description and work tasks, normalized for case- and accent-insensitive search.
    search_text TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX learning_environments_region_idx ON learning_environments (region_code, id);
CREATE INDEX learning_environments_municipality_idx ON learning_environments (municipality_code, id);
CREATE INDEX learning_environments_organisation_idx ON learning_environments (organisation_id, id);
CREATE INDEX learning_environments_latitude_idx ON learning_environments (latitude);

CREATE TABLE learning_environment_tasks (
    environment_id TEXT NOT NULL REFERENCES learning_environments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    task TEXT NOT NULL,
    PRIMARY KEY (environment_id, position)
);

CREATE TABLE learning_environment_languages (
    environment_id TEXT NOT NULL REFERENCES learning_environments (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (environment_id, language)
);
CREATE INDEX learning_environment_languages_language_idx ON learning_environment_languages (language, environment_id);

-- One qualification unit an education provider recognised an environment for.
CREATE TABLE recognitions (
    id TEXT PRIMARY KEY NOT NULL,
    environment_id TEXT NOT NULL REFERENCES learning_environments (id),
    provider_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    qualification_code TEXT NOT NULL REFERENCES qualifications (code),
    unit_code TEXT NOT NULL REFERENCES qualification_units (code),
    valid_from DATE NOT NULL,
    valid_until DATE,
    -- The last day in force: valid_until, or the day before the recognition was ended.
    in_force_until DATE,
    agreement_id TEXT REFERENCES agreements (id),
    note TEXT,
    ended_on DATE,
    end_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX recognitions_environment_idx ON recognitions (environment_id, unit_code, valid_from);
CREATE INDEX recognitions_unit_idx ON recognitions (unit_code, environment_id);
CREATE INDEX recognitions_provider_idx ON recognitions (provider_organisation_id, environment_id);
CREATE INDEX recognitions_agreement_idx ON recognitions (agreement_id);
