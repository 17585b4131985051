using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ResNetSharp.Serving.Http;
using ResNetSharp.Serving.Security;

namespace ResNetSharp.Serving;

/// <summary>
/// Mounts a ResNetSharp classifier in an ASP.NET Core app:
/// <c>builder.Services.AddResNetClassifier(options)</c>, then <c>app.MapResNetClassifier()</c>. The endpoints run in
/// the app's own pipeline (its authentication, logging, rate limits) and require the <see cref="AuthorizationPolicy"/>
/// policy: API keys by default, or whatever a host registers under that name (JWT, OIDC).
/// </summary>
public static class ServingExtensions
{
    /// <summary>
    /// The authorisation policy every endpoint but health (and metrics, unless protected) requires. By default it
    /// demands an API key when keys are configured and lets everyone in otherwise; a host replaces it with
    /// <c>services.AddAuthorization(o => o.AddPolicy(ServingExtensions.AuthorizationPolicy, ...))</c> after
    /// <c>AddResNetClassifier</c>.
    /// </summary>
    public const string AuthorizationPolicy = "ResNetSharp.Serving";

    /// <summary>The configuration section <see cref="AddResNetClassifier(IServiceCollection, string)"/> binds by default.</summary>
    public const string ConfigurationSection = "ResNetClassifier";

    /// <summary>
    /// Registers the classifier (loaded in the background when the host starts), its batcher, metrics and security; or,
    /// with <see cref="ResNetClassifierOptions.ModelRepository"/>, one classifier per model of the repository
    /// (<see cref="ResNetClassifierRegistry"/>). With one model, <see cref="ResNetClassifier"/> is a service too.
    /// </summary>
    public static IServiceCollection AddResNetClassifier(this IServiceCollection services, ResNetClassifierOptions options)
    {
        options.Validate();
        services.AddSingleton(Options.Create(options));
        return services.AddResNetClassifierServices();
    }

    /// <summary>Registers the classifier with options set by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddResNetClassifier(this IServiceCollection services, Action<ResNetClassifierOptions> configure)
    {
        var options = new ResNetClassifierOptions();
        configure(options);
        return services.AddResNetClassifier(options);
    }

    /// <summary>
    /// Registers the classifier with options bound from the app's configuration section <paramref name="section"/>
    /// (<c>appsettings.json</c>, environment variables such as <c>ResNetClassifier__MaxBatch</c>, the command line),
    /// validated when the host starts: a bad setting stops it with one message naming the setting.
    /// </summary>
    public static IServiceCollection AddResNetClassifier(this IServiceCollection services, string section = ConfigurationSection)
    {
        services.AddOptions<ResNetClassifierOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ResNetClassifierOptions>, OptionsValidation>();
        return services.AddResNetClassifierServices();
    }

    private static IServiceCollection AddResNetClassifierServices(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ResNetClassifierOptions>>().Value);
        services.AddSingleton<ServingMetrics>();
        services.AddSingleton<ResNetClassifierRegistry>();
        services.AddSingleton(sp => sp.GetRequiredService<ResNetClassifierRegistry>() is { IsRepository: false } registry ? registry.Models[0]
            : throw new InvalidOperationException($"this server serves a model repository: get its models from {nameof(ResNetClassifierRegistry)}.{nameof(ResNetClassifierRegistry.Models)}."));
        services.AddSingleton<RateLimits>();
        services.AddSingleton<ApiKeys>();
        services.AddHostedService(sp => sp.GetRequiredService<ResNetClassifierRegistry>());
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<ApiKeys>((o, keys) => o.AddPolicy(AuthorizationPolicy, policy =>
        {
            if (keys.Enabled) policy.AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName).RequireAuthenticatedUser();
            else policy.RequireAssertion(_ => true);
        }));
        return services;
    }

    /// <summary>
    /// Registers the models of the repository <paramref name="directory"/> (<see cref="ResNetClassifierOptions.ModelRepository"/>:
    /// one folder per model, named by it) with the other settings of <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddResNetClassifierRepository(this IServiceCollection services, string directory, Action<ResNetClassifierOptions>? configure = null) =>
        services.AddResNetClassifier(o =>
        {
            configure?.Invoke(o);
            o.ModelRepository = directory;
        });

    /// <summary>
    /// Maps <c>POST /v1/models/{name}/classify</c> (and TorchServe's <c>POST /predictions/{name}</c>), the Open
    /// Inference Protocol v2 under <c>/v2</c>, <c>GET /metrics</c> and the web page at <c>GET /</c>, all requiring
    /// <see cref="AuthorizationPolicy"/> but <c>/v2/health/*</c> and (unless
    /// <see cref="ResNetClassifierOptions.ProtectMetrics"/>) <c>/metrics</c>; for whatever was added: one model, or
    /// each model of a repository under its name (<c>GET /v2/repository/index</c> lists them).
    /// </summary>
    public static RouteGroupBuilder MapResNetClassifier(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<ResNetClassifierOptions>();
        var group = endpoints.MapGroup("").RequireAuthorization(AuthorizationPolicy);
        group.AddEndpointFilter(ErrorsAndMetrics.Filter);
        group.AddEndpointFilter(RateLimits.Filter);
        ClassifyEndpoints.Map(group);
        InferenceProtocolEndpoints.Map(group);
        WebPage.Map(group);
        var metrics = group.MapGet("/metrics", (ServingMetrics metrics) => metrics.Export()).WithTags("metrics")
            .WithSummary("Prometheus metrics (text format): requests, latency, queue, batches, failures and the .NET runtime's own.");
        if (!options.ProtectMetrics) metrics.AllowAnonymous();
        return group;
    }
}
