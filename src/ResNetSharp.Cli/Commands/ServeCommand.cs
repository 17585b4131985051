using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Runs;
using ResNetSharp.Serving;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet serve (--checkpoint FILE | --model NAME --weights W [--labels FILE] | --model-file FILE.onnx | --model-repository DIR [--strict]) [--config FILE.json]
/// [--host 127.0.0.1] [--port 8080]</c> and every <see cref="ResNetClassifierOptions"/> setting as a flag: an HTTP
/// server over <see cref="ServingExtensions"/>.
/// </summary>
internal static class ServeCommand
{
    /// <summary>What the command does with its parse: the config file, the given flags' setter, host, port, output (<see cref="ServeHost.Run"/>).</summary>
    public delegate int Serve(string? configFile, Action<ResNetClassifierOptions> flags, string host, int port, TextWriter output);

    /// <summary>The command; <paramref name="serve"/> replaces <see cref="ServeHost.Run"/> (the tests read what it is given).</summary>
    public static Command Create(Serve? serve = null)
    {
        var settings = new SettingOptions<ResNetClassifierOptions>(new Dictionary<string, Func<string, object>>
            { ["rate-limit"] = text => ResNetClassifierOptions.ParseRateLimit(text) });
        var config = new Option<string?>("--config")
        {
            Description = "An appsettings-style JSON file: its \"ResNetClassifier\" section sets these settings by property name (e.g. {\"ResNetClassifier\": {\"MaxBatch\": 16}}), over appsettings.json and environment variables (ResNetClassifier__MaxBatch); flags given here win over all of them.",
        };
        var host = new Option<string>("--host") { Description = "The address to listen on (0.0.0.0: every interface, e.g. in a container).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: any free port).", DefaultValueFactory = _ => 8080 };
        var command = new Command("serve", "Serve a classifier, or a repository of several, over HTTP: classify endpoint, Open Inference Protocol v2, metrics, a web page; dynamic batching.")
            { config, host, port };
        settings.AddTo(command);
        command.SetAction(result =>
        {
            int p = result.GetValue(port);
            if (p is < 0 or > 65535) throw new ResNetSharpException($"--port must be 0 to 65535, not {p}.");
            return (serve ?? ServeHost.Run)(result.GetValue(config), options =>
            {
                settings.Apply(result, options);
                options.Validate();
                CliOptions.UseThreads(options.Threads);   // torch's pool is the process's: the server's value
                if (options.Weights is not null) options.Weights = CliOptions.WeightsFile(result, options.Model!, options.Weights);
            }, result.GetValue(host)!, p, result.InvocationConfiguration.Output);
        });
        return command;
    }
}
