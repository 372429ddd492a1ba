namespace Ascend.Interop;

/// <summary>
/// A call into AscendCL (or aclnn) returned a non-success code. Carries the numeric code, its
/// symbolic name, the C function that failed and the runtime's own message
/// (<c>aclGetRecentErrMsg</c>, read on the failing thread right after the call).
/// </summary>
public class AclException : Exception
{
    /// <summary>Creates the exception for <paramref name="code"/> returned by <paramref name="function"/>.</summary>
    public AclException(int code, string function, string? runtimeMessage, string? context = null, Exception? inner = null)
        : base(Format(code, function, runtimeMessage, context), inner)
    {
        Code = code;
        Function = function;
        RuntimeMessage = runtimeMessage;
    }

    /// <summary>The numeric <c>aclError</c> / <c>aclnnStatus</c>.</summary>
    public int Code { get; }

    /// <summary>The symbolic name of <see cref="Code"/>, e.g. <c>ACL_ERROR_RT_STREAM_CAPTURED</c> (an <c>HcclResult</c>
    /// name such as <c>HCCL_E_TIMEOUT</c> for an HCCL failure: derived exceptions name codes of their own library).</summary>
    public virtual string CodeName => AclErrorCodes.NameOf(Code);

    /// <summary>The C function that returned the code.</summary>
    public string Function { get; }

    /// <summary>The runtime's message for the failure, when it gave one.</summary>
    public string? RuntimeMessage { get; }

    private static string Format(int code, string function, string? runtimeMessage, string? context)
    {
        var text = $"{function} failed with {code} ({AclErrorCodes.NameOf(code)})";
        if (!string.IsNullOrEmpty(context)) text += $" while {context}";
        var explanation = AclErrorCodes.ExplanationOf(code);
        if (explanation.Length > 0) text += $". {explanation}";
        if (!string.IsNullOrWhiteSpace(runtimeMessage)) text += $" Runtime message: {runtimeMessage.Trim()}";
        return text;
    }
}
