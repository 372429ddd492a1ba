namespace Ascend.Interop.BindingsGenerator;

/// <summary>One operator the typed emitter left out, and why.</summary>
internal sealed record SkippedOperator(string Name, string Header, string Reason);
