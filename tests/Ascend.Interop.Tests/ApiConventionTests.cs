using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ascend.Interop.Tests;

/// <summary>
/// The mechanical rules of docs/api-conventions.md, checked by reflection over the public surface of the SDK (no device
/// needed): a new member that breaks one fails here, naming it.
/// </summary>
public sealed class ApiConventionTests
{
    private static readonly Assembly[] Assemblies = [typeof(NpuRuntime).Assembly, typeof(Testing.NpuFactAttribute).Assembly];

    private static IEnumerable<Type> PublicTypes => Assemblies.SelectMany(a => a.GetExportedTypes());

    /// <summary>The members a caller outside the SDK can reach: public, and protected on a type it can derive from.</summary>
    private static IEnumerable<MethodBase> PublicMethods(Type type)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        bool derivable = !type.IsSealed && type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Any(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly);
        return type.GetMethods(Flags).Cast<MethodBase>().Concat(type.GetConstructors(Flags))
            .Where(m => m.IsPublic || (derivable && (m.IsFamily || m.IsFamilyOrAssembly)));
    }

    private static string Describe(MethodBase method) =>
        $"{method.DeclaringType!.FullName}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})";

    [Fact]
    public void Async_is_only_the_suffix_of_awaitable_members()
    {
        var offenders = PublicTypes.SelectMany(PublicMethods).OfType<MethodInfo>()
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && !IsAwaitable(m.ReturnType))
            .Select(Describe).ToList();
        Assert.True(offenders.Count == 0, "Members named *Async that return no Task or ValueTask:\n" + string.Join("\n", offenders));

        // The check sees the SDK's awaitable members (it is not vacuous).
        Assert.Contains(typeof(NpuStream).GetMethods(), m => m.Name == nameof(NpuStream.SynchronizeAsync) && IsAwaitable(m.ReturnType));
    }

    private static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));

    [Fact]
    public void The_stream_is_the_first_parameter()
    {
        int checkedMethods = 0;
        var offenders = new List<string>();
        foreach (var method in PublicTypes.SelectMany(PublicMethods))
        {
            var parameters = method.GetParameters();
            int first = method.IsDefined(typeof(ExtensionAttribute), inherit: false) ? 1 : 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].ParameterType != typeof(NpuStream)) continue;
                checkedMethods++;
                if (i != first)
                    offenders.Add($"{Describe(method)}: the stream is parameter {i}");
            }
        }
        Assert.True(checkedMethods > 100, $"only {checkedMethods} methods take a stream: is the scan broken?");
        Assert.True(offenders.Count == 0, "Methods that take the stream elsewhere than first:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void Native_handles_are_typed_not_raw_addresses()
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var offenders = new List<string>();
        foreach (var type in PublicTypes)
        {
            foreach (var property in type.GetProperties(Flags))
                if (property.PropertyType == typeof(nint) && property.Name.Contains("Handle", StringComparison.Ordinal))
                    offenders.Add($"{type.FullName}.{property.Name}");
            foreach (var field in type.GetFields(Flags))
                if (field.FieldType == typeof(nint) && field.Name.Contains("Handle", StringComparison.Ordinal))
                    offenders.Add($"{type.FullName}.{field.Name}");
            foreach (var method in PublicMethods(type))
            {
                if (method is MethodInfo m && m.ReturnType == typeof(nint) && m.Name.Contains("Handle", StringComparison.Ordinal))
                    offenders.Add(Describe(method));
                foreach (var parameter in method.GetParameters())
                    if (parameter.ParameterType == typeof(nint) && parameter.Name!.Contains("handle", StringComparison.OrdinalIgnoreCase))
                        offenders.Add($"{Describe(method)}: parameter {parameter.Name}");
            }
        }
        Assert.True(offenders.Count == 0, "Native handles exposed as nint (use the generated handle struct):\n" + string.Join("\n", offenders));
        Assert.Equal(typeof(Native.aclrtStream), typeof(NpuStream).GetProperty(nameof(NpuStream.Handle))!.PropertyType);
        Assert.Equal(typeof(Native.aclrtEvent), typeof(NpuEvent).GetProperty(nameof(NpuEvent.Handle))!.PropertyType);
        Assert.Equal(typeof(Native.aclmdlRI), typeof(NpuGraph).GetProperty(nameof(NpuGraph.Handle))!.PropertyType);
    }

    [Fact]
    public void SafeHandle_classes_are_internal()
    {
        var offenders = PublicTypes.Where(t => typeof(SafeHandle).IsAssignableFrom(t) || t.Namespace == "Ascend.Interop.Handles")
            .Select(t => t.FullName).ToList();
        Assert.True(offenders.Count == 0, "Public handle types (no public member returns one; make them internal):\n" + string.Join("\n", offenders));
        // They exist, and are internal.
        Assert.False(typeof(Handles.NpuSafeHandle).IsPublic);
        Assert.False(typeof(Handles.StreamHandle).IsPublic);
    }

    [Fact]
    public void No_public_type_shares_a_name_with_a_dotnet_numeric_or_system_type()
    {
        // The .NET types a program using the SDK imports beside it, plus those .NET is known to be adding.
        var dotnet = new[] { typeof(object).Assembly, typeof(System.Numerics.Vector<>).Assembly, typeof(System.Numerics.Tensors.Tensor).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Namespace is "System" or "System.Numerics" or "System.Numerics.Tensors")
            .Select(t => t.Name.Split('`')[0])
            .Append("BFloat16")
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Half", dotnet);
        var offenders = PublicTypes.Where(t => dotnet.Contains(t.Name.Split('`')[0])).Select(t => t.FullName).ToList();
        Assert.True(offenders.Count == 0, "Public types named like a .NET type in System, System.Numerics or System.Numerics.Tensors:\n" + string.Join("\n", offenders));
    }
}
