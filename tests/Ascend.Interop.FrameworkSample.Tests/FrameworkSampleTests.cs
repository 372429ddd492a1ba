using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;

namespace Ascend.Interop.FrameworkSample.Tests;

public sealed partial class FrameworkSampleTests
{
    [Fact]
    public async Task The_sample_replays_its_captured_layer_and_matches_the_host()
    {
        var output = new StringWriter();
        double error = await FrameworkSampleRun.RunAsync(output, steps: 4, batch: 3, TestContext.Current.CancellationToken);
        string text = output.ToString();
        Assert.True(error <= 1e-4, text);
        Assert.Contains("graph=[aclnnMatmul, aclnnAdd, aclnnRelu]", text);
        Assert.Equal(4, StepLine().Matches(text).Count);
        Assert.Equal(2, Regex.Matches(text, "style=ReplayAsync").Count);
        Assert.Equal(2, Regex.Matches(text, "style=SynchronizeAsync").Count);
        // The warm-up ran eagerly; every step is one replay of the graph captured once.
        Assert.Matches(@"framework-sample: check=ok steps=4 replays=4 max_abs_err=", text);
    }

    [Fact]
    public void The_reference_is_relu_of_the_affine_map()
    {
        var x = Tensor.Create(new float[] { 1, 2, -1, 0 }, [2, 2]);
        var w = Tensor.Create(new float[] { 1, -1, 0.5f, 2 }, [2, 2]);
        var b = Tensor.Create(new float[] { 0.25f, -10 }, [2]);
        // row 0: [1*1 + 2*0.5 + 0.25, 1*-1 + 2*2 - 10] = [2.25, -7 -> 0]; row 1: [-1 + 0.25, 1 - 10] = [-0.75 -> 0, 0]
        Assert.Equal([2.25f, 0, 0, 0], FrameworkSampleRun.Reference(x, w, b).ToArray());
    }

    [Fact]
    public void The_sample_as_a_process_prints_check_ok_and_exits_with_zero()
    {
        var (exit, stdout, stderr) = Run("--steps", "3", "--batch", "2");
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("framework-sample: check=ok steps=3 replays=3", stdout);
        var (badExit, _, badErr) = Run("--steps", "0");
        Assert.Equal(2, badExit);
        Assert.Contains("--steps", badErr);
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Ascend.Interop.FrameworkSample.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(process.WaitForExit(60_000), "the sample did not exit within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [GeneratedRegex(@"framework-sample: step=\d+ style=\w+ max_abs_err=")]
    private static partial Regex StepLine();
}
