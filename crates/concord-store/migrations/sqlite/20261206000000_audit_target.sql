-- The charts page reads exception history from the audit log by target (`exception:<id>`).
-- Mirrors migrations/postgres.
CREATE INDEX audit_target ON audit (target, at);
