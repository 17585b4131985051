using System.Reflection;
using System.Reflection.Emit;

namespace ResNetSharp.Tests.Architecture;

/// <summary>
/// Which top-level folder of a compiled assembly uses which: a type's folder is the namespace segment after the root
/// (<c>ResNetSharp.Data.Loading</c> counts as <c>Data</c>); it uses the types in its base type, interfaces, fields,
/// properties, method signatures, and the types, methods and fields its method bodies' IL names. Types directly in the
/// root namespace (<see cref="ResNetSharpException"/>) and outside it (compiler-generated helpers) belong to no folder.
/// </summary>
internal sealed class FolderGraph
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
        BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value);

    /// <summary>The edges: folder → (used folder → one type that uses it and the type it uses, for messages).</summary>
    public Dictionary<string, Dictionary<string, string>> Edges { get; } = [];

    /// <summary>Every folder that holds a type.</summary>
    public SortedSet<string> Folders { get; } = new(StringComparer.Ordinal);

    /// <summary>The graph given as edges (for testing the cycle search itself).</summary>
    public static FolderGraph Of(params (string From, string To)[] edges)
    {
        var graph = new FolderGraph();
        foreach (var (from, to) in edges) graph.Add(from, to, $"{from} uses {to}");
        return graph;
    }

    /// <summary>The graph of <paramref name="assembly"/>, whose namespaces start with <paramref name="root"/>.</summary>
    public static FolderGraph Of(Assembly assembly, string root)
    {
        var graph = new FolderGraph();
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type, root) is not { } from) continue;
            graph.Folders.Add(from);
            foreach (var used in Uses(type))
                if (FolderOf(used, root) is { } to && to != from && used.Assembly == assembly)
                    graph.Add(from, to, $"{type.FullName} uses {used.FullName}");
        }
        return graph;
    }

    /// <summary>Every (type, used type) pair of <paramref name="assembly"/> where the used type is in namespace <paramref name="used"/> or below it.</summary>
    public static IEnumerable<(Type User, Type Used)> UsesOf(Assembly assembly, string used) =>
        from type in assembly.GetTypes()
        from t in Uses(type).Distinct()
        where t.Namespace is { } ns && (ns == used || ns.StartsWith(used + ".", StringComparison.Ordinal))
        select (type, t);

    /// <summary>One cycle as its folders in order, the first repeated at the end; null when the graph has none.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, bool>();   // false: on the current path; true: done
        var path = new List<string>();
        foreach (var start in Edges.Keys.Order(StringComparer.Ordinal))
            if (Visit(start, state, path) is { } cycle) return cycle;
        return null;
    }

    /// <summary>A cycle as "A → B → A" with the type that makes each step.</summary>
    public string Describe(IReadOnlyList<string> cycle) =>
        string.Join(" → ", cycle) + "\n" +
        string.Join("\n", cycle.Zip(cycle.Skip(1), (a, b) => $"  {a} → {b}: {Edges[a][b]}"));

    private List<string>? Visit(string folder, Dictionary<string, bool> state, List<string> path)
    {
        if (state.TryGetValue(folder, out bool done))
            return done ? null : [.. path.Skip(path.IndexOf(folder)), folder];
        state[folder] = false;
        path.Add(folder);
        foreach (var next in Edges.GetValueOrDefault(folder)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            if (Visit(next, state, path) is { } cycle) return cycle;
        path.RemoveAt(path.Count - 1);
        state[folder] = true;
        return null;
    }

    private void Add(string from, string to, string example)
    {
        Folders.Add(from);
        Folders.Add(to);
        if (!Edges.TryGetValue(from, out var targets)) Edges[from] = targets = [];
        targets.TryAdd(to, example);
    }

    private static string? FolderOf(Type type, string root)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        return ns[(root.Length + 1)..].Split('.')[0];
    }

    /// <summary>The types <paramref name="type"/> names, generic arguments and element types unwrapped.</summary>
    private static IEnumerable<Type> Uses(Type type)
    {
        var direct = new List<Type?> { type.BaseType };
        direct.AddRange(type.GetInterfaces());
        direct.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        direct.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo m) direct.Add(m.ReturnType);
            direct.AddRange(method.GetParameters().Select(p => p.ParameterType));
            direct.AddRange(BodyUses(method));
        }
        return direct.OfType<Type>().SelectMany(Unwrap);
    }

    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType) return Unwrap(type.GetElementType()!);
        if (!type.IsGenericType || type.IsGenericTypeDefinition) return [type];
        return type.GetGenericArguments().SelectMany(Unwrap).Append(type.GetGenericTypeDefinition());
    }

    /// <summary>The declaring types of the members, and the types, that the method's IL names.</summary>
    private static IEnumerable<Type?> BodyUses(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                    yield return member as Type ?? member?.DeclaringType;
                    if (member is MethodInfo { IsGenericMethod: true } generic)
                        foreach (var arg in generic.GetGenericArguments()) yield return arg;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
