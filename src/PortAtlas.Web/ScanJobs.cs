using System.Collections.Concurrent;
using PortAtlas.Scanning;
using PortAtlas.Storage;

namespace PortAtlas.Web;

/// <summary>A scan started from the page: its session while it runs, then the id it was saved under.</summary>
internal sealed class ScanJob
{
    public required int Id { get; init; }
    public required ScanPlan Plan { get; init; }
    public required DateTimeOffset Started { get; init; }
    public ScanProgress? Progress { get; set; }
    /// <summary>running, finished, interrupted or failed.</summary>
    public volatile string State = "running";
    public long? ScanId { get; set; }
    public string? Error { get; set; }
    public Task Completion { get; set; } = Task.CompletedTask;
}

/// <summary>Scans started from the page (<c>--allow-scans</c>), run in the background, saved to the store when they finish.</summary>
internal sealed class ScanJobs : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, ScanJob> _jobs = new();
    private readonly IScanStore _store;
    private readonly int _maxRunning;
    private readonly CancellationTokenSource _stopping = new();
    private int _next;

    public ScanJobs(IScanStore store, int maxRunning)
    {
        _store = store;
        _maxRunning = Math.Max(1, maxRunning);
    }

    public ScanJob? Get(int id) => _jobs.TryGetValue(id, out var job) ? job : null;

    public IReadOnlyList<ScanJob> All => [.. _jobs.Values.OrderByDescending(j => j.Id)];

    /// <summary>Starts <paramref name="plan"/>; the error when it cannot run here (too many running, raw sockets not permitted).</summary>
    public (ScanJob? Job, string? Error) Start(ScanPlan plan)
    {
        if (_jobs.Values.Count(j => j.State == "running") >= _maxRunning)
        {
            return (null, $"{_maxRunning} scans are running already: wait for one to finish");
        }
        var session = new ScanSession(plan, new ScanSessionOptions { Checkpoints = _store });
        if (session.Error is not null)
        {
            _ = session.DisposeAsync().AsTask();
            return (null, session.Error);
        }
        var job = new ScanJob { Id = Interlocked.Increment(ref _next), Plan = session.Plan, Started = DateTimeOffset.UtcNow, Progress = session.Progress };
        _jobs[job.Id] = job;
        job.Completion = Task.Run(() => RunAsync(job, session));
        return (job, null);
    }

    private async Task RunAsync(ScanJob job, ScanSession session)
    {
        try
        {
            await using (session.ConfigureAwait(false))
            {
                await foreach (var _ in session.RunAsync(_stopping.Token).ConfigureAwait(false))
                {
                }
                var report = session.BuildReport();
                if (session.Interrupted)
                {
                    job.State = "interrupted";
                    return;
                }
                var id = await _store.SaveAsync(report, new ScanMetadata { Targets = [.. session.Plan.Targets.ToSpecs()], ConfigJson = session.Plan.ToJson() }, CancellationToken.None).ConfigureAwait(false);
                if (session.CheckpointId != 0)
                {
                    await _store.DeleteCheckpointAsync(session.CheckpointId, CancellationToken.None).ConfigureAwait(false);
                }
                job.ScanId = id;
                job.State = "finished";
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            job.Error = ex.Message.Split('\n')[0];
            job.State = "failed";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var job in _jobs.Values)
        {
            try
            {
                await job.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        _stopping.Dispose();
    }
}
