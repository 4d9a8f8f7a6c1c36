using System.Security.Cryptography;
using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.Ledger;
using FedLearn.Protos.V1;
using FedLearn.Training;
using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.Coordinator.Services;

/// <summary>The admin API: a thin mapping from gRPC to session grains and, for history, to the stored rounds and checkpoints.</summary>
internal sealed class AdminApi(IGrainFactory grains, SessionRepository sessions, LedgerRepository ledger, LedgerSigner signer) : AdminService.AdminServiceBase
{
    private const int ExportChunkBytes = 256 * 1024;
    private static readonly TimeSpan WatchPollInterval = TimeSpan.FromMilliseconds(250);

    public override async Task<SessionStatus> CreateSession(CreateSessionRequest request, ServerCallContext context)
    {
        if (request.Config is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "config is required."));
        }
        var definition = ProtoMapping.ToDefinition(request.Config);
        var id = NewSessionId();
        return ProtoMapping.ToProto(await RpcGuard.Call(() => Session(id).Create(definition)));
    }

    public override async Task<SessionStatus> StartSession(SessionRequest request, ServerCallContext context) =>
        ProtoMapping.ToProto(await RpcGuard.Call(() => Session(request.SessionId).Start()));

    public override async Task<SessionStatus> StopSession(SessionRequest request, ServerCallContext context) =>
        ProtoMapping.ToProto(await RpcGuard.Call(() => Session(request.SessionId).Stop("Stopped by an operator.")));

    public override async Task<SessionStatus> GetSessionStatus(SessionRequest request, ServerCallContext context) =>
        await WithStoredLedgerKeyCheckAsync(ProtoMapping.ToProto(await RpcGuard.Call(() => Session(request.SessionId).GetSnapshot())), context.CancellationToken);

    /// <summary>
    /// The session grain read its ledger header when it was activated; the database may have been changed since. Status
    /// compares the header stored now with the key the coordinator signs with, so a re-keyed ledger is flagged at once.
    /// </summary>
    private async Task<SessionStatus> WithStoredLedgerKeyCheckAsync(SessionStatus status, CancellationToken ct)
    {
        if (status.LedgerPublicKey.Length > 0 && status.LedgerKeyProblem.Length == 0
            && await RpcGuard.Call(() => ledger.LoadHeaderAsync(status.SessionId, ct)) is { } header)
        {
            status.LedgerKeyProblem = signer.ForeignKeyProblem(header.PublicKey) ?? "";
        }
        return status;
    }

    public override async Task<ListSessionsReply> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var records = await RpcGuard.Call(() => sessions.ListAsync(null, context.CancellationToken));
        var reply = new ListSessionsReply();
        foreach (var record in records)
        {
            reply.Sessions.Add(ProtoMapping.ToProto(await Session(record.SessionId).GetSnapshot()));
        }
        return reply;
    }

    public override async Task WatchSession(SessionRequest request, IServerStreamWriter<SessionStatus> responseStream, ServerCallContext context)
    {
        var session = Session(request.SessionId);
        var ct = context.CancellationToken;
        long lastVersion = -1;
        while (!ct.IsCancellationRequested)
        {
            var snapshot = await RpcGuard.Call(session.GetSnapshot);
            if (snapshot.Version != lastVersion)
            {
                lastVersion = snapshot.Version;
                await responseStream.WriteAsync(ProtoMapping.ToProto(snapshot), ct);
            }
            if (snapshot.IsFinished)
            {
                return;
            }
            await Task.Delay(WatchPollInterval, ct);
        }
    }

    public override async Task<RoundDetails> GetRound(GetRoundRequest request, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.SessionId, "session_id");
        var attempts = await RpcGuard.Call(() => sessions.ListRoundsAsync(id, RpcGuard.Round(request.Round), context.CancellationToken));
        var round = attempts.FirstOrDefault(r => r.Outcome == RoundOutcome.Committed) ?? attempts.LastOrDefault()
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Session '{id}' has no record of round {request.Round}."));
        return ProtoMapping.ToProto(round);
    }

    public override async Task ExportModel(ExportModelRequest request, IServerStreamWriter<ExportChunk> responseStream, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.SessionId, "session_id");
        if (request.Round < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "round cannot be negative."));
        }
        if (request.Initial && request.Round != 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "initial exports round 0; leave round at 0."));
        }
        var ct = context.CancellationToken;
        var record = await RpcGuard.Call(() => sessions.FindAsync(id, ct))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Session '{id}' does not exist."));
        if (request.Initial)
        {
            // The initial model is the engineer's choice, made before any participant's data was seen: releasing it costs
            // no privacy, so it leaves without a ledger entry (docs/audit.md needs it to recompute an audit).
            var initial = await RpcGuard.Call(() => sessions.FindCheckpointAsync(id, 0, ct))
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"Session '{id}' has no initial model."));
            await WriteModelAsync(responseStream, record, initial, ModelProvenance.Initial(id), ct);
            return;
        }
        var checkpoint = await RpcGuard.Call(() => sessions.FindCheckpointAsync(id, request.Round == 0 ? null : request.Round, ct));
        if (checkpoint is null || checkpoint.Round == 0)
        {
            throw new RpcException(new Status(StatusCode.NotFound, request.Round == 0
                ? $"Session '{id}' has no committed round yet."
                : $"Session '{id}' has no checkpoint for round {request.Round}."));
        }
        // A model of a session with a ledger leaves only with its entry: none would be the worst bug this product can have.
        var header = await RpcGuard.Call(() => ledger.LoadHeaderAsync(id, ct));
        var entry = header is null ? null : await RpcGuard.Call(() => ledger.LoadEntryAsync(id, checkpoint.Round, ct));
        if (header is not null && (entry is null || entry.ModelSha256 != checkpoint.Sha256))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Round {checkpoint.Round} of session '{id}' has no matching privacy-ledger entry; refusing to export its model."));
        }
        // The provenance names this coordinator's key, never the database's: a re-keyed ledger, or an entry this key did not
        // sign, would otherwise lend its figures to the model (issue 9, item 10).
        if (header is not null && header.PublicKey != signer.PublicKey)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The privacy ledger of session '{id}' is bound to key sha256 {LedgerSigner.Fingerprint(header.PublicKey)}, not this coordinator's " +
                $"key sha256 {signer.PublicKeySha256}; refusing to export a model under it."));
        }
        if (entry is not null && !signer.HasSigned(entry))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The privacy-ledger entry of round {checkpoint.Round} of session '{id}' is not signed by this coordinator's key; refusing to export its model."));
        }
        await WriteModelAsync(responseStream, record, checkpoint, ModelProvenance.For(id, checkpoint.Round, header, entry, signer.PublicKey), ct);
    }

    private static async Task WriteModelAsync(
        IServerStreamWriter<ExportChunk> responseStream, SessionRecord record, Checkpoint checkpoint, IReadOnlyDictionary<string, string> provenance, CancellationToken ct)
    {
        var onnx = OnnxModelBuilder.ExportModel(ModelSpecMapping.ToSpec(record.Definition.Model), checkpoint.Weights, provenance);
        for (var offset = 0; offset < onnx.Length; offset += ExportChunkBytes)
        {
            var chunk = new ExportChunk { Data = ByteString.CopyFrom(onnx, offset, Math.Min(ExportChunkBytes, onnx.Length - offset)) };
            if (offset == 0)
            {
                chunk.Round = checkpoint.Round;
                chunk.CheckpointSha256 = checkpoint.Sha256;
            }
            await responseStream.WriteAsync(chunk, ct);
        }
    }

    public override async Task<LedgerExport> GetLedger(SessionRequest request, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.SessionId, "session_id");
        var document = await RpcGuard.Call(() => ledger.LoadDocumentAsync(id, context.CancellationToken));
        if (document is null)
        {
            var exists = await RpcGuard.Call(() => sessions.FindAsync(id, context.CancellationToken)) is not null;
            throw new RpcException(new Status(StatusCode.NotFound, exists
                ? $"Session '{id}' was created without differential privacy; it has no privacy ledger."
                : $"Session '{id}' does not exist."));
        }
        return new LedgerExport { Json = LedgerJson.Serialize(document) };
    }

    private ISessionGrain Session(string sessionId) => grains.GetGrain<ISessionGrain>(RpcGuard.Id(sessionId, "session_id"));

    /// <summary>"s-" and 12 hex digits from the CSPRNG: unguessable enough that ids do not leak how many sessions exist.</summary>
    private static string NewSessionId() => "s-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
