DROP FUNCTION protium_in_polygon(float8, float8, jsonb);
DROP FUNCTION protium_distance(float8, float8, float8, float8);
DROP TABLE bulk_operations;
DROP TABLE record_tombstones;
DROP TABLE object_types;
