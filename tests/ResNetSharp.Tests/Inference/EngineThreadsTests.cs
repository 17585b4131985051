using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

/// <summary>EngineSettings.Threads reaches the ONNX Runtime session of every way a predictor is opened, and leaves its logits unchanged.</summary>
public class EngineThreadsTests
{
    [Fact]
    public void One_thread_gives_the_eager_models_logits_as_one_per_core_does()
    {
        manual_seed(3);
        using var model = ResNet.Create("small_resnet");
        model.eval();
        using var x = randn(4, 3, 32, 32);
        using var one = InferenceEngines.Create(model, EngineKind.OnnxRuntime, CPU, threads: 1);
        using var cores = InferenceEngines.Create(model, EngineKind.OnnxRuntime, CPU);
        Assert.Equal((1, Environment.ProcessorCount), (((OnnxRuntimeEngine)one).Threads, ((OnnxRuntimeEngine)cores).Threads));

        float[] input = x.data<float>().ToArray(), single = one.Logits(input, x.shape), all = cores.Logits(input, x.shape);
        using var _ = no_grad();
        using var output = model.call(x);
        var eager = output.data<float>().ToArray();   // the reference: TorchSharp's own forward pass
        Assert.Equal(eager.Length, single.Length);
        for (int i = 0; i < eager.Length; i++)
        {
            Assert.Equal(eager[i], single[i], 1e-4);
            Assert.Equal(all[i], single[i], 1e-5);
        }
    }

    [Fact]
    public void Predictors_from_weights_and_from_an_onnx_file_take_the_setting()
    {
        using var dir = new TempDir();
        manual_seed(4);
        using var model = ResNet.Create("small_resnet");
        model.eval();
        string weights = dir.Combine("w.safetensors"), onnx = dir.Combine("m.onnx");
        using (var state = WeightLoading.StateDict(model)) SafeTensors.Save(weights, state.Tensors);

        var engine = new EngineSettings(EngineKind.Auto, Threads: 1);
        using var named = new ModelSource { Model = "small_resnet", Weights = weights }.Open(CPU, engine);
        Assert.Equal(1, Assert.IsType<OnnxRuntimeEngine>(named.Engine).Threads);
        OnnxModelFile.Export(model, named.Description, onnx, new() { DynamicBatch = true });
        using var file = new ModelSource { ModelFile = onnx }.Open(CPU, engine with { Threads = 3 });   // not the cores of a 2-core machine
        Assert.Equal(3, Assert.IsType<OnnxRuntimeEngine>(file.Engine).Threads);
        using var byDefault = Predictor.FromOnnx(onnx);
        Assert.Equal(Environment.ProcessorCount, Assert.IsType<OnnxRuntimeEngine>(byDefault.Engine).Threads);
    }

    [Fact]
    public void A_negative_count_is_one_error_naming_the_setting() =>
        Assert.Equal("EngineSettings.Threads must be 0 (one per core) or more, not -1.",
            Assert.Throws<ResNetSharpException>(() => new EngineSettings(Threads: -1).Validate()).Message);
}
