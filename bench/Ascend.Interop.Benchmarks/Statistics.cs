namespace Ascend.Interop.Benchmarks;

/// <summary>The one median of the bench tools (BenchmarkDotNet and Google Benchmark reports, commit comparisons, paired runs).</summary>
public static class Statistics
{
    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0) throw new ArgumentException("The median of no values.", nameof(values));
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
