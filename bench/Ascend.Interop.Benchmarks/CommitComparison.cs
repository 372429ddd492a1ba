using System.Globalization;
using System.Text;
using M = Ascend.Interop.Benchmarks.ResultsReport.Measurement;

namespace Ascend.Interop.Benchmarks;

/// <summary>
/// The table of bench/compare-commits.sh: two commits' runs of the same benchmarks, side by side, with the ratio
/// new/old per row. A round is one run of each commit back to back; with several rounds a row's ratio is the median
/// of its per-round ratios (each compares two runs made minutes apart), and every round's ratio is shown.
/// </summary>
public static class CommitComparison
{
    /// <summary>Rows that must not get slower: host submission and replay (issue 23: by more than 5 %).</summary>
    public static bool IsGated(string row) =>
        row.Contains("Enqueue", StringComparison.Ordinal) || row.Contains("Replay", StringComparison.Ordinal);

    /// <summary>The C++ benchmark (bench/native) that a C# row is measured against, or the row itself.</summary>
    public static string CppCounterpart(string row) => row switch
    {
        "ReplayMlpEnqueueRaw" => "ReplayMlpEnqueue",
        "EagerMlpEnqueueRaw" => "EagerMlpEnqueue",
        "StreamQuerySafe" or "StreamQueryRaw" => "StreamQuery",
        _ => row,
    };

    /// <summary>One commit's measurements in one round: C# rows and the C++ baseline's rows.</summary>
    public sealed record Side(IReadOnlyDictionary<string, M> CSharp, IReadOnlyDictionary<string, M> Cpp);

    /// <summary>One round: the old commit's run and the new one's.</summary>
    public sealed record Round(Side Old, Side New);

    public static int Run(string[] args)
    {
        var olds = new List<string>();
        var news = new List<string>();
        var oldNative = new List<(string File, int Round)>();
        var newNative = new List<(string File, int Round)>();
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string oldLabel = "old", newLabel = "new";
        string? outFile = null, cppFilterDir = null;
        double limit = 1.05;
        bool quick = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--old": olds.Add(Program.Value(args, ref i)); break;
                case "--new": news.Add(Program.Value(args, ref i)); break;
                case "--old-native": oldNative.Add(NativeFile(Program.Value(args, ref i))); break;
                case "--new-native": newNative.Add(NativeFile(Program.Value(args, ref i))); break;
                case "--old-label": oldLabel = Program.Value(args, ref i); break;
                case "--new-label": newLabel = Program.Value(args, ref i); break;
                case "--map":
                    string pair = Program.Value(args, ref i);
                    int eq = pair.IndexOf('=');
                    if (eq <= 0 || eq == pair.Length - 1) throw new ArgumentException($"compare: --map needs OLD=NEW, not '{pair}'.");
                    map[pair[..eq]] = pair[(eq + 1)..];
                    break;
                case "--limit":
                    limit = double.Parse(Program.Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--out": outFile = Program.Value(args, ref i); break;
                case "--quick": quick = true; break;
                case "--cpp-filter": cppFilterDir = Program.Value(args, ref i); break;
                default: throw new ArgumentException($"compare: unknown argument '{args[i]}'.");
            }
        }
        if (cppFilterDir is not null)
        {
            Console.WriteLine(CppFilter(ResultsReport.ReadBenchmarkDotNet(cppFilterDir, out _).Keys));
            return 0;
        }
        if (olds.Count == 0 || olds.Count != news.Count)
            throw new ArgumentException("compare needs --old DIR --new DIR (BenchmarkDotNet results), once per round, as many of each.");

        var rounds = new List<Round>();
        for (int r = 0; r < olds.Count; r++)
        {
            rounds.Add(new Round(
                new Side(Rename(ResultsReport.ReadBenchmarkDotNet(olds[r], out _), map), Native(oldNative, r + 1, map)),
                new Side(ResultsReport.ReadBenchmarkDotNet(news[r], out _), Native(newNative, r + 1, map))));
        }
        string table = BuildTable(rounds, oldLabel, newLabel, limit, quick, out int slower);
        Console.Write(table);
        if (outFile is not null) File.WriteAllText(outFile, table);
        return slower == 0 ? 0 : 1;

        static (string, int) NativeFile(string value)
        {
            // FILE@ROUND (the script's form); a plain FILE belongs to round 1.
            int at = value.LastIndexOf('@');
            return at > 0 && int.TryParse(value[(at + 1)..], CultureInfo.InvariantCulture, out int round) ? (value[..at], round) : (value, 1);
        }

        static Dictionary<string, M> Native(List<(string File, int Round)> files, int round, Dictionary<string, string> map)
        {
            var result = new Dictionary<string, M>(StringComparer.Ordinal);
            foreach (var (file, r) in files)
                if (r == round)
                    foreach (var (name, m) in ResultsReport.ReadGoogleBenchmark(File.ReadAllText(file))) result[name] = m;
            return map.Count == 0 ? result : Rename(result, map);
        }
    }

    /// <summary>A Google Benchmark filter selecting the C++ counterparts of <paramref name="rows"/> (names up to their first '/').</summary>
    public static string CppFilter(IEnumerable<string> rows)
    {
        var names = rows.Select(CppCounterpart).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? "^$" : $"^({string.Join('|', names)})(/|$)";
    }

    private static Dictionary<string, M> Rename(Dictionary<string, M> side, Dictionary<string, string> map)
    {
        var result = new Dictionary<string, M>(StringComparer.Ordinal);
        foreach (var (name, m) in side) result[map.TryGetValue(name, out var renamed) ? renamed : name] = m;
        return result;
    }

    /// <summary>
    /// The Markdown table; <paramref name="slower"/> counts the gated rows (<see cref="IsGated"/>) whose median ratio
    /// new/old is above <paramref name="limit"/>.
    /// </summary>
    public static string BuildTable(IReadOnlyList<Round> rounds, string oldLabel, string newLabel, double limit, bool quick, out int slower)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        // Rows in the new commit's order, then the ones only the old commit has.
        var rows = rounds.SelectMany(r => r.New.CSharp.Keys).Concat(rounds.SelectMany(r => r.Old.CSharp.Keys))
            .Distinct(StringComparer.Ordinal).ToList();
        sb.AppendLine($"Old `{oldLabel}` against new `{newLabel}`, {rounds.Count} round(s) back to back{(quick ? ", **quick mode** (ShortRun): indicative only" : "")}.");
        sb.AppendLine("Medians per operation; new/old is the median of the per-round ratios (each round's in brackets); C++ new/old is the same C calls on each commit's own simulator library.");
        sb.AppendLine();
        sb.AppendLine("| Row | Old | New | New/old | Rounds | C++ new/old | C#/C++ old | C#/C++ new | Allocated old / new | |");
        sb.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---|");
        int over = 0;
        foreach (var row in rows)
        {
            string cpp = CppCounterpart(row);
            var ratios = PerRound(rounds, r => Div(r.New.CSharp, row, r.Old.CSharp, row));
            var cppRatios = PerRound(rounds, r => Div(r.New.Cpp, cpp, r.Old.Cpp, cpp));
            double? ratio = Median(ratios);
            string flag = "";
            if (ratio is null) flag = rounds.Any(r => r.New.CSharp.ContainsKey(row)) ? "new only" : "old only";
            else if (IsGated(row) && ratio > limit)
            {
                flag = $"**slower than {limit.ToString("0.00", inv)}x**";
                over++;
            }
            sb.AppendLine($"| {row} | {ResultsReport.Time(Median(PerRound(rounds, r => Ns(r.Old.CSharp, row))))} | {ResultsReport.Time(Median(PerRound(rounds, r => Ns(r.New.CSharp, row))))} " +
                          $"| {ResultsReport.Ratio(ratio)} | {string.Join(" ", ratios.Select(x => x is null ? "-" : x.Value.ToString("0.000", inv)))} " +
                          $"| {ResultsReport.Ratio(Median(cppRatios))} | {ResultsReport.Ratio(Median(PerRound(rounds, r => Div(r.Old.CSharp, row, r.Old.Cpp, cpp))))} " +
                          $"| {ResultsReport.Ratio(Median(PerRound(rounds, r => Div(r.New.CSharp, row, r.New.Cpp, cpp))))} " +
                          $"| {Bytes(rounds.Select(r => Alloc(r.Old.CSharp, row)).Max())} / {Bytes(rounds.Select(r => Alloc(r.New.CSharp, row)).Max())} | {flag} |");
        }
        sb.AppendLine();
        sb.AppendLine("| Issue 23 target | Old | New | Target |");
        sb.AppendLine("|---|---:|---:|---|");
        void Derived(string label, Func<Side, double?> value, string format, string target)
        {
            string Cell(Func<Round, Side> side) => Median(PerRound(rounds, r => value(side(r)))) is { } v ? v.ToString(format, inv) : "n/a";
            sb.AppendLine($"| {label} | {Cell(r => r.Old)} | {Cell(r => r.New)} | {target} |");
        }
        Derived("Replay enqueue, SDK / raw binding (ReplayMlpEnqueue / ReplayMlpEnqueueRaw)", s => Div(s.CSharp, "ReplayMlpEnqueue", s.CSharp, "ReplayMlpEnqueueRaw"), "0.000", "<= 1.15");
        Derived("Eager MLP enqueue, C# / C++ (EagerMlpEnqueue)", s => Div(s.CSharp, "EagerMlpEnqueue", s.Cpp, "EagerMlpEnqueue"), "0.000", "<= 1.10");
        Derived("Eager MLP enqueue, SDK / raw bindings in the same process (EagerMlpEnqueue / EagerMlpEnqueueRaw)",
            s => Div(s.CSharp, "EagerMlpEnqueue", s.CSharp, "EagerMlpEnqueueRaw"), "0.000", "");
        Derived("Safe-layer trivial call minus raw binding, ns (StreamQuerySafe - StreamQueryRaw)",
            s => Ns(s.CSharp, "StreamQuerySafe") - Ns(s.CSharp, "StreamQueryRaw"), "0.0", "<= 5");
        sb.AppendLine();
        sb.AppendLine(over == 0
            ? $"No enqueue or replay row is slower than {limit.ToString("0.00", inv)}x old."
            : $"{over} enqueue or replay row(s) slower than {limit.ToString("0.00", inv)}x old.");
        slower = over;
        return sb.ToString();
    }

    private static List<double?> PerRound(IReadOnlyList<Round> rounds, Func<Round, double?> value) => rounds.Select(value).ToList();

    private static double? Ns(IReadOnlyDictionary<string, M> side, string row) => side.TryGetValue(row, out var m) ? m.MedianNs : null;

    private static long? Alloc(IReadOnlyDictionary<string, M> side, string row) => side.TryGetValue(row, out var m) ? m.AllocatedBytes : null;

    private static double? Div(IReadOnlyDictionary<string, M> a, string an, IReadOnlyDictionary<string, M> b, string bn) =>
        a.TryGetValue(an, out var x) && b.TryGetValue(bn, out var y) && y.MedianNs > 0 ? x.MedianNs / y.MedianNs : null;

    /// <summary>The median of the values present (null when none is).</summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var present = values.OfType<double>().ToList();
        return present.Count == 0 ? null : Statistics.Median(present);
    }

    private static string Bytes(long? b) => b is null ? "-" : b.Value.ToString(CultureInfo.InvariantCulture) + " B";
}
