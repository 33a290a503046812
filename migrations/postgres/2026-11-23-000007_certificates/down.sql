DROP TABLE counters;
DROP TABLE certificate_events;
DROP TABLE certificate_shares;
DROP TABLE certificate_environments;
DROP TABLE certificate_units;
DROP TABLE certificates;
