-- Regional guidelines on cooperation between workshops and vocational education, and who signed them.
CREATE TABLE guidelines (
    id TEXT PRIMARY KEY NOT NULL,
    title_fi TEXT NOT NULL,
    title_sv TEXT,
    title_en TEXT,
    title_search TEXT NOT NULL,
    version_label TEXT NOT NULL,
    summary TEXT,
    adopted_on DATE,
    adopting_body TEXT,
    national BOOLEAN NOT NULL,
    full_text_url TEXT,
    status TEXT NOT NULL,
    superseded_by TEXT REFERENCES guidelines (id),
    owner_organisation_id TEXT REFERENCES organisations (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX guidelines_status_idx ON guidelines (status, id);

CREATE TABLE guideline_regions (
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (guideline_id, region_code)
);
CREATE INDEX guideline_regions_region_idx ON guideline_regions (region_code, guideline_id);

CREATE TABLE guideline_signatures (
    id TEXT PRIMARY KEY NOT NULL,
    guideline_id TEXT NOT NULL REFERENCES guidelines (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    region_code TEXT NOT NULL REFERENCES regions (code),
    signer_name TEXT NOT NULL,
    signer_title TEXT,
    signed_on DATE NOT NULL,
    commitments TEXT,
    recorded_on_behalf BOOLEAN NOT NULL,
    withdrawn_on DATE,
    withdrawal_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- At most one active signature per organisation, guideline and region.
CREATE UNIQUE INDEX guideline_signatures_active_idx
    ON guideline_signatures (guideline_id, organisation_id, region_code) WHERE withdrawn_on IS NULL;
CREATE INDEX guideline_signatures_guideline_idx ON guideline_signatures (guideline_id, region_code, id);
CREATE INDEX guideline_signatures_organisation_idx ON guideline_signatures (organisation_id, id);
