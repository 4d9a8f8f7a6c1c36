-- FedLearn schema, version 9: the server optimizer's state (Reddi et al. 2021, "Adaptive Federated Optimization",
-- Algorithm 2; FedAvgM's momentum) checkpointed with each committed round's model, written in the same transaction as the
-- checkpoint, so a restarted coordinator resumes the optimizer exactly where the last committed round left it. Sessions
-- running plain FedAvg have no state and no rows. Moments are little-endian float32 vectors, one value per parameter.
CREATE TABLE server_optimizer_states (
    session_id     text    NOT NULL,
    round          integer NOT NULL CHECK (round >= 1),
    -- Rounds whose released aggregate moved the model (a private round committed unchanged takes no step).
    steps          bigint  NOT NULL CHECK (steps >= 0),
    first_moment   bytea,
    second_moment  bytea,
    PRIMARY KEY (session_id, round),
    FOREIGN KEY (session_id, round) REFERENCES checkpoints (session_id, round)
);
