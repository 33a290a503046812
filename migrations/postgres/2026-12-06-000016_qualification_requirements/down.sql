DROP TABLE unit_requirements;
DROP TABLE competence_areas;
ALTER TABLE qualification_unit_links DROP COLUMN competence_area;
ALTER TABLE qualification_unit_links DROP COLUMN compulsory;
ALTER TABLE qualifications DROP COLUMN requirements_valid_until;
ALTER TABLE qualifications DROP COLUMN requirements_valid_from;
ALTER TABLE qualifications DROP COLUMN diary_number;
ALTER TABLE qualifications DROP COLUMN eperusteet_id;
