using TorchSharp;

namespace ResNetSharp.Models.Inspection;

/// <summary>Inspects a configuration's network without allocating its weights, on libtorch's meta device (shapes only, no storage).</summary>
public static class MetaDevice
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Builds <c>new ResNet(config)</c> on the meta device and returns what <paramref name="read"/> reads from it
    /// (names, shapes, counts: not values). Even ResNet-1202 or Wide ResNet-101-2 take milliseconds.
    /// It switches torch's default device for the duration: do not build models on other threads meanwhile.
    /// </summary>
    public static T Inspect<T>(ResNetConfig config, Func<ResNet, T> read)
    {
        lock (Gate)
        {
            var previous = torch.get_default_device();
            torch.set_default_device(torch.META);
            try
            {
                using var model = new ResNet(config);
                return read(model);
            }
            finally
            {
                torch.set_default_device(previous);
            }
        }
    }

    /// <summary>The parameter count of <c>new ResNet(config)</c>.</summary>
    public static long ParameterCount(ResNetConfig config) => Inspect(config, m => m.parameters().Sum(p => p.numel()));
}
