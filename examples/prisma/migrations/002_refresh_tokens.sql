-- 002_refresh_tokens: refresh tokens with rotation tracking.
-- Each refresh issues a new row and marks the old one used (replaced_by).
CREATE TABLE refresh_tokens (
  id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash   TEXT NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  used_at      TIMESTAMPTZ NULL,
  replaced_by  UUID NULL REFERENCES refresh_tokens(id),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- Rotation must never point a token at itself.
ALTER TABLE refresh_tokens
  ADD CONSTRAINT refresh_tokens_not_self_replaced
  CHECK (replaced_by IS NULL OR replaced_by <> id);

-- Cleanup job: rows are kept 30 days after expiry for forensic analysis.
COMMENT ON COLUMN refresh_tokens.used_at IS 'set when rotated or revoked';
