using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace FedLearn.Coordinator.Hosting;

/// <summary>Serilog for the host: readable console lines and a JSON file. Logs carry ids and counts, never data, updates or secrets.</summary>
public static class CoordinatorLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static Serilog.ILogger CreateBootstrapLogger() =>
        new LoggerConfiguration().WriteTo.Console(outputTemplate: ConsoleTemplate).CreateBootstrapLogger();

    public static void AddCoordinatorLogging(this IHostApplicationBuilder builder)
    {
        var logDirectory = builder.Configuration[$"{CoordinatorOptions.SectionName}:LogDirectory"];
        builder.Services.AddSerilog(configuration =>
        {
            configuration
                .MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
                .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
                .MinimumLevel.Override("Polly", LogEventLevel.Warning)
                // grpc-dotnet logs an unparseable request with its stack trace; MalformedRequests logs one line instead.
                .Filter.ByExcluding(e => Services.MalformedRequests.IsParseFailure(e.Exception))
                .Enrich.FromLogContext()
                .WriteTo.Console(outputTemplate: ConsoleTemplate);
            if (!string.IsNullOrWhiteSpace(logDirectory))
            {
                configuration.WriteTo.File(
                    new CompactJsonFormatter(), Path.Combine(logDirectory, "coordinator-.json"),
                    rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
            }
        });
    }
}
