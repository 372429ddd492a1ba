using System.Diagnostics;
using Spectre.Console;

namespace Ascend.Interop.Demo;

/// <summary>
/// Progress for the longer phases: Spectre.Console's live progress bars on a terminal, and one plain line per
/// finished phase when the output is redirected (CI logs, pipes), so logs stay readable.
/// </summary>
internal sealed class Progress
{
    private readonly ProgressContext? _live;
    private readonly IAnsiConsole _console;

    private Progress(ProgressContext? live, IAnsiConsole console)
    {
        _live = live;
        _console = console;
    }

    public static void Run(IAnsiConsole console, Action<Progress> body)
    {
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn())
                .Start(ctx => body(new Progress(ctx, console)));
        }
        else
        {
            body(new Progress(null, console));
        }
    }

    public Phase Add(string description, long total) =>
        new(_live?.AddTask(Markup.Escape(description), autoStart: true, maxValue: Math.Max(1, total)), description, total, _console);

    /// <summary>One phase: counts steps; <see cref="Done"/> completes it (and prints its line when not live).</summary>
    internal sealed class Phase(ProgressTask? task, string description, long total, IAnsiConsole console)
    {
        private readonly Stopwatch _clock = new();
        private long _count;
        private bool _done;

        public void Increment()
        {
            if (!_clock.IsRunning && !_done) _clock.Start();
            _count++;
            task?.Increment(1);
        }

        public void Done()
        {
            if (_done) return;
            _done = true;
            _clock.Stop();
            if (task is not null)
            {
                task.Value = task.MaxValue;
                task.StopTask();
            }
            else
            {
                console.WriteLine($"  {description}: {_count} of {total} steps in {_clock.Elapsed.TotalSeconds:F2} s");
            }
        }
    }
}
