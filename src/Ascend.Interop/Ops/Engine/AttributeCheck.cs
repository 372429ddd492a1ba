namespace Ascend.Interop;

/// <summary>Checks attribute <c>index</c> of a call; throws naming the operator and attribute.</summary>
internal delegate void AttributeCheck(in OperatorCall call, int index, string name);
