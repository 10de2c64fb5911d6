-- The tables the guide's migration validation requires (users, workflows, workflow_executions).
-- Applied by every deploy before the new slot starts; idempotent.
CREATE TABLE IF NOT EXISTS users (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS workflows (
    id          bigserial PRIMARY KEY,
    owner_id    bigint REFERENCES users (id),
    name        text NOT NULL,
    definition  jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS workflow_executions (
    id           bigserial PRIMARY KEY,
    workflow_id  bigint NOT NULL,
    status       text NOT NULL DEFAULT 'pending',
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX IF NOT EXISTS idx_workflow_executions_workflow ON workflow_executions (workflow_id, started_at DESC);
