using System.Net;
using System.Net.Sockets;

namespace Knd.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder that a test can cut: while cut, open connections are reset and new ones
/// are accepted but never forwarded (a partition as the client sees it: nothing answers).
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool Cut
    {
        get => _cut;
        set
        {
            _cut = value;
            if (value)
            {
                lock (_gate)
                {
                    foreach (var client in _open)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Dispose();
                    }

                    _open.Clear();
                }
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            lock (_gate)
            {
                _open.Add(client);
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        try
        {
            while (_cut && !_stop.IsCancellationRequested)
            {
                // Held open, never forwarded: the client waits for an answer that does not come.
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, _stop.Token);
            }

            await upstream.ConnectAsync(_target, _stop.Token);
            lock (_gate)
            {
                _open.Add(upstream);
            }

            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception)
        {
            // A reset, a cut or the end of the test: the connection is simply gone.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }

            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_gate)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }

        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
