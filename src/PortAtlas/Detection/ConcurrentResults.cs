using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace PortAtlas.Detection;

/// <summary>
/// The streaming shape both detectors share: results that need work are worked on at most N at a time, the others pass
/// at once, and output comes in the order work finishes. Stopping the consumer stops the work and waits for it.
/// </summary>
internal static class ConcurrentResults
{
    public static async IAsyncEnumerable<PortResult> TransformAsync(
        IAsyncEnumerable<PortResult> results,
        Func<PortResult, bool> needsWork,
        Func<PortResult, PortResult> passThrough,
        Func<PortResult, CancellationToken, Task<PortResult>> work,
        int concurrency,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var output = Channel.CreateBounded<PortResult>(new BoundedChannelOptions(concurrency * 2) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var pump = PumpAsync(results, needsWork, passThrough, work, concurrency, output.Writer, stop.Token);
        try
        {
            await foreach (var result in output.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                yield return result;
            }
            await pump.ConfigureAwait(false);
        }
        finally
        {
            // The consumer stopped early or failed: stop the pump and its work, then wait for them.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Expected after the cancel above.
            }
        }
    }

    private static async Task PumpAsync(
        IAsyncEnumerable<PortResult> results,
        Func<PortResult, bool> needsWork,
        Func<PortResult, PortResult> passThrough,
        Func<PortResult, CancellationToken, Task<PortResult>> work,
        int concurrency,
        ChannelWriter<PortResult> writer,
        CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var gate = new SemaphoreSlim(concurrency, concurrency);
        var running = new List<Task>();
        Exception? failure = null;
        try
        {
            await foreach (var result in results.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (!needsWork(result))
                {
                    await writer.WriteAsync(passThrough(result), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                running.Add(OneAsync(result));
                if (running.Count >= concurrency * 4)
                {
                    running.RemoveAll(t => t.IsCompleted);
                }
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled with the rest.
            }
        }
        finally
        {
            writer.TryComplete(failure);
        }

        async Task OneAsync(PortResult result)
        {
            try
            {
                var done = await work(result, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}
