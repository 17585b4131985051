using ResNetSharp.Distributed;
using ResNetSharp.Runtime;

namespace ResNetSharp.Benchmarks;

/// <summary><c>resnet bench --distributed</c>: <see cref="SpeedBenchmark"/>'s training step on every rank of the launcher's job.</summary>
public static class DistributedBench
{
    /// <summary>Runs the data-parallel training benchmark on this rank; rank 0 gets the result, the others null.</summary>
    public static BenchResult? Run(BenchOptions options)
    {
        var launch = Launch.FromEnvironment();
        var device = launch.Device(Devices.Resolve(options.Device));
        using var group = launch.Create(device, TimeSpan.FromSeconds(300));
        try
        {
            var result = SpeedBenchmark.Run(options with { Device = device.ToString(), Mode = BenchMode.Train }, group);
            return group.IsMain ? result : null;
        }
        catch (Exception e)
        {
            throw group.Fail(e);
        }
    }
}
