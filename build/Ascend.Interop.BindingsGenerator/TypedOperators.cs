using System.Globalization;
using System.Text;

namespace Ascend.Interop.BindingsGenerator;

/// <summary>
/// What <see cref="TypedOperatorEmitter"/> wrote: the typed class's file text, the class of the <c>AclnnFunction</c> fields
/// and its file text, the entry points and what it left out.
/// </summary>
internal sealed record TypedOperators(string Text, string FunctionsClass, string FunctionsText, int EntryPoints, IReadOnlyList<SkippedOperator> Skipped)
{
    /// <summary>The lines the run prints and the CANN summary carries.</summary>
    public string Summary(string className)
    {
        var sb = new StringBuilder();
        sb.Append("  typed entry points:    ").Append(EntryPoints.ToString(CultureInfo.InvariantCulture)).Append(" (").Append(className).Append(", ")
            .Append(Skipped.Count.ToString(CultureInfo.InvariantCulture)).Append(" operators skipped)\n");
        foreach (SkippedOperator s in Skipped)
        {
            sb.Append("    skipped ").Append(s.Name).Append(" (").Append(s.Header).Append("): ").Append(s.Reason).Append('\n');
        }
        return sb.ToString();
    }
}
