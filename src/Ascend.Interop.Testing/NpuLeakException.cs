namespace Ascend.Interop.Testing;

/// <summary>A test left NPU resources alive: the message lists each one that grew.</summary>
public sealed class NpuLeakException : Exception
{
    /// <summary>Creates the exception for the given growth lines.</summary>
    public NpuLeakException(string testName, IReadOnlyList<string> leaks)
        : base($"{testName} leaked NPU resources (dispose every stream, event, graph, buffer and tensor it creates):\n  " + string.Join("\n  ", leaks))
    {
        Leaks = leaks;
    }

    /// <summary>One line per leaked resource kind.</summary>
    public IReadOnlyList<string> Leaks { get; }
}
