ALTER TABLE organisations DROP COLUMN post_office;
ALTER TABLE organisations DROP COLUMN postal_code;
ALTER TABLE organisations DROP COLUMN street_address;
