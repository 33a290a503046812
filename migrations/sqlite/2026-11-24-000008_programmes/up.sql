-- Programmes (hankkeet) that fund coaching, their participants' coaching periods and the
-- qualification units participants completed: the data funders' reports are counted from.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY NOT NULL,
    administrator_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    name_search TEXT NOT NULL,
    description TEXT,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX programmes_administrator_idx ON programmes (administrator_organisation_id, id);

CREATE TABLE programme_funders (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    instrument TEXT NOT NULL,
    decision_reference TEXT,
    PRIMARY KEY (programme_id, position)
);

CREATE TABLE programme_regions (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (programme_id, region_code)
);

CREATE TABLE programme_municipalities (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    PRIMARY KEY (programme_id, municipality_code)
);

CREATE TABLE programme_partners (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (programme_id, organisation_id)
);
CREATE INDEX programme_partners_organisation_idx ON programme_partners (organisation_id, programme_id);

-- Only categories are kept of a participant: no name, no identity code, no date of birth.
CREATE TABLE participations (
    id TEXT PRIMARY KEY NOT NULL,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    coach_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    gender TEXT NOT NULL,
    age_band TEXT NOT NULL,
    unemployment_duration TEXT NOT NULL,
    education_level TEXT NOT NULL,
    immigrant_background TEXT NOT NULL,
    next_step TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX participations_programme_idx ON participations (programme_id, id);
CREATE INDEX participations_coach_idx ON participations (coach_organisation_id, programme_id, id);

CREATE TABLE participation_environments (
    participation_id TEXT NOT NULL REFERENCES participations (id),
    environment_id TEXT NOT NULL REFERENCES learning_environments (id),
    PRIMARY KEY (participation_id, environment_id)
);

CREATE TABLE participation_certificates (
    participation_id TEXT NOT NULL REFERENCES participations (id),
    certificate_id TEXT NOT NULL REFERENCES certificates (id),
    PRIMARY KEY (participation_id, certificate_id)
);

CREATE TABLE unit_completions (
    id TEXT PRIMARY KEY NOT NULL,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    participation_id TEXT NOT NULL REFERENCES participations (id),
    provider_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    qualification_code TEXT NOT NULL REFERENCES qualifications (code),
    unit_code TEXT NOT NULL REFERENCES qualification_units (code),
    completed_on DATE NOT NULL,
    environment_id TEXT REFERENCES learning_environments (id),
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    qualification_completed BOOLEAN NOT NULL,
    recorded_by_organisation_id TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (participation_id, qualification_code, unit_code)
);
CREATE INDEX unit_completions_programme_idx ON unit_completions (programme_id, id);

-- The regional statistics count certificates by the year they were issued.
CREATE INDEX certificates_issued_idx ON certificates (issued_at);
