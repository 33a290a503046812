-- An organisation's postal address, for the letterhead of the certificates it issues.
ALTER TABLE organisations ADD COLUMN street_address TEXT;
ALTER TABLE organisations ADD COLUMN postal_code TEXT;
ALTER TABLE organisations ADD COLUMN post_office TEXT;
