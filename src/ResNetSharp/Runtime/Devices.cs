using System.Globalization;
using TorchSharp;

namespace ResNetSharp.Runtime;

/// <summary>Turns a device name given by the user (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) into a torch device.</summary>
public static class Devices
{
    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Forms = "auto, cpu, cuda or cuda:N";

    /// <summary>The help text of a device setting.</summary>
    public const string Description = "Where to run: " + Forms + ". auto picks CUDA when it is available.";

    /// <summary>
    /// <c>auto</c> is CUDA when <c>torch.cuda.is_available()</c>, else the CPU; <c>cuda</c> is the first GPU.
    /// Throws <see cref="ResNetSharpException"/> when the spec is malformed, or CUDA is asked for and absent, or the GPU index is out of range.
    /// </summary>
    public static torch.Device Resolve(string spec)
    {
        var s = (spec ?? "").Trim().ToLowerInvariant();
        if (s == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (s == "cpu") return torch.CPU;
        if (s != "cuda" && !s.StartsWith("cuda:", StringComparison.Ordinal))
            throw new ResNetSharpException($"unknown device '{spec}': use {Forms}.");

        int index = 0;
        if (s.Length > 4 && !int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            throw new ResNetSharpException($"malformed device '{spec}': the GPU index after 'cuda:' must be a number, e.g. cuda:0.");
        if (!torch.cuda.is_available())
            throw new ResNetSharpException($"device '{spec}' was asked for but CUDA is not available (no GPU, or the CPU libtorch is loaded): use TrainOptions.Device cpu, or run on a CUDA libtorch (see README, 'Devices and CUDA').");
        int count = torch.cuda.device_count();
        if (index >= count)
            throw new ResNetSharpException($"device '{spec}' does not exist: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}.");
        return torch.device(DeviceType.CUDA, index);
    }
}
