using PortAtlas.Scanning;
using Spectre.Console;

namespace PortAtlas.Cli.Rendering;

/// <summary>A live progress line on stderr (only on a terminal): done, rate, open so far, ETA.</summary>
internal sealed class ProgressRenderer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressRenderer(IAnsiConsole console, Func<ScanProgress?> progress)
    {
        _loop = console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("scanning", maxValue: 1);
                while (!_stop.IsCancellationRequested)
                {
                    if (progress() is { } p)
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Completed;
                        task.Description = $"{p.Completed}/{p.Total} probes, {p.ProbesPerSecond:0}/s, {p.Open} open";
                    }
                    try
                    {
                        await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                task.StopTask();
            });
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _loop.GetAwaiter().GetResult();
            _stop.Dispose();
        }
    }
}
