using System.Globalization;
using System.Text;

namespace Ascend.Interop.Demo;

/// <summary>What every demo run reports (MLP: <see cref="DemoReport"/>, LLM: <see cref="LlmDemoReport"/>), and the shape of its table.md.</summary>
internal abstract record DemoRunReport
{
    public required string Backend { get; init; }
    public required string SocName { get; init; }
    public required string AclVersion { get; init; }
    public required string Model { get; init; }
    public required string CommandLine { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public TimeSpan Elapsed { get; init; }
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>True when the graph results matched the eager ones.</summary>
    public abstract bool Passed { get; }

    /// <summary>The table and summary as Markdown (table.md).</summary>
    public abstract string ToMarkdown();

    /// <summary>
    /// table.md: the title, the run's facts (date, backend, command, model, then <paramref name="runLines"/>), the caption,
    /// the table (the first <paramref name="leftColumns"/> columns and the last left-aligned, the others right-aligned)
    /// and the summary lines.
    /// </summary>
    protected StringBuilder Markdown(string title, IEnumerable<string> runLines, string caption, string[] columns, int leftColumns,
        IEnumerable<string[]> rows, IEnumerable<string> summaryLines)
    {
        var md = new StringBuilder();
        md.AppendLine("# " + title);
        md.AppendLine();
        md.AppendLine($"- date: {StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine($"- backend: {Backend} ({SocName}, ACL {AclVersion})");
        md.AppendLine($"- command: `Ascend.Interop.Demo{(CommandLine.Length == 0 ? "" : " " + CommandLine)}`");
        md.AppendLine($"- model: {Model}");
        foreach (var line in runLines) md.AppendLine("- " + line);
        md.AppendLine();
        md.AppendLine(caption);
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", columns) + " |");
        md.AppendLine("|" + string.Concat(columns.Select((_, i) => i < leftColumns || i == columns.Length - 1 ? " --- |" : " ---: |")));
        foreach (var cells in rows) md.AppendLine("| " + string.Join(" | ", cells) + " |");
        md.AppendLine();
        foreach (var line in summaryLines) md.AppendLine("- " + line);
        return md;
    }

    /// <summary>Seconds with one decimal, as table.md writes times.</summary>
    protected static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
}
