using ResNetSharp.Models;

namespace ResNetSharp.Tests.Architecture;

public class LayeringTests
{
    /// <summary>
    /// The library's folders from the bottom up: a folder uses only folders on earlier lines (folders on one line are
    /// independent of each other). A new folder gets a line here.
    /// </summary>
    private static readonly string[][] Layers =
    [
        ["IO", "Runtime", "Settings"],  // files, downloads, the font; devices, precision, kernels; option declarations
        ["Models"],                     // the networks
        ["Distributed"],                // process groups, data-parallel wrappers
        ["Data"],                       // sources, decoding, loaders (sharded by Distributed's sampler)
        ["Interop"],                    // safetensors, torchvision weights, ONNX
        ["Runs"],                       // checkpoints, a run directory's files, epoch metrics
        ["Inference"],                  // predictor and engines, from checkpoints or weights
        ["Evaluation", "Quantization"], // accuracy and confusion over a loader; int8 QDQ ONNX from a predictor
        ["Explain", "TransferLearning"], // Grad-CAM and error analysis; freezing and head replacement
        ["Training"],                   // trainer, optimizers, schedules, LR finder
        ["Experiments", "Benchmarks"],  // He et al.'s experiments; speed and loader benchmarks
        ["Reports"],                    // every chart (curves, LR finder, confusion, experiments) and the HTML run report
    ];

    private static readonly Lazy<FolderGraph> Library = new(() => FolderGraph.Of(typeof(ResNet).Assembly, "ResNetSharp"));

    [Fact]
    public void Library_folders_depend_on_each_other_without_a_cycle()
    {
        var cycle = Library.Value.FindCycle();
        Assert.True(cycle is null, cycle is null ? "" : "folder cycle: " + Library.Value.Describe(cycle));
    }

    [Fact]
    public void Every_folder_uses_only_folders_of_earlier_layers()
    {
        var layer = Layers.SelectMany((folders, i) => folders.Select(f => (f, i))).ToDictionary(x => x.f, x => x.i);
        var graph = Library.Value;
        Assert.Empty(graph.Folders.Where(f => !layer.ContainsKey(f)).Select(f => $"folder {f} has no layer in {nameof(Layers)}"));
        Assert.Empty(layer.Keys.Where(f => !graph.Folders.Contains(f)).Select(f => $"layer folder {f} no longer exists"));
        var upward = graph.Edges.SelectMany(e => e.Value.Where(to => layer[to.Key] >= layer[e.Key])
            .Select(to => $"{e.Key} → {to.Key} ({to.Value})"));
        Assert.Empty(upward);
    }

    [Fact]
    public void Charts_are_drawn_in_Reports_only()
    {
        // Training and the LR finder raise events or return data; Reports draws. Elsewhere ScottPlot is only the embedded
        // font's registration (IO.Fonts) and the Grad-CAM overlay's colour map (an image, not a chart).
        var uses = FolderGraph.UsesOf(typeof(ResNet).Assembly, "ScottPlot").ToList();
        Assert.Contains(uses, u => u.User.Namespace == "ResNetSharp.Reports");
        var elsewhere = uses.Where(u => u.User.Namespace is not ("ResNetSharp.Reports" or "ResNetSharp.IO.Fonts")
            && !(u.User.Namespace == "ResNetSharp.Explain" && (u.Used.Namespace == "ScottPlot.Colormaps" || u.Used == typeof(ScottPlot.Color))));
        Assert.Equal("", string.Join("; ", elsewhere.Select(u => $"{u.User.FullName} uses {u.Used.FullName}")));
    }

    [Fact]
    public void The_graph_sees_signatures_and_method_bodies()
    {
        var edges = Library.Value.Edges;
        // Signature: Checkpoint.Load returns a ResNet. Body only: RunFiles.WriteText writes through IO's AtomicFile.
        Assert.Contains("Models", edges["Runs"].Keys);
        Assert.Contains("IO", edges["Runs"].Keys);
        Assert.Contains("Training", edges["Reports"].Keys);
        Assert.False(edges.ContainsKey("IO"), "IO uses nothing of the library");
    }

    [Fact]
    public void A_cycle_is_found_and_named_with_the_types_behind_each_step()
    {
        var graph = FolderGraph.Of(("Training", "Evaluation"), ("Evaluation", "Inference"), ("Inference", "Training"),
            ("Training", "Models"), ("Inference", "Models"));
        var cycle = graph.FindCycle();
        Assert.NotNull(cycle);
        Assert.Equal(["Evaluation", "Inference", "Training", "Evaluation"], cycle);
        Assert.Contains("Inference → Training: Inference uses Training", graph.Describe(cycle));
        Assert.Null(FolderGraph.Of(("Training", "Evaluation"), ("Evaluation", "Models"), ("Training", "Models")).FindCycle());
    }
}
