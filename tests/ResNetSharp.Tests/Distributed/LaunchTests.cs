using System.Net;
using System.Net.Sockets;
using ResNetSharp.Distributed;
using ResNetSharp.Distributed.Nccl;
using TorchSharp;

namespace ResNetSharp.Tests.Distributed;

public class LaunchTests
{
    private static Launch From(params (string Name, string Value)[] vars) =>
        Launch.FromEnvironment(name => vars.FirstOrDefault(v => v.Name == name).Value);

    [Fact]
    public void Mpirun_variables_give_rank_size_and_local_rank()
    {
        var l = From(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"));
        Assert.Equal(new Launch(3, 4, 1, "127.0.0.1", Launch.DefaultPort, UnderMpirun: true), l);
    }

    [Fact]
    public void Torchrun_variables_give_rank_size_local_rank_and_master()
    {
        var l = From(("RANK", "5"), ("WORLD_SIZE", "8"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "node0"), ("MASTER_PORT", "12345"));
        Assert.Equal(new Launch(5, 8, 1, "node0", 12345, UnderMpirun: false), l);
        Assert.Equal("cuda:1", l.Device(new torch.Device(DeviceType.CUDA, -1)).ToString());
        Assert.Equal("cuda:3", l.Device(new torch.Device(DeviceType.CUDA, 3)).ToString());
        Assert.Equal("cpu", l.Device(torch.CPU).ToString());
    }

    [Fact]
    public void No_launcher_is_a_world_of_one()
    {
        var l = From();
        Assert.Equal((0, 1, 0), (l.Rank, l.WorldSize, l.LocalRank));
        using var group = l.Create(torch.CPU, TimeSpan.FromSeconds(1));
        Assert.IsType<SingleProcessGroup>(group);
        using var t = torch.tensor(new[] { 1f, 2f });
        group.AllReduce(t, ReduceOp.Mean);
        Assert.Equal(new[] { 1f, 2f }, t.data<float>().ToArray());
        using var gathered = group.AllGather(t);
        Assert.Equal(new long[] { 1, 2 }, gathered.shape);
    }

    [Theory]
    [InlineData("WORLD_SIZE", "two", "WORLD_SIZE='two' is not a non-negative integer")]
    [InlineData("WORLD_SIZE", "2", "WORLD_SIZE=2 but RANK is not set")]
    public void Bad_variables_are_one_clear_error(string name, string value, string message) =>
        Assert.Contains(message, Assert.Throws<ResNetSharpException>(() => From((name, value))).Message);

    [Fact]
    public void Cpu_ranks_without_mpirun_are_one_clear_error()
    {
        var l = From(("RANK", "0"), ("WORLD_SIZE", "2"));
        var e = Assert.Throws<ResNetSharpException>(() => l.Create(torch.CPU, TimeSpan.FromSeconds(1)));
        Assert.Contains("launch with 'mpirun -np 2 resnet train TrainOptions.Distributed", e.Message);
        Assert.Contains("launch with 'mpirun -np 2 resnet train --distributed", ResNetSharp.Cli.Options.FlagNames.Translate(e.Message));   // as the CLI shows it
    }

    [Fact]
    public void A_missing_nccl_library_is_one_clear_error()
    {
        var message = NcclNative.LoadError("libnccl-not-installed.so.2");
        Assert.NotNull(message);
        Assert.Contains("NCCL (libnccl-not-installed.so.2) could not be loaded: put the directory that holds it on LD_LIBRARY_PATH", message);
        Assert.Contains("site-packages/nvidia/nccl/lib", message);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // Rank 0 hands its NCCL id to every other rank over TCP, even when they connect before it listens.
    [Fact]
    public async Task The_unique_id_reaches_every_rank()
    {
        int port = FreePort();
        var id = Enumerable.Range(0, 128).Select(i => (byte)(i * 7)).ToArray();
        var fetches = Enumerable.Range(0, 2).Select(_ => Task.Run(() => UniqueIdExchange.Fetch(128, "127.0.0.1", port, TimeSpan.FromSeconds(20)))).ToArray();
        await Task.Delay(300);
        await Task.Run(() => UniqueIdExchange.Serve(id, peers: 2, "127.0.0.1", port, TimeSpan.FromSeconds(20)));
        foreach (var f in fetches) Assert.Equal(id, await f);
    }

    [Fact]
    public void A_missing_rank_0_or_peer_times_out_with_a_clear_error()
    {
        int port = FreePort();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fetch = Assert.Throws<ResNetSharpException>(() => UniqueIdExchange.Fetch(128, "127.0.0.1", port, TimeSpan.FromSeconds(1)));
        Assert.Contains($"could not fetch the NCCL id from rank 0 at 127.0.0.1:{port} within 1 s", fetch.Message);
        var serve = Assert.Throws<ResNetSharpException>(() => UniqueIdExchange.Serve(new byte[128], 1, "127.0.0.1", port, TimeSpan.FromSeconds(1)));
        Assert.Contains($"rank 0 waited 1 s on 127.0.0.1:{port} for the other ranks to fetch the NCCL id", serve.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("--sync-bn needs --distributed", "--sync-bn")]
    [InlineData("--dist-timeout must be a positive number of seconds", "--distributed", "--dist-timeout", "0")]
    public void Bad_distributed_flags_are_one_line_errors(string message, params string[] flags)
    {
        var r = ResNetSharp.Tests.Cli.CliTests.Run(["train", "--device", "cpu", .. flags]);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
