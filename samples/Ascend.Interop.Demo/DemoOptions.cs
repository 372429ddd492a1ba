using System.Globalization;

namespace Ascend.Interop.Demo;

/// <summary>Which native backend the demo asks for (through ASCEND_INTEROP_BACKEND, before the first native call).</summary>
internal enum DemoBackend
{
    /// <summary>CANN when installed, else the simulator.</summary>
    Auto,
    /// <summary>The Ascend.Interop simulator.</summary>
    Sim,
    /// <summary>Huawei CANN (fails when it is not installed).</summary>
    Cann,
}

/// <summary>Which model the demo runs.</summary>
internal enum DemoModel
{
    /// <summary>The LLaMA-style decoder (samples/Ascend.Interop.Llm): eager vs graph decoding per batch bucket.</summary>
    Llm,
    /// <summary>The small MLP: eager vs replay per batch size.</summary>
    Mlp,
}

/// <summary>The demo's settings, from the command line (<see cref="Parse"/>) or set directly by tests.</summary>
internal sealed record DemoOptions
{
    public const int DefaultTokens = 8;
    public const int MaxTokens = 256;
    /// <summary>The LLM demo's default sequence counts: one per bucket 1, 2, 4, 8, 16, 32, two of them padded (3 -> 4, 13 -> 16).</summary>
    public static readonly int[] DefaultLlmBatches = [1, 2, 3, 8, 13, 32];

    public const int DefaultIterations = 200;
    public const int MaxIterations = 1_000_000;
    public const int MaxBatchSize = 4096;
    public static readonly int[] DefaultBatchSizes = [1, 2, 4, 8, 16, 32];
    public static readonly string DefaultOutput = Path.Combine("artifacts", "demo");

    public DemoBackend Backend { get; init; } = DemoBackend.Auto;
    public DemoModel Model { get; init; } = DemoModel.Llm;

    /// <summary>LLM: tokens generated per sequence (the first by the prefill).</summary>
    public int Tokens { get; init; } = DefaultTokens;

    /// <summary>
    /// LLM: the graph decode mode the demo shows (its graphs, capture and memory figures); the table measures every
    /// available mode. Null (the default): the fastest exact mode the runtime supports (<see cref="ResolveDecodeMode"/>).
    /// </summary>
    public DemoDecodeMode? DecodeMode { get; init; }

    /// <summary>
    /// The decode mode shown: the one asked for, or by default loop when the runtime has conditional (WHILE) graph nodes
    /// (CANN 9.1.0+), else window. Asking for loop without them is an option error (exit code 2).
    /// </summary>
    public DemoDecodeMode ResolveDecodeMode(bool conditionalNodes, string runtime)
    {
        if (DecodeMode is not { } asked) return conditionalNodes ? DemoDecodeMode.Loop : DemoDecodeMode.Window;
        if (asked == DemoDecodeMode.Loop && !conditionalNodes)
            throw new DemoOptionsException(
                $"--decode-mode loop runs several decode steps in one launch inside a captured WHILE node, which needs conditional graph nodes " +
                $"(CANN 9.1.0+); the loaded runtime ({runtime}) has none. Use --decode-mode window (the default there) or step.");
        return asked;
    }

    /// <summary>LLM: the attention window of the window mode (lengths rounded up to a multiple of it).</summary>
    public int Window { get; init; } = Ascend.Interop.Llm.LlmEngine.DefaultAttentionWindow;

    /// <summary>The windows <c>--window</c> accepts.</summary>
    public static readonly int[] Windows = [32, 64, 128];

    /// <summary>True when --batch-sizes was given (the LLM demo otherwise uses <see cref="DefaultLlmBatches"/>).</summary>
    public bool BatchSizesGiven { get; init; }

    /// <summary>LLM: the decoder's shape (tests use a smaller context); not a command-line option.</summary>
    public Ascend.Interop.Llm.LlmConfig LlmConfig { get; init; } = new();

    /// <summary>The batch sizes the chosen model runs.</summary>
    public IReadOnlyList<int> EffectiveBatchSizes => Model == DemoModel.Llm && !BatchSizesGiven ? DefaultLlmBatches : BatchSizes;
    public int Iterations { get; init; } = DefaultIterations;
    public IReadOnlyList<int> BatchSizes { get; init; } = DefaultBatchSizes;
    public string OutputDirectory { get; init; } = DefaultOutput;

    /// <summary>Hidden width of every layer (tests use a smaller one); not a command-line option.</summary>
    public int Width { get; init; } = 256;

    /// <summary>Hidden number of MatMul + Add + activation layers; not a command-line option.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Seed of the random weights and inputs.</summary>
    public int Seed { get; init; } = 20261127;

    /// <summary>True when --help was asked for.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>The command line as given (for the recorded table).</summary>
    public string CommandLine { get; init; } = "";

    public const string HelpText = """
        Ascend.Interop graph-mode demo.
        llm (default): a LLaMA-style decoder (4 layers, hidden 256, 8 heads, vocab 4096, context 512) generates tokens
        for a few prompts eagerly and in three graph modes (decode steps captured per batch bucket 1..32 into one shared
        pool; step: attention lengths updated through task groups every step; window: attention over window-rounded
        lengths and a device mask, updated only at window boundaries; loop: up to 16 steps per launch inside a WHILE
        node, CANN 9.1+), checks the tokens are the same, and prints per bucket the host submission time per token of
        each mode, the task-group updates each issued, step time, capture time, graph memory (private vs shared vs KV
        cache) and streams.
        mlp: a small MLP run eagerly and as captured graphs for several batch sizes.

        Usage: Ascend.Interop.Demo [options]

        Options:
          --model <llm|mlp>           Which model. Default: llm.
          --tokens <n>                llm: tokens generated per sequence (2..256). Default: 8.
          --decode-mode <step|window|loop>
                                      llm: the graph decode mode shown (graphs written, capture and memory figures;
                                      the table measures eager, step, window and loop either way). step: one attention
                                      task-group update per layer before every replay; window: attention over lengths
                                      rounded up to --window through a device mask the graph keeps, updated only when a
                                      sequence enters a new window; loop: up to 16 steps in one launch inside a WHILE
                                      graph node (positions, tokens and the stop condition on the device; CANN 9.1+).
                                      Default: the fastest exact mode the runtime supports: loop, else window.
          --window <32|64|128>        llm: the window mode's attention window. Default: 64.
          --backend <sim|cann|auto>   Native backend (sets ASCEND_INTEROP_BACKEND). auto: CANN when installed,
                                      else the simulator. Default: auto, or ASCEND_INTEROP_BACKEND when set.
          --iterations <n>            mlp: timed steps per batch size, eager and replay each (1..1000000). Default: 200.
          --batch-sizes <list>        Comma-separated batch sizes (1..4096, no duplicates; llm: sequences, 1..32).
                                      Default: llm 1,2,3,8,13,32; mlp 1,2,4,8,16,32.
          --out <dir>                 Output folder for graph-b*.dot/.svg/.json and table.md. Default: artifacts/demo.
          -h, --help                  Show this help and exit.

        Exit codes: 0 success; 1 graph output (tokens) differs from eager output; 2 bad options; 3 the backend could not be
        loaded or the device failed; 4 the output folder could not be written.
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="DemoOptionsException"/> naming what was wrong.</summary>
    public static DemoOptions Parse(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var options = new DemoOptions { CommandLine = string.Join(' ', args) };
        string? fromEnv = environment("ASCEND_INTEROP_BACKEND");
        bool badEnv = false;
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (TryParseBackend(fromEnv, out var envBackend)) options = options with { Backend = envBackend };
            else badEnv = true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                options = options with { ShowHelp = true };
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new DemoOptionsException($"Unexpected argument '{arg}': the demo takes only options (see --help).");

            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=');
            if (eq >= 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            if (name is not ("--backend" or "--iterations" or "--batch-sizes" or "--out" or "--model" or "--tokens" or "--decode-mode" or "--window"))
                throw new DemoOptionsException($"Unknown option '{name}'. Options: --model, --tokens, --decode-mode, --window, --backend, --iterations, --batch-sizes, --out, --help.");
            if (!seen.Add(name))
                throw new DemoOptionsException($"Option {name} was given more than once.");
            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new DemoOptionsException($"Option {name} needs a value (see --help).");
                value = args[++i];
            }

            options = name switch
            {
                "--backend" => options with { Backend = ParseBackend(value) },
                "--iterations" => options with { Iterations = ParseIterations(value) },
                "--batch-sizes" => options with { BatchSizes = ParseBatchSizes(value), BatchSizesGiven = true },
                "--model" => options with { Model = ParseModel(value) },
                "--tokens" => options with { Tokens = ParseTokens(value) },
                "--decode-mode" => options with { DecodeMode = ParseDecodeMode(value) },
                "--window" => options with { Window = ParseWindow(value) },
                _ => options with { OutputDirectory = ParseOutput(value) },
            };
        }
        if (badEnv && !seen.Contains("--backend") && !options.ShowHelp)
            throw new DemoOptionsException($"ASCEND_INTEROP_BACKEND='{fromEnv}' is not valid: set it to sim, cann or auto, unset it, or pass --backend.");
        return options;
    }

    /// <summary>Checks what depends on the chosen model (called by Program after <see cref="Parse"/>).</summary>
    public DemoOptions Validate()
    {
        if (Model == DemoModel.Llm && BatchSizesGiven)
        {
            int max = LlmConfig.MaxBatch;
            foreach (int b in BatchSizes)
                if (b > max)
                    throw new DemoOptionsException($"--batch-sizes: {b} sequences exceed the decoder's largest bucket ({max}) (--model llm).");
        }
        return this;
    }

    private static bool TryParseBackend(string text, out DemoBackend backend)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "sim": backend = DemoBackend.Sim; return true;
            case "cann": backend = DemoBackend.Cann; return true;
            case "auto": backend = DemoBackend.Auto; return true;
            default: backend = DemoBackend.Auto; return false;
        }
    }

    private static DemoBackend ParseBackend(string value) =>
        TryParseBackend(value, out var backend)
            ? backend
            : throw new DemoOptionsException($"--backend '{value}' is not valid: use sim, cann or auto.");

    private static DemoModel ParseModel(string value) => value.Trim().ToLowerInvariant() switch
    {
        "llm" => DemoModel.Llm,
        "mlp" => DemoModel.Mlp,
        _ => throw new DemoOptionsException($"--model '{value}' is not valid: use llm or mlp."),
    };

    private static DemoDecodeMode ParseDecodeMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "step" => DemoDecodeMode.Step,
        "window" => DemoDecodeMode.Window,
        "loop" => DemoDecodeMode.Loop,
        _ => throw new DemoOptionsException($"--decode-mode '{value}' is not valid: use step, window or loop."),
    };

    private static int ParseWindow(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int w) || Array.IndexOf(Windows, w) < 0)
            throw new DemoOptionsException($"--window '{value}' is not valid: use {string.Join(", ", Windows)}.");
        return w;
    }

    private static int ParseTokens(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 2 || n > MaxTokens)
            throw new DemoOptionsException($"--tokens '{value}' is not valid: give a whole number from 2 to {MaxTokens}.");
        return n;
    }

    private static int ParseIterations(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > MaxIterations)
            throw new DemoOptionsException($"--iterations '{value}' is not valid: give a whole number from 1 to {MaxIterations}.");
        return n;
    }

    private static int[] ParseBatchSizes(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int b) || b < 1 || b > MaxBatchSize)
                throw new DemoOptionsException($"--batch-sizes '{value}': '{part}' is not a batch size from 1 to {MaxBatchSize}.");
            if (sizes.Contains(b))
                throw new DemoOptionsException($"--batch-sizes '{value}': {b} is given twice.");
            sizes.Add(b);
        }
        return sizes.ToArray();
    }

    private static string ParseOutput(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new DemoOptionsException("--out needs a folder name.");
        if (value.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            throw new DemoOptionsException($"--out '{value}' is not a valid path.");
        return value;
    }
}

/// <summary>The LLM demo's graph decode modes (<c>--decode-mode</c>).</summary>
internal enum DemoDecodeMode
{
    /// <summary>Every step updates each layer's attention task group, then replays (<see cref="Ascend.Interop.Llm.DecodeMode.Graph"/>).</summary>
    Step,
    /// <summary>Attention over window-rounded lengths and a device mask; updates only at window boundaries (<see cref="Ascend.Interop.Llm.DecodeMode.Window"/>).</summary>
    Window,
    /// <summary>Up to K steps per launch inside a WHILE node, no update (<see cref="Ascend.Interop.Llm.DecodeMode.Loop"/>; CANN 9.1+).</summary>
    Loop,
}

/// <summary>A bad command line; the message says what was wrong.</summary>
internal sealed class DemoOptionsException(string message) : Exception(message);
