using Grpc.Core;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// Admission control for the data plane (issue 11): at most Coordinator:MaxConcurrentDownloads model downloads and
/// Coordinator:MaxConcurrentUploads update uploads are served at once; the rest wait for a slot. A waiting upload is not
/// read, so HTTP/2 flow control holds its bytes at the participant (backpressure), and memory stays bounded by the slots,
/// not by the number of participants. A call that waits longer than Coordinator:AdmissionWaitSeconds is answered
/// UNAVAILABLE, saying so, and may be retried; nothing of it was taken.
/// </summary>
internal sealed class DataPlaneAdmission(IOptions<CoordinatorOptions> options)
{
    private readonly SemaphoreSlim _downloads = new(options.Value.MaxConcurrentDownloads);
    private readonly SemaphoreSlim _uploads = new(options.Value.MaxConcurrentUploads);
    private readonly TimeSpan _wait = TimeSpan.FromSeconds(options.Value.AdmissionWaitSeconds);

    public Task<Slot> EnterDownloadAsync(CancellationToken ct) => EnterAsync(_downloads, "model downloads", ct);

    public Task<Slot> EnterUploadAsync(CancellationToken ct) => EnterAsync(_uploads, "uploads", ct);

    private async Task<Slot> EnterAsync(SemaphoreSlim slots, string what, CancellationToken ct)
    {
        if (!await slots.WaitAsync(_wait, ct))
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"The coordinator is busy: all {what} slots stayed taken for {_wait.TotalSeconds:0} s; retry the call."));
        }
        return new Slot(slots);
    }

    /// <summary>A taken slot; disposing it frees the slot.</summary>
    public sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
