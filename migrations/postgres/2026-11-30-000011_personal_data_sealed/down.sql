ALTER TABLE certificates DROP COLUMN holder_birth_date_encrypted;
