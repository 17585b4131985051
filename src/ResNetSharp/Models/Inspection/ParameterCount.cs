using TorchSharp;

namespace ResNetSharp.Models.Inspection;

/// <summary>Counts a configuration's parameters without allocating its weights.</summary>
public static class ParameterCount
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// The parameter count of <c>new ResNet(config)</c>, found by building the network on libtorch's meta device
    /// (shapes only, no storage), so even ResNet-1202 or Wide ResNet-101-2 take milliseconds.
    /// It switches torch's default device for the duration: do not build models on other threads meanwhile.
    /// </summary>
    public static long Of(ResNetConfig config)
    {
        lock (Gate)
        {
            var previous = torch.get_default_device();
            torch.set_default_device(torch.META);
            try
            {
                using var model = new ResNet(config);
                return model.parameters().Sum(p => p.numel());
            }
            finally
            {
                torch.set_default_device(previous);
            }
        }
    }
}
