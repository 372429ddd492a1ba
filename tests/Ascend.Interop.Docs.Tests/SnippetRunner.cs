using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Loader;

namespace Ascend.Interop.Docs.Tests;

/// <summary>Runs a compiled program block in this process (on the simulator), with its console output captured.</summary>
public static class SnippetRunner
{
    /// <summary>The longest a block may run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Loads <paramref name="image"/> into a collectible context (the SDK and its native library are shared with the test
    /// process), calls its entry point and returns what it printed; throws what the block threw, or
    /// <see cref="TimeoutException"/>.
    /// </summary>
    public static string Run(byte[] image, string id)
    {
        var context = new AssemblyLoadContext($"snippet {id}", isCollectible: true);
        var output = new StringWriter();
        var previousOut = Console.Out;
        Exception? failure = null;
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            var entry = assembly.EntryPoint ?? throw new InvalidOperationException($"{id} compiled without an entry point.");
            Console.SetOut(output);
            var thread = new Thread(() =>
            {
                try
                {
                    object?[] args = entry.GetParameters().Length == 0 ? [] : [Array.Empty<string>()];
                    object? result = entry.Invoke(null, args);
                    if (result is Task task) task.GetAwaiter().GetResult();
                    int code = result switch { int c => c, Task<int> t => t.Result, _ => 0 };
                    if (code != 0) failure = new InvalidOperationException($"{id} returned exit code {code}.");
                }
                catch (TargetInvocationException e) when (e.InnerException is not null)
                {
                    failure = e.InnerException;
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }) { IsBackground = true, Name = $"snippet {id}" };
            thread.Start();
            if (!thread.Join(Timeout)) throw new TimeoutException($"{id} did not finish within {Timeout.TotalSeconds} s. It printed:\n{output}");
        }
        finally
        {
            Console.SetOut(previousOut);
            context.Unload();
        }
        if (failure is not null)
        {
            throw new SnippetRunException($"{id} threw {failure.GetType().Name}: {failure.Message}\nIt printed:\n{output}", failure);
        }
        return output.ToString();
    }
}

/// <summary>A block that compiled but failed when run.</summary>
public sealed class SnippetRunException(string message, Exception inner) : Exception(message, inner);
