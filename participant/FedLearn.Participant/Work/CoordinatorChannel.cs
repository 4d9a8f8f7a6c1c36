using FedLearn.Protos.V1;
using Grpc.Net.Client;

namespace FedLearn.Participant.Work;

/// <summary>
/// The daemon's gRPC channel to the coordinator: mutual TLS 1.3 with its enrolled certificate (plain text only to an http://
/// development coordinator). After a renewal <see cref="Refresh"/> opens a channel that presents the new certificate; the
/// previous one stays open for calls still under way and is closed at the next refresh.
/// </summary>
public sealed class CoordinatorChannel(ParticipantSettings settings) : IDisposable
{
    private readonly Lock _lock = new();
    private GrpcChannel _current = Open(settings);
    private GrpcChannel? _previous;

    public GrpcChannel Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public ParticipantService.ParticipantServiceClient Participant => new(Current);

    public void Refresh()
    {
        lock (_lock)
        {
            _previous?.Dispose();
            _previous = _current;
            _current = Open(settings);
        }
    }

    public static GrpcChannel Open(ParticipantSettings settings)
    {
        SocketsHttpHandler handler;
        if (settings.CoordinatorUrl.Scheme == Uri.UriSchemeHttps)
        {
            handler = (settings.Credentials ?? throw new InvalidOperationException(
                "An https:// coordinator needs this participant's credentials; enroll first (fedlearn-participant enroll).")).CreateHandler();
        }
        else
        {
            // HTTP/2 pings notice a coordinator that vanished without closing the connection.
            handler = new SocketsHttpHandler
            {
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            };
        }
        return GrpcChannel.ForAddress(settings.CoordinatorUrl, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            HttpHandler = handler,
            DisposeHttpClient = true,
        });
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _previous?.Dispose();
            _current.Dispose();
        }
    }
}
