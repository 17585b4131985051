using ResNetSharp.Inference;

namespace ResNetSharp.Serving.Repository;

/// <summary>One folder of a model repository: its name, and its options or the error that keeps it from loading.</summary>
internal sealed record RepositoryModel(string Name, string Folder, ResNetClassifierOptions? Options, ResNetSharpException? Error);

/// <summary>
/// A model repository (Triton's layout, adapted): <c>DIR/NAME/</c> per model, NAME being its name in the URLs, holding
/// exactly one model file (a checkpoint <c>*.safetensors</c> written by <c>resnet train</c>; an ONNX model file
/// <c>*.onnx</c> from <c>resnet export</c> or <c>resnet quantize</c>; or bare weights <c>*.safetensors</c>,
/// <c>*.pth</c>, <c>*.pt</c> of the model <c>config.json</c> names, with an optional <c>labels.txt</c>) and an optional
/// <see cref="ModelConfig"/> <c>config.json</c>. Folders whose names start with '.' are skipped.
/// </summary>
internal static class ModelRepository
{
    /// <summary>The per-model settings file.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Class names of a named model's weights, one per line.</summary>
    public const string LabelsFile = "labels.txt";

    private static readonly string[] ModelExtensions = [".onnx", ".safetensors", ".pth", ".pt"];

    /// <summary>
    /// Each model folder of <paramref name="server"/>'s repository, by ordinal name: its options (the server's, with the
    /// folder's source and config), or why it cannot load. A repository with no model folder is an error.
    /// </summary>
    public static IReadOnlyList<RepositoryModel> Read(ResNetClassifierOptions server)
    {
        string dir = server.ModelRepository!;
        var folders = Directory.GetDirectories(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
            throw new ResNetSharpException($"the model repository '{dir}' has no model folders: put each model in a folder of its own, e.g. {Path.Combine(dir, "resnet20", "best.safetensors")} (docs/serving.md).");
        return [.. folders.Select(folder =>
        {
            string name = Path.GetFileName(folder);
            try
            {
                return new RepositoryModel(name, folder, Options(folder, name, server), null);
            }
            catch (ResNetSharpException e)
            {
                return new RepositoryModel(name, folder, null, e);
            }
        })];
    }

    private static ResNetClassifierOptions Options(string folder, string name, ResNetClassifierOptions server)
    {
        if (!ResNetClassifierOptions.IsUrlName(name))
            throw new ResNetSharpException($"model folder '{folder}': its name is the model's name in the URLs, so it must be letters, digits, '-', '_' or '.': rename it.");
        var config = ModelConfig.Read(Path.Combine(folder, ConfigFile));
        var options = server.ForModel(name, Source(folder, config.Model));
        config.ApplyTo(options);
        try
        {
            options.Validate();
        }
        catch (ResNetSharpException e)
        {
            throw new ResNetSharpException($"model folder '{folder}': {ModelConfig.KeysForFlags(e.Message)}");
        }
        return options;
    }

    /// <summary>The folder's one model file as a <see cref="ModelSource"/>, with labels.txt for a named model's weights.</summary>
    private static ModelSource Source(string folder, string? model)
    {
        var files = Directory.GetFiles(folder).Where(f => ModelExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        if (files.Count != 1)
            throw new ResNetSharpException($"model folder '{folder}' holds {(files.Count == 0 ? "no model file" : $"{files.Count} model files ({string.Join(", ", files.Select(Path.GetFileName))})")}: put exactly one in it, a checkpoint (*.safetensors) or an ONNX model file (*.onnx).");
        string file = files[0], labels = Path.Combine(folder, LabelsFile);
        bool onnx = Path.GetExtension(file).Equals(".onnx", StringComparison.OrdinalIgnoreCase);
        if (model is not null && !onnx) return new ModelSource { Model = model, Weights = file, Labels = File.Exists(labels) ? labels : null };
        if (File.Exists(labels))
            throw new ResNetSharpException($"model folder '{folder}' has a {LabelsFile}, but {Path.GetFileName(file)} carries its own labels: remove {LabelsFile}, or name the model of bare weights in {ConfigFile} (\"Model\": \"resnet50\").");
        if (onnx) return model is null ? new ModelSource { ModelFile = file }
            : throw new ResNetSharpException($"model folder '{folder}': {ConfigFile} names a Model, but {Path.GetFileName(file)} is an ONNX model file, which carries its own: remove \"Model\".");
        return Path.GetExtension(file).Equals(".safetensors", StringComparison.OrdinalIgnoreCase) ? new ModelSource { Checkpoint = file }
            : throw new ResNetSharpException($"model folder '{folder}': {Path.GetFileName(file)} is bare weights: name their model in {ConfigFile} (\"Model\": \"resnet50\").");
    }
}
