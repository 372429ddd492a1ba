using Ascend.Interop.FrameworkSample;

// Usage: dotnet run --project samples/Ascend.Interop.FrameworkSample -- [--steps N] [--batch B]
int steps = 4, batch = 4;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--steps" when i + 1 < args.Length && int.TryParse(args[i + 1], out int s) && s > 0:
            steps = s; i++;
            break;
        case "--batch" when i + 1 < args.Length && int.TryParse(args[i + 1], out int b) && b > 0:
            batch = b; i++;
            break;
        default:
            Console.Error.WriteLine($"framework-sample: unknown or invalid option '{args[i]}'. Options: --steps N (N > 0), --batch B (B > 0).");
            return 2;
    }
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
double error = await FrameworkSampleRun.RunAsync(Console.Out, steps, batch, cancel.Token);
return error <= 1e-4 ? 0 : 1;
