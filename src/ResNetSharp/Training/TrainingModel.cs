using ResNetSharp.Data;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Models;
using ResNetSharp.TransferLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// The model a training configuration trains, as <see cref="Trainer"/> and <see cref="LrFinder"/> both set it up: the
/// named model (or the given one) with its drop-path rate, checked against the data's classes, the pretrained backbone
/// loaded, layers frozen, on the device in the fast layout (before any optimizer sees its parameters).
/// </summary>
internal static class TrainingModel
{
    /// <summary>
    /// Prepares <paramref name="given"/>, or creates the named model when it is null (the caller then owns it);
    /// <paramref name="loadWeights"/> is false on resume, whose checkpoint holds the weights.
    /// </summary>
    public static ResNet Prepare(TrainOptions o, DataSource source, ResNet? given, bool loadWeights, Device device, out FreezeSpec freeze)
    {
        var net = given ?? ResNet.Create(o.Model, numClasses: source.Classes.Count, inChannels: source.InputSize.Channels);
        try
        {
            if (o.DropPath is { } rate) net.DropPathRate = rate;
            if (o.NumClasses is { } n && n != source.Classes.Count)
                throw new ResNetSharpException($"TrainOptions.NumClasses {n} does not match '{source.Name}', which has {source.Classes.Count} classes: leave TrainOptions.NumClasses out or use {source.Classes.Count}.");
            if (net.Config.NumClasses != source.Classes.Count)
                throw new ResNetSharpException($"the model has {net.Config.NumClasses} outputs but '{source.Name}' has {source.Classes.Count} classes: create it with numClasses: {source.Classes.Count}.");
            if (o.Weights is not null && loadWeights) Transfer.LoadBackboneFile(net, PretrainedWeights.Resolve(o.Model, o.Weights));
            freeze = FreezeSpec.Parse(o.Freeze);
            Transfer.Freeze(net, freeze);
            net.to(device);
            Runtime.FastPath.Prepare(net, o.ChannelsLast);   // channels_last weights, cuDNN benchmark
            return net;
        }
        catch
        {
            if (given is null) net.Dispose();
            throw;
        }
    }

    /// <summary>Training mode, with the batch norms of frozen layers kept in evaluation mode.</summary>
    public static void TrainMode(ResNet net, FreezeSpec freeze)
    {
        net.train();
        Transfer.ApplyFrozenBatchNormEval(net, freeze);
    }
}
