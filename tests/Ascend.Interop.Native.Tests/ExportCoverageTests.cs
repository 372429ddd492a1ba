using System.Reflection;
using System.Runtime.InteropServices;
using Ascend.Interop.Native.Tests.Generated;

namespace Ascend.Interop.Native.Tests;

/// <summary>Every generated binding names a symbol that the simulator exports, and the list of bindings is complete.</summary>
public sealed class ExportCoverageTests
{
    private static readonly Type[] BindingClasses = [typeof(Acl), typeof(AclNN), typeof(AclnnOps), typeof(AclSim), typeof(Hccl)];

    [Fact]
    public void EveryBoundFunction_IsExportedByTheSimulator()
    {
        nint simulator = NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "libascend_sim.so"));
        // The HCCL functions come from the simulator's HCCL library (it needs Gloo), and only from there.
        nint hccl = NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "libascend_sim_hccl.so"));

        var missing = BoundFunctions.All.Where(f => !NativeLibrary.TryGetExport(f.Library == "hccl" ? hccl : simulator, f.Name, out _))
            .Select(f => f.Name).ToList();
        var misplaced = BoundFunctions.All.Where(f => f.Library == "hccl" && NativeLibrary.TryGetExport(simulator, f.Name, out _))
            .Select(f => f.Name).ToList();

        Assert.True(missing.Count == 0, "not exported by libascend_sim.so / libascend_sim_hccl.so: " + string.Join(", ", missing));
        Assert.True(misplaced.Count == 0, "HCCL functions exported by libascend_sim.so: " + string.Join(", ", misplaced));
        Assert.Contains(BoundFunctions.All, f => f.Name == "HcclAllReduce");
        Assert.Contains(BoundFunctions.All, f => f.Name == "aclnnAddGetWorkspaceSize");
        Assert.Contains(BoundFunctions.All, f => f.Name == "aclmdlRICaptureBegin");
    }

    [Fact]
    public void GeneratedClasses_DeclareExactlyTheListedFunctions_WithTheirLibraries()
    {
        var declared = new List<(string Library, string Class, string Name)>();
        foreach (Type type in BindingClasses)
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                LibraryImportAttribute? import = method.GetCustomAttribute<LibraryImportAttribute>();
                // Methods without LibraryImport are the operator entry points, bound through function pointers.
                declared.Add((import?.LibraryName ?? "opapi", type.Name, method.Name));
                if (import is not null)
                {
                    Assert.Equal(method.Name, import.EntryPoint);
                }
            }
        }

        Assert.Equal(
            BoundFunctions.All.OrderBy(f => f.Name, StringComparer.Ordinal),
            declared.OrderBy(f => f.Name, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("aclrtCreateStream", "ascendcl")]
    [InlineData("aclmdlRICaptureBegin", "ascendcl")]
    [InlineData("aclGetRecentErrMsg", "ascendcl")]
    [InlineData("aclCreateTensor", "nnopbase")]
    [InlineData("aclDestroyAclOpExecutor", "nnopbase")]
    [InlineData("aclSetInputTensorAddr", "nnopbase")]
    [InlineData("aclnnInit", "nnopbase")]
    [InlineData("aclnnFinalize", "nnopbase")]
    [InlineData("aclnnAdd", "opapi")]
    [InlineData("aclnnRmsNormGetWorkspaceSize", "opapi")]
    [InlineData("aclsimGetCounter", "ascend_sim")]
    [InlineData("HcclAllReduce", "hccl")]
    public void Functions_ComeFromTheirCannLibrary(string name, string library)
    {
        Assert.Equal(library, BoundFunctions.All.Single(f => f.Name == name).Library);
    }

    [Fact]
    public void HandleTypes_DoNotConvertIntoEachOther()
    {
        // A stream is not an event: only explicit conversions through void*/nint exist.
        MethodInfo[] conversions = typeof(aclrtStream).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name is "op_Implicit" or "op_Explicit").ToArray();
        Assert.All(conversions, m => Assert.Equal("op_Explicit", m.Name));
        Assert.DoesNotContain(conversions, m => m.ReturnType == typeof(aclrtEvent) || m.GetParameters()[0].ParameterType == typeof(aclrtEvent));
        Assert.True(aclrtStream.Null.IsNull);
        Assert.Equal((aclrtStream)(nint)0x1234, (aclrtStream)(nint)0x1234);
        Assert.NotEqual((aclrtStream)(nint)0x1234, aclrtStream.Null);
    }
}
