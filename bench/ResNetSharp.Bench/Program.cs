using ResNetSharp.Bench;

// Stopwatch benchmarks, selected by name: `dotnet run -c Release --project bench/ResNetSharp.Bench -- data`.
var benches = new Dictionary<string, Action<string[]>>
{
    ["data"] = DataLoadingBench.Run,
    ["augment"] = AugmentBench.Run,
    ["fashion-mnist"] = FashionMnistTrainBench.Run,
    ["int8"] = Int8Bench.Run,
    ["batchnorm"] = BatchNormBench.Run,
};
if (args.Length == 0 || !benches.TryGetValue(args[0], out var bench))
{
    Console.Error.WriteLine($"usage: ResNetSharp.Bench <{string.Join('|', benches.Keys)}> [options]");
    return 2;
}
bench(args[1..]);
return 0;
