"""PyFlink runner for the SQL in sql/: one job, one read of the source, all INSERTs together."""
