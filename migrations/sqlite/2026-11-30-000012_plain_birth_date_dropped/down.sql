-- The plain birth dates are gone for good; a placeholder keeps the column's constraint.
ALTER TABLE certificates ADD COLUMN holder_birth_date DATE NOT NULL DEFAULT '1900-01-01';
