using System.Globalization;
using System.Text.RegularExpressions;

namespace Ascend.Interop.Distributed;

/// <summary>
/// An HCCL failure, from either of two places, which <see cref="AclException.Function"/> tells apart:
/// <list type="bullet">
/// <item>an HCCL function refused the call (<c>HcclAllReduce</c>, <c>HcclCommInitRootInfo</c>...):
/// <see cref="AclException.Code"/> is the <c>HcclResult</c> it returned, <see cref="Status"/> the same as an enum;</item>
/// <item>a collective failed while it ran as a stream task (a peer that died or never took part, ranks that disagree on
/// the count, data type, reduction or root), reported by the call that waited on the stream
/// (<c>aclrtSynchronizeStream</c>...): <see cref="AclException.Code"/> is that call's <c>aclError</c>, 507904
/// (<c>ACL_ERROR_RT_COMM_OP_RETRY_FAIL</c>), and <see cref="Status"/> the HCCL cause (as
/// <see cref="NpuCommunicator.AsyncError"/> reports it; <see cref="HcclStatus.Internal"/> when the runtime's message
/// does not name one).</item>
/// </list>
/// <see cref="AclException.RuntimeMessage"/> is the runtime's text; for a disagreement it names both sides' values.
/// </summary>
public sealed partial class HcclException : AclException
{
    /// <summary>The <c>aclError</c> a stream reports when one of its collective tasks failed.</summary>
    internal const int CollectiveTaskFailed = Native.Acl.ACL_ERROR_RT_COMM_OP_RETRY_FAIL;

    private readonly string _message;
    private readonly bool _failedOnStream;

    internal HcclException(HcclStatus status, string function, string? runtimeMessage, string? context)
        : base((int)status, function, runtimeMessage, context)
    {
        Status = status;
        var text = $"{function} failed with HcclResult {(int)status} ({status.CName()})";
        if (!string.IsNullOrEmpty(context)) text += $" while {context}";
        _message = Finish(text, status, runtimeMessage);
    }

    private HcclException(HcclStatus status, string function, string context, string message, Exception inner)
        : base((int)status, function, null, context, inner)
    {
        Status = status;
        _message = message;
    }

    private HcclException(int code, HcclStatus status, string function, string? runtimeMessage, string? context)
        : base(code, function, runtimeMessage, context)
    {
        Status = status;
        _failedOnStream = true;
        var text = $"{function} failed with {code} ({AclErrorCodes.NameOf(code)})";
        if (!string.IsNullOrEmpty(context)) text += $" while {context}";
        text += $": a collective (HCCL) task failed on the stream, HCCL cause {(int)status} ({status.CName()})";
        _message = Finish(text, status, runtimeMessage);
    }

    /// <summary>The HCCL library could not be loaded (<see cref="HcclStatus.NotFound"/>; the reason, with every path
    /// tried and the package to install, is the inner <see cref="Native.NativeLibraryNotFoundException"/>).</summary>
    internal static HcclException LibraryMissing(string function, string context, Native.NativeLibraryNotFoundException inner) =>
        new(HcclStatus.NotFound, function, context,
            $"{function} could not be called while {context}: the HCCL library is not available ({HcclStatus.NotFound.CName()}). {inner.Message}", inner);

    /// <summary>A collective task failed on a stream and <paramref name="function"/>, waiting on it, returned
    /// <paramref name="code"/> (<see cref="CollectiveTaskFailed"/>); the cause is read from the runtime's message
    /// ("HcclResult N"), as the simulator writes it.</summary>
    internal static HcclException FailedOnStream(int code, string function, string? runtimeMessage, string? context)
    {
        HcclStatus status = HcclStatus.Internal;
        if (runtimeMessage is not null && CauseInMessage().Match(runtimeMessage) is { Success: true } m &&
            int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int cause) && cause != 0)
        {
            status = (HcclStatus)cause;
        }
        return new HcclException(code, status, function, runtimeMessage, context);
    }

    /// <summary>The HCCL result: what the HCCL function returned, or the cause of a collective that failed on a stream.</summary>
    public HcclStatus Status { get; }

    /// <summary>The name of <see cref="AclException.Code"/>: the <c>HcclResult</c> an HCCL function returned
    /// (<c>HCCL_E_TIMEOUT</c>), or the <c>aclError</c> of the call that found a collective failed on its stream
    /// (<c>ACL_ERROR_RT_COMM_OP_RETRY_FAIL</c>).</summary>
    public override string CodeName => _failedOnStream ? AclErrorCodes.NameOf(Code) : Status.CName();

    /// <inheritdoc />
    public override string Message => _message;

    private static string Finish(string text, HcclStatus status, string? runtimeMessage)
    {
        string hint = Hint(status);
        if (hint.Length > 0) text += $". {hint}";
        if (!string.IsNullOrWhiteSpace(runtimeMessage)) text += $" Runtime message: {runtimeMessage.Trim()}";
        return text;
    }

    private static string Hint(HcclStatus status) => status switch
    {
        HcclStatus.Timeout => "A rank did not join or take part in time: check that every rank runs, uses the same root info and issues the same collectives in the same order.",
        HcclStatus.NotSupported => "The data type or reduction is not supported by HCCL for this operation.",
        HcclStatus.InvalidParameter => "An argument was refused, or the ranks disagree on a collective's arguments (the runtime message names both values).",
        _ => "",
    };

    [GeneratedRegex(@"HcclResult (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex CauseInMessage();
}
