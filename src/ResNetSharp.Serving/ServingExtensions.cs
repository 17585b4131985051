using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ResNetSharp.Serving.Http;

namespace ResNetSharp.Serving;

/// <summary>
/// Mounts a ResNetSharp classifier in an ASP.NET Core app:
/// <c>builder.Services.AddResNetClassifier(options)</c>, then <c>app.MapResNetClassifier()</c>. The endpoints run in
/// the app's own pipeline (its authentication, logging, rate limits): the returned group takes conventions such as
/// <c>RequireAuthorization()</c>.
/// </summary>
public static class ServingExtensions
{
    /// <summary>Registers the classifier (loaded in the background when the host starts), its batcher and its metrics.</summary>
    public static IServiceCollection AddResNetClassifier(this IServiceCollection services, ResNetClassifierOptions options)
    {
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<ServingMetrics>();
        services.AddSingleton<ResNetClassifier>();
        services.AddHostedService(sp => sp.GetRequiredService<ResNetClassifier>());
        return services;
    }

    /// <summary>Registers the classifier with options set by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddResNetClassifier(this IServiceCollection services, Action<ResNetClassifierOptions> configure)
    {
        var options = new ResNetClassifierOptions();
        configure(options);
        return services.AddResNetClassifier(options);
    }

    /// <summary>
    /// Maps <c>POST /v1/models/{name}/classify</c> (and TorchServe's <c>POST /predictions/{name}</c>), the Open
    /// Inference Protocol v2 under <c>/v2</c>, <c>GET /metrics</c> and the web page at <c>GET /</c>.
    /// </summary>
    public static RouteGroupBuilder MapResNetClassifier(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("");
        group.AddEndpointFilter(ErrorsAndMetrics.Filter);
        ClassifyEndpoints.Map(group);
        InferenceProtocolEndpoints.Map(group);
        WebPage.Map(group);
        group.MapGet("/metrics", (ServingMetrics metrics) => metrics.Export()).WithTags("metrics")
            .WithSummary("Prometheus metrics (text format): requests, latency, queue, batches, failures and the .NET runtime's own.");
        return group;
    }
}
