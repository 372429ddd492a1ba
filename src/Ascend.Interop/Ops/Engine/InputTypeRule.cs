namespace Ascend.Interop;

/// <summary>Checks the data types of a call's inputs (and tensor lists); throws naming operator and argument.</summary>
internal delegate void InputTypeRule(in OperatorCall call);
