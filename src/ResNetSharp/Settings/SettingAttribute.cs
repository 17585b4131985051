namespace ResNetSharp.Settings;

/// <summary>
/// Declares an options property as a setting: its flag (<c>--batch-size</c>, and the <c>batch-size</c> key of a
/// <c>--config</c> file) and its one-line description. The default is the property's value in a new instance; validation
/// stays in the options type's <c>Validate</c>. Works on init-only and public setters alike.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string flag, string description) : Attribute
{
    /// <summary>The flag without its dashes, e.g. <c>batch-size</c>.</summary>
    public string Flag { get; } = flag;

    /// <summary>The help text.</summary>
    public string Description { get; } = description;

    /// <summary>Whether the setting must be given (no default: the CLI rejects a command line without it).</summary>
    public bool Required { get; init; }
}

/// <summary>Marks a property whose type declares more settings (e.g. the loader's), flattened into the owner's.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingsGroupAttribute : Attribute;
