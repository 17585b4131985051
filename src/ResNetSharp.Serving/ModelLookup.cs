namespace ResNetSharp.Serving;

/// <summary>
/// Looks up the model a URL names: 503 while the model loads (its name may not be known yet) or if it failed to, then
/// 404 for another name. A request that reaches
/// an endpoint while the server stops is still answered (only readiness turns 503 then): none accepted is dropped.
/// </summary>
internal static class ModelLookup
{
    public static ResNetClassifier Find(ResNetClassifier classifier, string name)
    {
        if (classifier.WhenReady.IsFaulted)
            throw new ServingException(503, $"the model failed to load: {classifier.WhenReady.Exception!.InnerException!.Message}");
        if (!classifier.WhenReady.IsCompletedSuccessfully)
            throw new ServingException(503, "the model is still loading: retry when GET /v2/health/ready answers 200.");
        if (!string.Equals(name, classifier.Name, StringComparison.Ordinal))
            throw new ServingException(404, $"unknown model '{name}': this server serves '{classifier.Name}' (see GET /v2/models/{classifier.Name}).");
        return classifier;
    }
}
