-- How many certificates have a status list bit, kept as a counter so that issuing does not count
-- every certificate to choose the list for the next bit.
INSERT INTO counters (name, value)
SELECT 'status_entries', COUNT(*) FROM certificates WHERE status_list_index IS NOT NULL;
