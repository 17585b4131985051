using System.Text.Json;
using Microsoft.Extensions.Configuration;
using ResNetSharp.Serving;

namespace ResNetSharp.Cli;

/// <summary>
/// <c>resnet serve --config FILE.json</c>: an appsettings-style file whose <c>ResNetClassifier</c> section names
/// <see cref="ResNetClassifierOptions"/>' properties, added to the app's configuration (over appsettings.json and the
/// environment) before the section is bound. A missing or malformed file, or a key the options do not have, is one error.
/// </summary>
internal static class ServeConfiguration
{
    /// <summary>Adds <paramref name="configFile"/> (when given) to <paramref name="configuration"/>, then binds its section into <paramref name="options"/>.</summary>
    public static void Bind(IConfigurationManager configuration, string? configFile, ResNetClassifierOptions options)
    {
        string source = configFile is null ? "appsettings.json or the environment" : $"config file '{configFile}'";
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
                throw new ResNetSharpException($"config file '{configFile}' does not exist. Check the --config path.");
            try
            {
                configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
            {
                throw new ResNetSharpException($"{source} is not valid JSON ({(e.InnerException ?? e).Message}): write it as {{\"{ServingExtensions.ConfigurationSection}\": {{\"MaxBatch\": 16, ...}}}}.");
            }
        }
        try
        {
            configuration.GetSection(ServingExtensions.ConfigurationSection).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ResNetSharpException($"the {ServingExtensions.ConfigurationSection} section of {source}: {e.Message} Its keys are the property names of ResNetClassifierOptions (docs/security.md).");
        }
    }
}
