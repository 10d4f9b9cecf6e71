DROP TABLE leases;
DROP TABLE rate_counters;
