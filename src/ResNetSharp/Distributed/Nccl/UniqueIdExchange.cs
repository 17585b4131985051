using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ResNetSharp.Distributed.Nccl;

/// <summary>
/// Hands rank 0's NCCL unique id to the other ranks over TCP, as torchrun's store does: rank 0 listens on
/// MASTER_ADDR:MASTER_PORT and sends the id to each of the WORLD_SIZE − 1 ranks that connect; they retry until it
/// answers. Either side gives up after the timeout with an error naming the address.
/// </summary>
public static class UniqueIdExchange
{
    /// <summary>Rank 0: serves <paramref name="id"/> on <paramref name="port"/> (all interfaces) to <paramref name="peers"/> connections, then returns.</summary>
    public static void Serve(byte[] id, int peers, string address, int port, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var listener = new TcpListener(IPAddress.Any, port);
        try
        {
            listener.Start();
            for (int served = 0; served < peers; served++)
            {
                using var client = listener.AcceptTcpClientAsync(cancel.Token).AsTask().GetAwaiter().GetResult();
                using var stream = client.GetStream();
                stream.WriteAsync(id, cancel.Token).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException)
        {
            throw new ResNetSharpException($"rank 0 waited {timeout.TotalSeconds:G} s on {address}:{port} for the other ranks to fetch the NCCL id; not all came: start every rank, with the same MASTER_ADDR and MASTER_PORT.");
        }
        catch (SocketException e)
        {
            throw new ResNetSharpException($"rank 0 cannot listen on {address}:{port} for the NCCL id ({e.Message}): choose another MASTER_PORT.");
        }
        finally { listener.Stop(); }
    }

    /// <summary>Ranks 1 …: connects to rank 0 (retrying while it starts) and reads the id.</summary>
    public static byte[] Fetch(int bytes, string address, int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                using var cancel = new CancellationTokenSource(timeout - clock.Elapsed);
                using var client = new TcpClient();
                client.ConnectAsync(address, port, cancel.Token).AsTask().GetAwaiter().GetResult();
                using var stream = client.GetStream();
                var id = new byte[bytes];
                stream.ReadExactlyAsync(id, cancel.Token).AsTask().GetAwaiter().GetResult();
                return id;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                last = e.Message;
                Thread.Sleep(100);
            }
        }
        throw new ResNetSharpException($"could not fetch the NCCL id from rank 0 at {address}:{port} within {timeout.TotalSeconds:G} s ({last ?? "timed out"}): check that rank 0 runs and MASTER_ADDR/MASTER_PORT point at it.");
    }
}
