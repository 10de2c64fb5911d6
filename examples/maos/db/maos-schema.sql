-- The tables the MAOS nodes use and the indexes the guide asks for ("Database Tuning",
-- "Index Optimization"). Applied by every deploy before the rolling update; idempotent.
CREATE TABLE IF NOT EXISTS tasks (
    id          bigserial PRIMARY KEY,
    status      text NOT NULL DEFAULT 'QUEUED',
    payload     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS agents (
    id          bigserial PRIMARY KEY,
    agent_type  text NOT NULL,
    status      text NOT NULL DEFAULT 'IDLE',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS checkpoints (
    id          bigserial PRIMARY KEY,
    deployment  text NOT NULL,
    version     text NOT NULL,
    state       jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS shared_state (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz
);
CREATE INDEX IF NOT EXISTS idx_tasks_status_created ON tasks (status, created_at)
    WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX IF NOT EXISTS idx_agents_status_type ON agents (status, agent_type)
    WHERE status = 'IDLE';
CREATE INDEX IF NOT EXISTS idx_checkpoints_created ON checkpoints (created_at DESC);
CREATE INDEX IF NOT EXISTS idx_shared_state_key_updated ON shared_state (key, updated_at);
