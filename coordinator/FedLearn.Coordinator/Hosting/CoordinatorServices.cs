using FedLearn.Coordinator.Grains.Evaluation;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Security;
using FedLearn.Coordinator.Services;
using FedLearn.Ledger;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace FedLearn.Coordinator.Hosting;

/// <summary>Registers everything the coordinator runs: options, PostgreSQL, the Orleans silo, the gRPC services.</summary>
public static class CoordinatorServices
{
    public static void AddCoordinatorServices(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(CoordinatorOptions.SectionName);
        builder.Services.AddOptions<CoordinatorOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<CoordinatorOptions>() ?? new CoordinatorOptions();
        CoordinatorCluster.Validate(options);

        var connectionString = builder.Configuration.GetConnectionString("FedLearn")
            ?? throw new InvalidOperationException("ConnectionStrings:FedLearn is not set.");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<SessionRepository>();
        builder.Services.AddSingleton<RoundAttemptRepository>();
        builder.Services.AddSingleton<ParticipantRepository>();
        builder.Services.AddSingleton<LedgerRepository>();
        builder.Services.AddSingleton<IdentityRepository>();
        builder.Services.AddSingleton<AuditLogRepository>();
        builder.Services.AddSingleton(sp => LedgerSigner.LoadOrCreate(sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.LedgerKeyPath));
        builder.Services.AddSingleton<IRoundCommitWriter, LedgerCommitWriter>();
        builder.Services.AddSingleton<Audit.AuditRepository>();
        // Always honest here; no setting can change it (Audit.TestOnlyNoiseRecorder says why and who can).
        builder.Services.AddSingleton(Grains.Rounds.TestOnlyNoise.Honest);
        builder.Services.AddHostedService<Audit.TestOnlyNoiseRecorder>();
        builder.Services.AddSingleton<ITestSetEvaluator>(sp => new TestSetEvaluator(
            sp.GetRequiredService<IOptions<CoordinatorOptions>>().Value.TestData,
            sp.GetRequiredService<ILogger<TestSetEvaluator>>()));

        builder.UseOrleans(silo =>
        {
            CoordinatorCluster.Configure(silo, options);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
            // Grain calls carry the W3C trace context, so a round's spans follow it from gRPC call to grain to grain.
            silo.AddActivityPropagation();
        });
        builder.AddCoordinatorTelemetry(options);
        builder.Services.AddHostedService<RunningSessionsResumer>();

        builder.AddTransportSecurity(options);
        builder.Services.AddSingleton<AuthorizationInterceptor>();
        builder.Services.AddSingleton<DataPlaneAdmission>();
        builder.Services.AddSingleton<UpdateBufferPool>();
        builder.Services.AddGrpc(grpc =>
        {
            // Every call of every service passes the one authentication and authorization check first.
            grpc.Interceptors.Add<AuthorizationInterceptor>();
            grpc.EnableDetailedErrors = false;
            grpc.MaxReceiveMessageSize = 8 * 1024 * 1024;
            grpc.Interceptors.Add<RequestLimitsInterceptor>();
        })
        // CreateSession may carry an imported ONNX model (the CLI accepts up to 256 MiB); updates stay in 256 KiB chunks.
        .AddServiceOptions<AdminApi>(admin => admin.MaxReceiveMessageSize = 257 * 1024 * 1024);
    }

    public static void MapCoordinatorEndpoints(this WebApplication app)
    {
        app.UseMiddleware<MalformedRequests>();
        app.MapGrpcService<ParticipantApi>();
        app.MapGrpcService<AdminApi>();
        app.MapGrpcService<IdentityApi>();
        app.MapGrpcService<Audit.AuditApi>();
        app.WarnIfInsecure();
        app.MapGet("/healthz", () => Results.Text("ok"));
    }
}
