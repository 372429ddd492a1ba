using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ascend.Interop;

/// <summary>
/// Where the SDK logs: set <see cref="LoggerFactory"/> once at start-up (for example to the host's
/// <c>ILoggerFactory</c>). The SDK logs the backend it selected, capture failures and stream-budget
/// exhaustion; nothing on hot paths.
/// </summary>
public static partial class NpuLogging
{
    private static ILoggerFactory s_factory = NullLoggerFactory.Instance;
    private static ILogger s_logger = NullLogger.Instance;

    /// <summary>The factory the SDK's logger comes from (default: no logging).</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => s_factory;
        set
        {
            s_factory = value ?? NullLoggerFactory.Instance;
            s_logger = s_factory.CreateLogger("Ascend.Interop");
        }
    }

    internal static ILogger Logger => s_logger;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "NPU runtime initialized: backend {Backend}, ACL {Version}, SoC {SocName}, libraries {Libraries}")]
    internal static partial void RuntimeInitialized(ILogger logger, string backend, string version, string socName, string libraries);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Graph capture failed in {Operation} ({Mode} mode): {Code} {CodeName}: {Reason}")]
    internal static partial void CaptureFailed(ILogger logger, string operation, CaptureMode mode, int code, string codeName, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error,
        Message = "No device stream left for a new graph: {Budget}")]
    internal static partial void StreamBudgetExhausted(ILogger logger, string budget);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "Releasing a native object failed: {Function} returned {Code} {CodeName}")]
    internal static partial void ReleaseFailed(ILogger logger, string function, int code, string codeName);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "A tensor was never disposed: its {Bytes} bytes go back to the {Pool} through the finalizer (on the next rent or trim of that pool). Dispose tensors, or create them inside an NpuDisposeScope")]
    internal static partial void TensorReclaimed(ILogger logger, long bytes, string pool);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "A tensor was never disposed and its {Pool} is gone: its {Bytes} bytes were dropped without a driver call")]
    internal static partial void TensorDropped(ILogger logger, long bytes, string pool);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error,
        Message = "Returning the block of a finalized tensor to the {Pool} failed: {Reason}")]
    internal static partial void ReclaimFailed(ILogger logger, string pool, string reason);
}
