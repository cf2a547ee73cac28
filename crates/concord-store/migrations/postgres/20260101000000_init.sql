-- Concord store schema (PostgreSQL). Times are integer microseconds since the Unix epoch, taken from
-- the caller's clock; JSON is stored as text. Mirrors migrations/sqlite.

CREATE TABLE jobs (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    priority         BIGINT  NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    max_attempts     BIGINT  NOT NULL,
    run_at           BIGINT  NOT NULL,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT ,
    retry            TEXT    NOT NULL
);
-- The claim scans only queued jobs, best priority then oldest.
CREATE INDEX jobs_claim ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_state_kind ON jobs (state, kind, updated_at);

CREATE TABLE links (
    kind       TEXT    NOT NULL,
    oro_id     TEXT    NOT NULL,
    cin7_id    TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (kind, oro_id)
);
CREATE INDEX links_cin7 ON links (kind, cin7_id);

CREATE TABLE records (
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX records_status ON records (kind, status);

CREATE TABLE cursors (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE calls (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT  NOT NULL,
    system      TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    status      BIGINT ,
    duration_ms BIGINT  NOT NULL,
    request     TEXT,
    response    TEXT,
    subject     TEXT,
    error       TEXT
);
CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_subject ON calls (subject, id);
CREATE INDEX calls_system ON calls (system, id);

CREATE TABLE exceptions (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT    NOT NULL,
    owner            TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    fingerprint      TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL,
    occurrences      BIGINT  NOT NULL,
    first_seen       BIGINT  NOT NULL,
    last_seen        BIGINT  NOT NULL,
    explanation      TEXT    NOT NULL,
    suggested_action TEXT    NOT NULL,
    payload_refs     TEXT    NOT NULL,
    resolution_note  TEXT
);
CREATE INDEX exceptions_subject ON exceptions (kind, subject);
CREATE INDEX exceptions_last_seen ON exceptions (last_seen);

CREATE TABLE audit (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT  NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    note   TEXT
);

-- One row per API application: PostgreSQL locks it so takers from every process queue up.
CREATE TABLE budget_apps (
    app TEXT PRIMARY KEY
);
CREATE TABLE budget_calls (
    id  BIGSERIAL PRIMARY KEY,
    app TEXT    NOT NULL,
    at  BIGINT  NOT NULL
);
CREATE INDEX budget_calls_app_at ON budget_calls (app, at);
