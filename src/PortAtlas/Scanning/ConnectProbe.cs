using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace PortAtlas.Scanning;

/// <summary>
/// One reusable connection attempt with a timeout: a <see cref="SocketAsyncEventArgs"/> awaited as a
/// <see cref="ValueTask{TResult}"/>, so that a probe allocates no completion objects and reports errors as values,
/// not exceptions. Each worker owns one and runs one attempt at a time.
/// </summary>
/// <remarks>
/// Linux keeps retrying an unanswered SYN for about two minutes, so the timeout is ours: the timer closes the socket,
/// which aborts the pending connect with OperationAborted (what <see cref="Socket.CancelConnectAsync"/> does). The timer
/// only closes a socket whose attempt is still pending, under a lock, so it never touches the next attempt's socket.
/// </remarks>
internal sealed class ConnectProbe : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<SocketError> _source;
    private Socket? _pendingSocket;
    private bool _timedOut;
    private bool _aborted;

    public ConnectProbe(TimeProvider timeProvider)
        : base(unsafeSuppressExecutionContextFlow: true)
    {
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(static s => ((ConnectProbe)s!).Interrupt(stop: false), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True when the last attempt was cut short by its timeout.</summary>
    public bool TimedOut => _timedOut;

    /// <summary>True once <see cref="Abort"/> was called: the scan is stopping.</summary>
    public bool Aborted => Volatile.Read(ref _aborted);

    /// <summary>Timestamp (of the time provider) when the last attempt started.</summary>
    public long StartedAt { get; private set; }

    /// <summary>Timestamp when the last attempt completed.</summary>
    public long CompletedAt { get; private set; }

    /// <summary>Starts connecting <paramref name="socket"/> to <paramref name="remote"/>; completes with the socket error, or OperationAborted on timeout.</summary>
    public ValueTask<SocketError> ConnectAsync(Socket socket, IPEndPoint remote, TimeSpan timeout)
    {
        _source.Reset();
        RemoteEndPoint = remote;
        lock (_gate)
        {
            _pendingSocket = socket;
            _timedOut = false;
        }
        if (Aborted)
        {
            SocketError = SocketError.OperationAborted;
            Finish();
            return new ValueTask<SocketError>(this, _source.Version);
        }
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        StartedAt = _timeProvider.GetTimestamp();
        bool pending;
        try
        {
            pending = socket.ConnectAsync(this);
        }
        catch (ObjectDisposedException)
        {
            // The timer or Abort closed the socket before the call: nothing was sent.
            SocketError = SocketError.OperationAborted;
            pending = false;
        }
        if (!pending)
        {
            Finish();
        }
        return new ValueTask<SocketError>(this, _source.Version);
    }

    /// <summary>Cuts the attempt in flight short and makes later attempts fail at once: the scan is stopping.</summary>
    public void Abort()
    {
        Volatile.Write(ref _aborted, true);
        Interrupt(stop: true);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Finish();

    private void Finish()
    {
        CompletedAt = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            _pendingSocket = null;
        }
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _source.SetResult(_aborted && SocketError == SocketError.Success ? SocketError.OperationAborted : SocketError);
    }

    private void Interrupt(bool stop)
    {
        Socket? socket;
        lock (_gate)
        {
            socket = _pendingSocket;
            if (socket is null)
            {
                return;
            }
            if (!stop)
            {
                _timedOut = true;
            }
        }
        socket.Dispose();
    }

    public new void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _source.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _source.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _source.OnCompleted(continuation, state, token, flags);
}
