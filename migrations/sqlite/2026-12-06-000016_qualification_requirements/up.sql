-- National qualification requirements (ePerusteet): which requirements document a qualification's
-- units come from, whether each unit is compulsory and in which competence area, the competence
-- areas, and each unit's professional requirements in order.
ALTER TABLE qualifications ADD COLUMN eperusteet_id BIGINT;
ALTER TABLE qualifications ADD COLUMN diary_number TEXT;
ALTER TABLE qualifications ADD COLUMN requirements_valid_from DATE;
ALTER TABLE qualifications ADD COLUMN requirements_valid_until DATE;
ALTER TABLE qualification_unit_links ADD COLUMN compulsory BOOLEAN;
ALTER TABLE qualification_unit_links ADD COLUMN competence_area TEXT;

CREATE TABLE competence_areas (
    qualification_code TEXT NOT NULL REFERENCES qualifications (code),
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT,
    name_en TEXT,
    PRIMARY KEY (qualification_code, code)
);

CREATE TABLE unit_requirements (
    unit_code TEXT NOT NULL REFERENCES qualification_units (code),
    position INTEGER NOT NULL,
    text_fi TEXT NOT NULL,
    text_sv TEXT,
    text_en TEXT,
    PRIMARY KEY (unit_code, position)
);
