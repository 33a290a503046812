DELETE FROM counters WHERE name = 'status_entries';
