using FedLearn.Protos.V1;
using Grpc.Net.Client;

namespace FedLearn.Participant.Work;

/// <summary>
/// The daemon's gRPC channel to the coordinator: mutual TLS 1.3 with its enrolled certificate (plain text only to an http://
/// development coordinator). After a renewal <see cref="Refresh"/> opens a channel that presents the new certificate; with
/// several coordinator addresses (a cluster) <see cref="Failover"/> moves to the next one. The previous channel stays
/// open for calls still under way and is closed at the next switch.
/// </summary>
public sealed class CoordinatorChannel : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ParticipantSettings _settings;
    private readonly IReadOnlyList<Uri> _addresses;
    private int _index;
    private GrpcChannel _current;
    private GrpcChannel? _previous;

    public CoordinatorChannel(ParticipantSettings settings)
    {
        _settings = settings;
        _addresses = settings.CoordinatorUrls;
        _current = Open(settings, _addresses[0]);
    }

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

    /// <summary>The coordinator address the current channel talks to.</summary>
    public Uri Address
    {
        get
        {
            lock (_lock)
            {
                return _addresses[_index];
            }
        }
    }

    public ParticipantService.ParticipantServiceClient Participant => new(Current);

    /// <summary>Reopens the channel to the same coordinator (e.g. to present a renewed certificate).</summary>
    public void Refresh() => SwitchTo(0);

    /// <summary>
    /// Moves to the next coordinator address, round-robin, and returns true; false (and nothing changes) when there is
    /// only one address.
    /// </summary>
    public bool Failover()
    {
        if (_addresses.Count == 1)
        {
            return false;
        }
        SwitchTo(1);
        return true;
    }

    private void SwitchTo(int step)
    {
        lock (_lock)
        {
            _index = (_index + step) % _addresses.Count;
            _previous?.Dispose();
            _previous = _current;
            _current = Open(_settings, _addresses[_index]);
        }
    }

    public static GrpcChannel Open(ParticipantSettings settings) => Open(settings, settings.CoordinatorUrl);

    private static GrpcChannel Open(ParticipantSettings settings, Uri address)
    {
        SocketsHttpHandler handler;
        if (address.Scheme == Uri.UriSchemeHttps)
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
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
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
