using Microsoft.Extensions.Time.Testing;

namespace PortAtlas.Tests.Detection;

/// <summary>
/// A <see cref="FakeTimeProvider"/> for detection against real loopback sockets: the sockets stay real, only the clock is
/// fake. <see cref="RunAsync{T}"/> moves the clock forward in small steps, giving the code a slice of real time between
/// steps to do its socket work, up to a limit; past the limit the clock stands still, so code that finishes only on a
/// deadline of its own must have armed it on this clock. Timeouts of many seconds then take a fraction of one, and a test
/// reads on the fake clock exactly when the code gave up.
/// </summary>
internal sealed class SteppingClock : TimeProvider
{
    /// <summary>Real time the code gets between two steps of the fake clock.</summary>
    private static readonly TimeSpan s_slice = TimeSpan.FromMilliseconds(15);

    /// <summary>Real time allowed, once the clock stands still, for the code to finish: only a guard against hanging.</summary>
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _start;
    private int _timers;

    public SteppingClock() => _start = _fake.GetUtcNow();

    /// <summary>Fake time since the clock was made.</summary>
    public TimeSpan Elapsed => _fake.GetUtcNow() - _start;

    /// <summary>Timers (Task.Delay, timed cancellation sources) created on this clock so far.</summary>
    public int TimersCreated => Volatile.Read(ref _timers);

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return _fake.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>
    /// Starts <paramref name="work"/> and steps the clock by <paramref name="step"/> until the work completes or the clock
    /// reaches <paramref name="limit"/>; then waits for it without moving the clock. Returns the result and the fake time
    /// at which the work was seen complete (at most <paramref name="limit"/>). Fails when the work does not complete.
    /// </summary>
    public async Task<(T Result, TimeSpan Elapsed)> RunAsync<T>(Func<Task<T>> work, TimeSpan limit, TimeSpan step, CancellationToken cancellationToken)
    {
        var task = work();
        // The code's first timer is its own deadline (the port's budget): the clock must not move before it exists.
        for (var i = 0; i < 2000 && TimersCreated == 0 && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken));
        }
        while (!task.IsCompleted && Elapsed < limit)
        {
            await Task.WhenAny(task, Task.Delay(s_slice, cancellationToken));
            if (!task.IsCompleted)
            {
                _fake.Advance(step < limit - Elapsed ? step : limit - Elapsed);
            }
        }
        var seen = Elapsed;
        var finished = await Task.WhenAny(task, Task.Delay(s_grace, cancellationToken));
        Assert.True(finished == task, $"still running {s_grace.TotalSeconds} s (real) after the fake clock stopped at {Elapsed}: a wait that does not honour the clock");
        return (await task, seen);
    }
}
