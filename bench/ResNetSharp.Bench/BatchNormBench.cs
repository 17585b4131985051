using System.Diagnostics;
using System.Text.Json;
using ResNetSharp.Runtime;
using ResNetSharp.Runtime.Kernels;
using static TorchSharp.torch;

namespace ResNetSharp.Bench;

/// <summary>
/// The fused batch norm (<see cref="FusedBatchNorm"/>) on resnet20's Fashion-MNIST shapes at batch 128, bf16
/// channels_last, forward and backward, with and without the residual add. Usage: <c>batchnorm [--steps N]</c>. Prints
/// one JSON line per shape: milliseconds per forward and per backward pass, the best of five rounds after a warm-up round.
/// </summary>
internal static class BatchNormBench
{
    private const int Rounds = 5;

    public static void Run(string[] args)
    {
        int steps = DataLoadingBench.Option(args, "--steps", 200);
        foreach (var (channels, size) in new[] { (16, 28), (32, 14), (64, 7) })
            foreach (bool withSkip in new[] { false, true })
            {
                using var scope = NewDisposeScope();
                using var norm = nn.BatchNorm2d(channels);
                norm.train();
                var x = ChannelsLast.Convert(randn(128, channels, size, size).to(ScalarType.BFloat16)).requires_grad_();
                var skip = withSkip ? ChannelsLast.Convert(randn(128, channels, size, size).to(ScalarType.BFloat16)) : null;
                var grad = ChannelsLast.Convert(randn(128, channels, size, size).to(ScalarType.BFloat16));
                var (forward, backward) = (double.MaxValue, double.MaxValue);
                for (int round = -1; round < Rounds; round++)   // a warm-up round, then the best of the rounds
                {
                    var (f, b) = (new Stopwatch(), new Stopwatch());
                    for (int i = 0; i < steps; i++)
                    {
                        using var inner = NewDisposeScope();
                        f.Start();
                        var y = FusedBatchNorm.Apply(norm, x, skip);
                        f.Stop();
                        b.Start();
                        autograd.grad([y], [x], [grad]);   // no accumulation into x.grad, which would copy
                        b.Stop();
                    }
                    if (round < 0) continue;
                    forward = Math.Min(forward, f.Elapsed.TotalMilliseconds / steps);
                    backward = Math.Min(backward, b.Elapsed.TotalMilliseconds / steps);
                }
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    shape = $"128x{channels}x{size}x{size}", skip = withSkip, threads = get_num_threads(),
                    forward_ms = forward, backward_ms = backward,
                }));
            }
    }
}
