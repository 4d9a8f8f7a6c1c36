using FedLearn.Identity;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The one place every call is authenticated and authorised, before any service code runs: the client certificate must
/// chain to the federation CA, be valid now and not be revoked; its role must be one <see cref="RpcPermissions"/> allows
/// for the method; and a participant may only name itself. Refusals are UNAUTHENTICATED or PERMISSION_DENIED with a reason,
/// and are logged. Operator actions (<see cref="AuditedActions"/>) are written to the audit log here too.
/// </summary>
internal sealed partial class AuthorizationInterceptor(
    IOptions<CoordinatorOptions> options, IServiceProvider services, AuditLogRepository auditLog, TimeProvider time,
    ILogger<AuthorizationInterceptor> logger) : Interceptor
{
    private readonly FederationCredentials? _federation =
        options.Value.InsecureDevelopmentPlaintext ? null : services.GetRequiredService<FederationCredentials>();

    private readonly IRevocationList? _revocations =
        options.Value.InsecureDevelopmentPlaintext ? null : services.GetRequiredService<IRevocationList>();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        BindParticipant(caller, request);
        var response = await continuation(request, context);
        if (AuditedActions.For(context.Method) is { } action)
        {
            await RecordAsync(action, caller, (IMessage)request, (IMessage)response, context);
        }
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        BindParticipant(caller, request);
        if (AuditedActions.For(context.Method) is { BeforeRelease: true } action)
        {
            await RecordAsync(action, caller, (IMessage)request, null, context);
        }
        await continuation(request, Rechecked(caller, responseStream, context), context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        return await continuation(Bound(caller, requestStream), context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var caller = await AuthorizeAsync(context);
        await continuation(Bound(caller, requestStream), responseStream, context);
    }

    private async Task<CallerIdentity?> AuthorizeAsync(ServerCallContext context)
    {
        var roles = RpcPermissions.For(context.Method);
        if (roles is null)
        {
            throw Refuse(context, null, StatusCode.PermissionDenied, $"{context.Method} is not a method this coordinator serves.");
        }
        var caller = await AuthenticateAsync(context, required: roles.Count > 0);
        if (caller is null)
        {
            return null;
        }
        if (roles.Count > 0 && !roles.Contains(caller.Role))
        {
            throw Refuse(context, caller, StatusCode.PermissionDenied,
                $"{MethodName(context)} needs the role {string.Join(" or ", roles.Order())}; your certificate '{caller.Name}' has the role {caller.Role}.");
        }
        caller.AttachTo(context);
        return caller;
    }

    /// <summary>The caller proven by its certificate; null for an anonymous call to a method that allows one.</summary>
    private async Task<CallerIdentity?> AuthenticateAsync(ServerCallContext context, bool required)
    {
        if (_federation is null)
        {
            return CallerIdentity.Development;
        }
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is null)
        {
            return required
                ? throw Refuse(context, null, StatusCode.Unauthenticated,
                    "This coordinator accepts only callers with a client certificate issued by the federation's CA; enroll first (docs/security.md).")
                : null;
        }
        var caller = VerifiedOnThisConnection(context, certificate);
        if (caller is null)
        {
            if (FederationTrust.Check(certificate, _federation.Ca.Certificate, time.GetUtcNow()) is { } untrusted)
            {
                throw Refuse(context, null, StatusCode.Unauthenticated, $"Client certificate refused: {untrusted}");
            }
            var identity = CertificateIdentity.TryRead(certificate, out var unreadable);
            if (identity is null || identity.Role == Roles.Coordinator)
            {
                throw Refuse(context, null, StatusCode.Unauthenticated, $"Client certificate refused: {unreadable ?? "it is the coordinator's own certificate."}");
            }
            caller = CallerIdentity.FromCertificate(identity);
            RememberOnThisConnection(context, certificate, caller);
        }
        if (await _revocations!.CheckAsync(caller, context.CancellationToken) is { } revoked)
        {
            throw Refuse(context, caller, StatusCode.Unauthenticated, $"Client certificate refused: {revoked}");
        }
        return caller;
    }

    private const string VerifiedCallerKey = "fedlearn.verified-caller";

    /// <summary>
    /// The caller already verified on this connection, if its certificate is still within its validity period. A TLS
    /// connection's client certificate never changes, so the chain to the CA is built once per connection rather than for
    /// every call (a chain build costs far more than the call itself; issue 11). Validity and revocation are still checked
    /// on every call.
    /// </summary>
    private CallerIdentity? VerifiedOnThisConnection(ServerCallContext context, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var items = context.GetHttpContext().Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items;
        if (items is null)
        {
            return null;
        }
        object? value;
        lock (items)
        {
            items.TryGetValue(VerifiedCallerKey, out value);
        }
        if (value is not (System.Security.Cryptography.X509Certificates.X509Certificate2 verified, CallerIdentity caller))
        {
            return null;
        }
        var now = time.GetUtcNow();
        return ReferenceEquals(verified, certificate) && certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime && now < caller.NotAfter ? caller : null;
    }

    private static void RememberOnThisConnection(ServerCallContext context, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, CallerIdentity caller)
    {
        var items = context.GetHttpContext().Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items;
        if (items is not null)
        {
            lock (items)
            {
                items[VerifiedCallerKey] = (certificate, caller);
            }
        }
    }

    /// <summary>
    /// Appends the action to the audit log. The actor is the caller's certificate (for Enroll, which has none yet, the
    /// identity it enrolled). If the log cannot be written the caller hears so: an action must not happen off the record.
    /// </summary>
    private async Task RecordAsync(AuditedActions.Action action, CallerIdentity? caller, IMessage request, IMessage? response, ServerCallContext context)
    {
        var (target, details) = action.Describe(request, response);
        var actor = caller ?? (response is Protos.V1.IssuedCertificate issued ? new CallerIdentity(issued.Name, issued.Role, "") : null);
        try
        {
            await auditLog.AppendAsync(actor?.Name ?? "anonymous", actor?.Role ?? "", action.Name, target, details, CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException e)
        {
            LogAuditFailed(e, action.Name, target);
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"{MethodName(context)}: the audit log could not be written ({e.Message}); " +
                (action.BeforeRelease ? "nothing was released." : "the action was done but is not on record; tell the operator.")));
        }
    }

    private void BindParticipant(CallerIdentity? caller, object? request)
    {
        if (caller is { IsDevelopment: false, Role: Roles.Participant } && request is IMessage message)
        {
            ParticipantIdBinding.Bind(message, caller.Name);
        }
    }

    private IAsyncStreamReader<TRequest> Bound<TRequest>(CallerIdentity? caller, IAsyncStreamReader<TRequest> requestStream) =>
        caller is { IsDevelopment: false, Role: Roles.Participant }
            ? new BindingStreamReader<TRequest>(requestStream, message => BindParticipant(caller, message))
            : requestStream;

    /// <summary>
    /// A long-lived stream (a participant's work stream) is checked again at every message it sends, heartbeats
    /// included: a revoked or expired certificate loses its stream within a heartbeat, not at its next call.
    /// </summary>
    private IServerStreamWriter<TResponse> Rechecked<TResponse>(CallerIdentity? caller, IServerStreamWriter<TResponse> stream, ServerCallContext context) =>
        caller is { IsDevelopment: false }
            ? new RecheckingStreamWriter<TResponse>(stream, async () =>
            {
                if (caller.NotAfter <= time.GetUtcNow())
                {
                    throw Refuse(context, caller, StatusCode.Unauthenticated, "Client certificate refused: the certificate has expired.");
                }
                if (await _revocations!.CheckAsync(caller, context.CancellationToken) is { } revoked)
                {
                    throw Refuse(context, caller, StatusCode.Unauthenticated, $"Client certificate refused: {revoked}");
                }
            })
            : stream;

    private RpcException Refuse(ServerCallContext context, CallerIdentity? caller, StatusCode code, string reason)
    {
        LogRefused(MethodName(context), caller?.ToString() ?? "anonymous", context.Peer, code, reason);
        return new RpcException(new Status(code, reason));
    }

    private static string MethodName(ServerCallContext context) => context.Method.TrimStart('/');

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Action} on {Target} to the audit log")]
    private partial void LogAuditFailed(Exception e, string action, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Caller} at {Peer}: {Status} {Reason}")]
    private partial void LogRefused(string method, string caller, string peer, StatusCode status, string reason);

    private sealed class RecheckingStreamWriter<T>(IServerStreamWriter<T> inner, Func<Task> check) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task WriteAsync(T message)
        {
            await check();
            await inner.WriteAsync(message);
        }

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await check();
            await inner.WriteAsync(message, cancellationToken);
        }
    }

    /// <summary>Checks every message of a client stream as it is read (an upload names its participant in its first message).</summary>
    private sealed class BindingStreamReader<T>(IAsyncStreamReader<T> inner, Action<T> check) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }
            check(inner.Current);
            return true;
        }
    }
}
