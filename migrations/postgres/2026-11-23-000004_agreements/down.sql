DROP TABLE agreement_attachments;
DROP TABLE agreement_environments;
DROP TABLE agreement_qualifications;
DROP TABLE agreement_contacts;
DROP TABLE agreement_parties;
DROP TABLE agreements;
