using System.Diagnostics;
using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>
/// What every demo run (MLP or LLM) holds: the runtime on the backend the options ask for, device 0 and one stream,
/// the output folder and the files written to it, and the run's clock. The runners build their models on top and
/// hand their report to <see cref="Finish"/>, which writes table.md.
/// </summary>
internal sealed class DemoSession : IDisposable
{
    private readonly Stopwatch _clock;
    private readonly List<string> _files = [];

    private DemoSession(DemoOptions options)
    {
        StartedAt = DateTimeOffset.UtcNow;
        _clock = Stopwatch.StartNew();
        SelectBackend(options.Backend);
        Runtime = NpuRuntime.Initialize();
        try
        {
            Device = NpuDevice.Open(0);
            Stream = Device.CreateStream();
            if (options.Backend == DemoBackend.Sim && !IsSimulator || options.Backend == DemoBackend.Cann && IsSimulator)
                throw new InvalidOperationException(
                    $"--backend {options.Backend.ToString().ToLowerInvariant()} was asked for, but the native backend was already chosen ({Runtime.Backend}) earlier in this process.");
            // Fail before the long phases when the output folder cannot be made.
            OutputDirectory = Path.GetFullPath(options.OutputDirectory);
            Directory.CreateDirectory(OutputDirectory);
        }
        catch
        {
            Stream?.Dispose();
            Device?.Dispose();
            Runtime.Dispose();
            throw;
        }
    }

    /// <summary>Selects the backend, opens the runtime, device 0 and a stream, and creates the output folder.</summary>
    public static DemoSession Open(DemoOptions options) => new(options);

    /// <summary>Sets ASCEND_INTEROP_BACKEND for the choice made at the first native call (no effect after it).</summary>
    public static void SelectBackend(DemoBackend backend)
    {
        if (backend == DemoBackend.Auto && Environment.GetEnvironmentVariable("ASCEND_INTEROP_BACKEND") is null) return;
        Environment.SetEnvironmentVariable("ASCEND_INTEROP_BACKEND", backend.ToString().ToLowerInvariant());
    }

    public NpuRuntime Runtime { get; }
    public NpuDevice Device { get; }
    public NpuStream Stream { get; }
    public bool IsSimulator => Runtime.Backend == NpuBackend.Simulator;
    public string OutputDirectory { get; }
    public DateTimeOffset StartedAt { get; }

    /// <summary>The note on the SVG picture when none was written (Graphviz missing or failing), for the console.</summary>
    public string? SvgNote { get; private set; }

    /// <summary>Writes <paramref name="name"/>.dot, .svg (when Graphviz is there), .json and .txt of <paramref name="graph"/>.</summary>
    public void WriteGraphFiles(NpuGraph graph, string name)
    {
        string dotPath = Path.Combine(OutputDirectory, name + ".dot");
        File.WriteAllText(dotPath, graph.ToDot());
        _files.Add(dotPath);
        string? svgPath = GraphvizSvg(dotPath, out string? svgNote);
        SvgNote = svgNote;
        if (svgPath is not null) _files.Add(svgPath);
        string jsonPath = Path.Combine(OutputDirectory, name + ".json");
        graph.DumpJson(jsonPath);
        _files.Add(jsonPath);
        string describePath = Path.Combine(OutputDirectory, name + ".txt");
        File.WriteAllText(describePath, graph.Describe());
        _files.Add(describePath);
    }

    /// <summary>Stamps the run time and the files (table.md last) on <paramref name="report"/> and writes its table.md.</summary>
    public TReport Finish<TReport>(TReport report) where TReport : DemoRunReport
    {
        string tablePath = Path.Combine(OutputDirectory, "table.md");
        _files.Add(tablePath);
        var finished = (TReport)((DemoRunReport)report with { Elapsed = _clock.Elapsed, Files = _files.ToArray() });
        File.WriteAllText(tablePath, finished.ToMarkdown());
        return finished;
    }

    /// <summary>The lines after a run's table and summary: the files written, the SVG note, the run time.</summary>
    public void PrintFiles(IAnsiConsole console, DemoRunReport report)
    {
        console.MarkupLine($"Wrote {report.Files.Count} files to [blue]{Markup.Escape(Path.GetDirectoryName(report.Files[0])!)}[/]:");
        foreach (var file in report.Files) console.WriteLine("  " + file);
        if (SvgNote is not null) console.WriteLine(SvgNote);
        console.WriteLine($"Done in {report.Elapsed.TotalSeconds:F1} s.");
    }

    public void Dispose()
    {
        Stream.Dispose();
        Device.Dispose();
        Runtime.Dispose();
    }

    /// <summary>Runs Graphviz (<c>dot -Tsvg</c>) when it is on PATH; returns the SVG path or null with a note.</summary>
    internal static string? GraphvizSvg(string dotPath, out string? note)
    {
        note = null;
        string? dot = FindOnPath("dot");
        if (dot is null)
        {
            note = "Graphviz 'dot' is not on PATH: no SVG written (install graphviz to get one; the .dot file opens in any Graphviz viewer).";
            return null;
        }
        string svgPath = Path.ChangeExtension(dotPath, ".svg");
        try
        {
            var start = new ProcessStartInfo(dot)
            {
                ArgumentList = { "-Tsvg", dotPath, "-o", svgPath },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                note = "Graphviz 'dot' did not finish within 30 s: no SVG written.";
                return null;
            }
            if (process.ExitCode != 0 || !File.Exists(svgPath))
            {
                note = $"Graphviz 'dot' failed (exit {process.ExitCode}): {error.Trim()}";
                return null;
            }
            return svgPath;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            note = $"Graphviz 'dot' could not be run: {e.Message}";
            return null;
        }
    }

    private static string? FindOnPath(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
