using System.Text;
using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Services;
using FedLearn.Ledger;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.Coordinator.Audit;

/// <summary>
/// The empirical privacy audit (docs/audit.md): measures a finished session's canaries against its released models, and
/// stores the signed report tied to the ledger's head entry. The coordinator computes the report from its own checkpoints,
/// so the figures do not depend on whoever asks; the seed in the report lets anyone recompute them from exported models.
/// </summary>
internal sealed class AuditApi(
    SessionRepository sessions, LedgerRepository ledger, LedgerSigner signer, AuditRepository audits, TestOnlyNoise testNoise, TimeProvider time)
    : AuditService.AuditServiceBase
{
    private const double DefaultConfidence = 0.95;

    public override async Task<AuditReport> RecordAudit(RecordAuditRequest request, ServerCallContext context)
    {
        var sessionId = RpcGuard.Id(request.SessionId, "session_id");
        var confidence = request.Confidence == 0 ? DefaultConfidence : request.Confidence;
        var problem = request.CanarySeed.Length != AuditRandom.SeedBytes ? $"canary_seed must be {AuditRandom.SeedBytes} bytes; got {request.CanarySeed.Length}"
            : request.Canaries is < 2 or > CanaryAudit.MaxCanaries ? $"canaries must be 2 to {CanaryAudit.MaxCanaries}; got {request.Canaries}"
            : request.Unseen is < 0 or 1 or > CanaryAudit.MaxCanaries ? $"unseen must be 0 or 2 to {CanaryAudit.MaxCanaries}; got {request.Unseen}"
            : !(confidence is >= 0.8 and <= 0.999) ? $"confidence must be in [0.8, 0.999] (or 0 for {DefaultConfidence}); got {confidence}"
            : request.CanaryIds.Count > request.Canaries ? "canary_ids names more participants than there are canaries"
            : null;
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem + "."));
        }
        foreach (var id in request.CanaryIds)
        {
            RpcGuard.Id(id, "canary_ids");
        }
        var ct = context.CancellationToken;
        return await RpcGuard.Call(async () =>
        {
            var session = await sessions.FindAsync(sessionId, ct) ?? throw new KeyNotFoundException($"Session '{sessionId}' does not exist.");
            if (session.State is Grains.SessionState.Created or Grains.SessionState.Running)
            {
                throw new InvalidOperationException($"Session '{sessionId}' has not ended; audit it when it has (the canaries' seed must stay secret until then).");
            }
            if (await audits.FindAsync(sessionId, ct) is not null)
            {
                throw new InvalidOperationException($"Session '{sessionId}' already has an audit report; a report is never replaced.");
            }
            // Only the canaries committed to before the session started may be reported on: no report for a session that
            // was never audited, and nobody but the holder of the seed can pre-empt the real report (docs/audit.md).
            if (session.Definition.Privacy?.AuditCommitment is not { } commitment)
            {
                throw new InvalidOperationException(
                    $"Session '{sessionId}' was not created for an audit (it has no privacy.audit_commitment); run `fedlearn audit run`, which commits to its canaries before the session starts.");
            }
            if (!AuditCommitment.Matches(commitment, request.CanarySeed.Span, request.Canaries, request.Unseen, confidence))
            {
                throw new InvalidOperationException(
                    $"The canary seed, canaries, unseen and confidence do not match the audit commitment session '{sessionId}' was created with.");
            }
            var document = await ledger.LoadDocumentAsync(sessionId, ct);
            if (document?.Header.EpsilonBudget is null || document.Header.Delta is not { } delta)
            {
                throw new InvalidOperationException($"Session '{sessionId}' has no participant-level privacy: there is no ε to audit.");
            }
            // The header anchors the commitment for auditors (sessions created before it did have none there).
            if (document.Header.AuditCommitment is { } anchored && anchored != Convert.ToHexStringLower(commitment))
            {
                throw new InvalidOperationException($"Session '{sessionId}''s ledger header anchors another audit commitment than the session's; verify the ledger (fedlearn ledger verify).");
            }
            var head = document.Entries.Count > 0 ? document.Entries[^1]
                : throw new InvalidOperationException($"Session '{sessionId}' committed no round: there is nothing to audit.");
            if (signer.ForeignKeyProblem(document.Header.PublicKey) is { } foreign || !signer.HasSigned(head))
            {
                throw new InvalidOperationException($"Session '{sessionId}''s ledger is not intact under this coordinator's key; verify it (fedlearn ledger verify).");
            }
            double[] figures = [.. new[] { head.EpsilonRdp, head.EpsilonPld }.OfType<double>()];
            if (figures.Length == 0)
            {
                throw new InvalidOperationException($"Session '{sessionId}''s ledger records no participant-level ε.");
            }
            // The tighter of the two accountants' figures: both are valid bounds, so the audit holds the session to the smaller.
            var bound = figures.Min();
            var models = new List<float[]>();
            for (var round = 0; round <= head.Round; round++)
            {
                var checkpoint = await sessions.FindCheckpointAsync(sessionId, round, ct)
                    ?? throw new InvalidOperationException($"Session '{sessionId}' has no checkpoint of round {round}.");
                models.Add(checkpoint.Weights);
            }
            var seed = request.CanarySeed.ToByteArray();
            var threats = await Task.Run(() => CanaryAudit.Measure(seed, request.Canaries, request.Unseen, models, delta, confidence, bound), ct);
            var report = new AuditReportDocument(
                AuditReportDocument.CurrentFormat, sessionId, LedgerTime.Normalize(time.GetUtcNow()),
                new AuditLedgerClaim(head.Sequence, head.EntryHash, LedgerSigner.Fingerprint(document.Header.PublicKey), head.Mechanism, delta,
                    head.EpsilonRdp, head.EpsilonPld, document.Header.AgainstCoordinator, head.EpsilonAgainstCoordinatorRdp, head.EpsilonAgainstCoordinatorPld),
                bound, request.Canaries, request.Unseen, models[0].Length, head.Round, CanaryScoring.ChangedRounds(models), confidence,
                EmpiricalEpsilon.DefaultResamples, Convert.ToHexStringLower(seed), [.. request.CanaryIds], testNoise.Scale, threats,
                threats.Any(t => t.Flagged) ? AuditReportDocument.Flagged : AuditReportDocument.Pass,
                "yes: the canaries took part like any participant, so every released model of this session includes their updates",
                Convert.ToHexStringLower(commitment));
            var json = report.Serialize();
            var signature = signer.SignDocument(Encoding.UTF8.GetBytes(json));
            await audits.InsertAsync(sessionId, report.RecordedAt, head.Sequence, head.EntryHash, json, signature, signer.PublicKey, ct);
            return new AuditReport { SessionId = sessionId, ReportJson = json, Signature = signature, PublicKey = signer.PublicKey };
        });
    }

    public override async Task<AuditReport> GetAudit(GetAuditRequest request, ServerCallContext context)
    {
        var sessionId = RpcGuard.Id(request.SessionId, "session_id");
        var stored = await RpcGuard.Call(() => audits.FindAsync(sessionId, context.CancellationToken))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Session '{sessionId}' has no audit report."));
        return new AuditReport { SessionId = sessionId, ReportJson = stored.ReportJson, Signature = stored.Signature, PublicKey = stored.PublicKey };
    }
}
