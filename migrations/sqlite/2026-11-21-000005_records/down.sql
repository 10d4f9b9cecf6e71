DROP TABLE bulk_operations;
DROP TABLE record_tombstones;
DROP TABLE object_types;
