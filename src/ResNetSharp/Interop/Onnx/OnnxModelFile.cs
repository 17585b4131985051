using Google.Protobuf;
using ResNetSharp.Interop.Onnx.Proto;
using ResNetSharp.IO;
using ResNetSharp.Models;

namespace ResNetSharp.Interop.Onnx;

/// <summary>
/// An ONNX file of ours (fp32 from <c>resnet export</c>, int8 from <c>resnet quantize</c>) as a model file: its
/// graph and the labels, preprocessing and input size stored in its metadata (<see cref="OnnxModelInfo"/>).
/// </summary>
public static class OnnxModelFile
{
    /// <summary>Whether <paramref name="path"/> names an ONNX file (by its extension).</summary>
    public static bool IsOnnx(string path) => Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Exports <paramref name="model"/> (eval mode) with its description in the metadata, so the fp32 file is a model file too.</summary>
    public static void Export(ResNet model, OnnxModelInfo info, string path, OnnxExportOptions? options = null)
    {
        model.eval();
        var proto = OnnxExport.Build(model, options ?? new OnnxExportOptions { DynamicBatch = true });
        info.WriteTo(proto);
        Save(proto, path);
    }

    /// <summary>Writes <paramref name="proto"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(ModelProto proto, string path) => AtomicFile.Write(path, proto.WriteTo);

    /// <summary>
    /// The model's bytes and description; one <see cref="ResNetSharpException"/> when the file is missing, is not
    /// ONNX, or lacks ResNetSharp's metadata (naming what is missing).
    /// </summary>
    public static (byte[] Bytes, ModelProto Proto, OnnxModelInfo Info) Load(string path)
    {
        if (!File.Exists(path)) throw new ResNetSharpException($"model file not found: '{path}'. Give an ONNX file written by `resnet export` or `resnet quantize`.");
        var bytes = File.ReadAllBytes(path);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ResNetSharpException($"'{path}' is not an ONNX model ({e.Message}): give an ONNX file written by `resnet export` or `resnet quantize`.", e);
        }
        if (proto.Graph is null || proto.Graph.Input.Count != 1 || proto.Graph.Output.Count != 1)
            throw new ResNetSharpException($"'{path}' is not a ResNetSharp classifier: it needs one input and one output. Give an ONNX file written by `resnet export` or `resnet quantize`.");
        return (bytes, proto, OnnxModelInfo.ReadFrom(proto, path));
    }
}
