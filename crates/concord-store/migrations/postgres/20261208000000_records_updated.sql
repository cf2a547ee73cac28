-- The stock sync's level book catches up on levels other processes wrote by reading the records
-- of one kind updated since its last look: one range of this index, not every record of the kind.
-- Mirrors the other backend's migration.
CREATE INDEX records_kind_updated ON records (kind, updated_at);
