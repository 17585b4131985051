using Microsoft.Extensions.Options;

namespace ResNetSharp.Serving;

/// <summary>Checks options bound from configuration with <see cref="ResNetClassifierOptions.Validate"/>: the first bad setting is the one failure.</summary>
internal sealed class OptionsValidation : IValidateOptions<ResNetClassifierOptions>
{
    public ValidateOptionsResult Validate(string? name, ResNetClassifierOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ResNetSharpException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
