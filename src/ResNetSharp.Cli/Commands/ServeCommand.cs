using System.CommandLine;
using ResNetSharp.Runs;
using ResNetSharp.Serving;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet serve (--checkpoint FILE | --model NAME --weights W [--labels FILE]) [--name NAME] [--host 127.0.0.1]
/// [--port 8080] [--device auto] [--engine auto] [--max-batch 32] [--max-delay-ms 5] [--max-queue 256]
/// [--max-body-mb 16] [--timeout-s 30] [--topk 5]</c>: an HTTP server over <see cref="ServingExtensions"/>.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var source = new PredictorSource();   // --checkpoint, --model, --weights, --labels
        var name = new Option<string?>("--name") { Description = "The model's name in the URLs; default: the model's (e.g. resnet18)." };
        var host = new Option<string>("--host") { Description = "The address to listen on (0.0.0.0: every interface, e.g. in a container).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: any free port).", DefaultValueFactory = _ => 8080 };
        var device = CliOptions.Device();
        var engine = CliOptions.Engine();
        var precision = new Option<string>("--precision") { Description = "The torch engine's precision on CUDA: fp32 or bf16.", DefaultValueFactory = _ => "fp32" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most images in one forward pass.", DefaultValueFactory = _ => 32 };
        var maxDelay = new Option<double>("--max-delay-ms") { Description = "How long to wait after a batch's first image for more.", DefaultValueFactory = _ => 5 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most images waiting; beyond it requests are answered 503 with Retry-After.", DefaultValueFactory = _ => 256 };
        var maxBody = new Option<double>("--max-body-mb") { Description = "Largest request body (MiB); beyond it 413.", DefaultValueFactory = _ => 16 };
        var timeout = new Option<double>("--timeout-s") { Description = "A request's time limit (504 past it), and the grace for requests to finish at shutdown.", DefaultValueFactory = _ => 30 };
        var topk = new Option<int>("--topk") { Description = "Classes per image in classify answers (?topk= overrides).", DefaultValueFactory = _ => 5 };
        var command = new Command("serve", "Serve a classifier over HTTP: classify endpoint, Open Inference Protocol v2, metrics, a web page; dynamic batching.")
            { name, host, port, device, engine, precision, maxBatch, maxDelay, maxQueue, maxBody, timeout, topk };
        foreach (var option in source.Options) command.Options.Add(option);
        command.SetAction(result =>
        {
            var options = new ResNetClassifierOptions
            {
                Checkpoint = result.GetValue(source.Checkpoint), Model = result.GetValue(source.Model), Weights = result.GetValue(source.Weights),
                Labels = result.GetValue(source.Labels),
                Name = result.GetValue(name), Device = result.GetValue(device)!, Engine = result.GetValue(engine)!, Precision = result.GetValue(precision)!,
                MaxBatch = result.GetValue(maxBatch), MaxDelayMs = result.GetValue(maxDelay), MaxQueue = result.GetValue(maxQueue),
                MaxBodyMb = result.GetValue(maxBody), TimeoutS = result.GetValue(timeout), TopK = result.GetValue(topk),
            };
            options.Validate();
            if (options.Weights is not null) options.Weights = CliOptions.WeightsFile(result, options.Model!, options.Weights);
            int p = result.GetValue(port);
            if (p is < 0 or > 65535) throw new ResNetSharpException($"--port must be 0 to 65535, not {p}.");
            return ServeHost.Run(options, result.GetValue(host)!, p, result.InvocationConfiguration.Output);
        });
        return command;
    }
}
