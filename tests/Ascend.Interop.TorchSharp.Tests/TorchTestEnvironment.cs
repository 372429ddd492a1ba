using System.Runtime.CompilerServices;

[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

namespace Ascend.Interop.TorchSharp.Tests;

/// <summary>
/// Why every test of this suite must be reported as skipped, if it must: build/torch-tests.sh sets
/// ASCEND_TORCH_TESTS_SKIP when libtorch cannot run here (libstdc++ older than GCC 13 and no Debian 13
/// root could be used), so the count line shows the tests as skipped, with the reason, instead of
/// hiding them or failing on a missing GLIBCXX symbol.
/// </summary>
internal static class TorchTestEnvironment
{
    public const string SkipVariable = "ASCEND_TORCH_TESTS_SKIP";

    public static string? SkipReason
    {
        get
        {
            string? reason = Environment.GetEnvironmentVariable(SkipVariable);
            return string.IsNullOrWhiteSpace(reason) ? null : $"TorchSharp (libtorch) cannot run on this host: {reason}";
        }
    }
}

/// <summary>A fact that is skipped, with the runner's reason, where libtorch cannot run.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = TorchTestEnvironment.SkipReason;
}

/// <summary>A theory that is skipped, with the runner's reason, where libtorch cannot run.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber) => Skip = TorchTestEnvironment.SkipReason;
}
