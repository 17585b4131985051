using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace ResNetSharp.Settings;

/// <summary>
/// One declared setting of an options type (<see cref="SettingAttribute"/>): the path of properties that reaches it
/// from the root options object, its flag, description, value type and default.
/// </summary>
public sealed class Setting
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Setting>> Cache = new();
    private readonly PropertyInfo[] _path;

    private Setting(PropertyInfo[] path, SettingAttribute attribute, object? defaultValue)
    {
        _path = path;
        Flag = attribute.Flag;
        Description = attribute.Description;
        Required = attribute.Required;
        Default = defaultValue;
    }

    /// <summary>The flag without dashes (the key of a config file).</summary>
    public string Flag { get; }

    /// <summary>The command-line form, <c>--</c> and <see cref="Flag"/>.</summary>
    public string Option => "--" + Flag;

    /// <summary>The help text.</summary>
    public string Description { get; }

    /// <summary>Whether the setting must be given (<see cref="SettingAttribute.Required"/>).</summary>
    public bool Required { get; }

    /// <summary>The property's name, as library errors name it.</summary>
    public string Property => _path[^1].Name;

    /// <summary>The property's type (nullable types included).</summary>
    public Type Type => _path[^1].PropertyType;

    /// <summary>The value in a new instance of the root options type.</summary>
    public object? Default { get; }

    /// <summary>The settings <paramref name="type"/> declares, in declaration order, groups flattened in place.</summary>
    public static IReadOnlyList<Setting> Of(Type type) => Cache.GetOrAdd(type, t =>
    {
        object defaults = Activator.CreateInstance(t)!;
        return [.. Collect(t, []).Select(s => new Setting(s.Path, s.Attribute, Read(defaults, s.Path)))];
    });

    /// <summary>The settings of <typeparamref name="T"/>.</summary>
    public static IReadOnlyList<Setting> Of<T>() => Of(typeof(T));

    /// <summary>This setting's value in <paramref name="options"/>.</summary>
    public object? Get(object options) => Read(options, _path);

    /// <summary>
    /// A new <typeparamref name="T"/>: its defaults, with each setting <paramref name="value"/> returns a value for
    /// replaced (groups are copied first, so shared default instances are never changed).
    /// </summary>
    public static T Create<T>(Func<Setting, (bool Given, object? Value)> value) where T : notnull, new() => With(new T(), value);

    /// <summary>
    /// A copy of <paramref name="baseline"/> (a record, e.g. a preset), with each setting <paramref name="value"/>
    /// returns a value for replaced; <paramref name="baseline"/> itself is never changed.
    /// </summary>
    public static T With<T>(T baseline, Func<Setting, (bool Given, object? Value)> value) where T : notnull
    {
        object root = Copy(baseline);
        Apply(root, value);
        return (T)root;
    }

    /// <summary>
    /// Sets, in <paramref name="root"/> (a mutable options object), each setting <paramref name="value"/> returns a
    /// value for; the others keep what <paramref name="root"/> holds (e.g. what a configuration bound).
    /// </summary>
    public static void Apply(object root, Func<Setting, (bool Given, object? Value)> value)
    {
        foreach (var setting in Of(root.GetType()))
            if (value(setting) is (true, var v)) setting.Set(root, v);
    }

    /// <summary>A value as it is written on a command line or in a config file: invariant, lower-case names, round-trip doubles, comma-separated lists.</summary>
    public static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString().ToLowerInvariant(),
        string text => text,
        System.Collections.IEnumerable list => string.Join(",", list.Cast<object>().Select(Format)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private void Set(object root, object? value)
    {
        object owner = root;
        foreach (var group in _path[..^1])
        {
            object copy = Copy(group.GetValue(owner) ?? Activator.CreateInstance(group.PropertyType)!);
            group.SetValue(owner, copy);
            owner = copy;
        }
        _path[^1].SetValue(owner, value);
    }

    /// <summary>A shallow copy: a record's copy constructor (via its clone method), else the object itself for a mutable class.</summary>
    private static object Copy(object value) =>
        value.GetType().GetMethod("<Clone>$") is { } clone ? clone.Invoke(value, null)! : value;

    private static object? Read(object root, PropertyInfo[] path)
    {
        object? value = root;
        foreach (var p in path) value = value is null ? null : p.GetValue(value);
        return value;
    }

    private static IEnumerable<(PropertyInfo[] Path, SettingAttribute Attribute)> Collect(Type type, PropertyInfo[] prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (p.GetCustomAttribute<SettingAttribute>() is { } a) yield return ([.. prefix, p], a);
            else if (p.IsDefined(typeof(SettingsGroupAttribute)))
                foreach (var inner in Collect(p.PropertyType, [.. prefix, p])) yield return inner;
        }
    }
}
