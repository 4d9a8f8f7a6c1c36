-- FedLearn schema, version 5: every round attempt is recorded as opened before any task is pushed, so attempt numbers
-- are never reused, also across coordinator crashes (docs/architecture.md, "A round"). An attempt without a row in
-- rounds is either open now or was lost in a crash; the session grain records the lost ones when it activates.

CREATE TABLE round_attempts (
    session_id             text             NOT NULL REFERENCES sessions (session_id),
    round                  integer          NOT NULL CHECK (round >= 1),
    attempt                integer          NOT NULL CHECK (attempt >= 1),
    opened_at              timestamptz      NOT NULL,
    participants_selected  integer          NOT NULL CHECK (participants_selected >= 0),
    -- Private sessions: the charge this attempt carries whatever happens to it (the least noise it can have, so the
    -- largest ε), made durable before anything is sent. NULL for a session without participant-level privacy.
    charged_noise_multiplier  double precision CHECK (charged_noise_multiplier > 0),
    charged_sensitivity       double precision CHECK (charged_sensitivity > 0),
    PRIMARY KEY (session_id, round, attempt)
);

-- Attempts recorded before this table existed are the ones in rounds.
INSERT INTO round_attempts (session_id, round, attempt, opened_at, participants_selected)
SELECT session_id, round, attempt, started_at, participants_selected FROM rounds;
