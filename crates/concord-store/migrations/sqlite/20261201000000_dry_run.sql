-- Writes a dry run (`concord run --dry-run`) would have made to Cin7 or Oro, recorded instead of
-- sent: what it was, where it would have gone, its full payload and the synthetic answer the flow
-- carried on with. Mirrors migrations/postgres.
CREATE TABLE dry_run_writes (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    system  TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    method  TEXT    NOT NULL,
    path    TEXT    NOT NULL,
    subject TEXT,
    payload TEXT,
    answer  TEXT    NOT NULL
);
CREATE INDEX dry_run_writes_kind ON dry_run_writes (kind, id);
