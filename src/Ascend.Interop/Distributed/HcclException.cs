namespace Ascend.Interop.Distributed;

/// <summary>
/// An HCCL function returned a failure. <see cref="AclException.Code"/> holds the numeric
/// <c>HcclResult</c>, <see cref="Status"/> the same as an enum, <see cref="AclException.Function"/> the
/// C function (e.g. <c>HcclAllReduce</c>) and <see cref="AclException.RuntimeMessage"/> the runtime's text.
/// </summary>
public sealed class HcclException : AclException
{
    private readonly string _message;

    internal HcclException(HcclStatus status, string function, string? runtimeMessage, string? context)
        : base((int)status, function, runtimeMessage, context)
    {
        Status = status;
        var text = $"{function} failed with HcclResult {(int)status} ({status.CName()})";
        if (!string.IsNullOrEmpty(context)) text += $" while {context}";
        string hint = Hint(status);
        if (hint.Length > 0) text += $". {hint}";
        if (!string.IsNullOrWhiteSpace(runtimeMessage)) text += $" Runtime message: {runtimeMessage.Trim()}";
        _message = text;
    }

    private HcclException(HcclStatus status, string function, string context, string message, Exception inner)
        : base((int)status, function, null, context, inner)
    {
        Status = status;
        _message = message;
    }

    /// <summary>The HCCL library could not be loaded (<see cref="HcclStatus.NotFound"/>; the reason, with every path
    /// tried and the package to install, is the inner <see cref="Native.NativeLibraryNotFoundException"/>).</summary>
    internal static HcclException LibraryMissing(string function, string context, Native.NativeLibraryNotFoundException inner) =>
        new(HcclStatus.NotFound, function, context,
            $"{function} could not be called while {context}: the HCCL library is not available ({HcclStatus.NotFound.CName()}). {inner.Message}", inner);

    /// <summary>The HCCL result code.</summary>
    public HcclStatus Status { get; }

    /// <summary>The C name of the <c>HcclResult</c>, e.g. <c>HCCL_E_TIMEOUT</c> (<see cref="AclException.Code"/> is an HCCL code, not an <c>aclError</c>).</summary>
    public override string CodeName => Status.CName();

    /// <inheritdoc />
    public override string Message => _message;

    private static string Hint(HcclStatus status) => status switch
    {
        HcclStatus.Timeout => "A rank did not join or take part in time: check that every rank runs, uses the same root info and issues the same collectives in the same order.",
        HcclStatus.NotSupported => "The data type or reduction is not supported by HCCL for this operation.",
        _ => "",
    };
}
