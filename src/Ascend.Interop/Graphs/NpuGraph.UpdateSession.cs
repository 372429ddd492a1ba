using static Ascend.Interop.Native.Acl;

namespace Ascend.Interop;

// What an update leaves behind: the re-issued operations of one pass (UpdateSession), and streams a failed
// TaskUpdateEnd may have left in task-update mode (StuckTaskUpdate).
public sealed partial class NpuGraph
{
    /// <summary>
    /// A stream whose <c>aclmdlRICaptureTaskUpdateEnd</c> failed for no reason the SDK saw: the runtime may still hold it
    /// in task-update mode for <see cref="Group"/>, so it is refused for updates and captures until disposed.
    /// </summary>
    internal sealed record StuckTaskUpdate(NpuGraph Graph, NpuTaskGroup Group, int Code)
    {
        public InvalidOperationException Unusable(NpuStream stream, string operation) => new(
            $"{operation}: {stream} may still be in the task update of group '{Group.Name}'{(Graph._name is null ? "" : $" of graph '{Graph._name}'")} " +
            $"whose aclmdlRICaptureTaskUpdateEnd failed ({Code}, {AclErrorCodes.NameOf(Code)}); the runtime has no call that leaves update mode " +
            "without applying the update. Dispose this stream (destroying it discards the update; the group stays unchanged) and use another one.");
    }

    /// <summary>
    /// Ends the task updates this graph's failed updates may have left open (before the model is destroyed, which the
    /// runtime refuses while a stream updates it): whatever End applies goes away with the model.
    /// </summary>
    private unsafe void EndStuckUpdates()
    {
        foreach (var stream in _stuckStreams)
        {
            if (stream.StuckUpdate is not { } stuck || !ReferenceEquals(stuck.Graph, this)) continue;
            if (!stream.IsDisposed)
            {
                try
                {
                    using (var lease = stream.EnterForCleanup())
                        _ = aclmdlRICaptureTaskUpdateEnd(stream.Native(lease));   // fails harmlessly when the runtime had left update mode
                    stream.SynchronizeForCleanup();
                }
                catch (ObjectDisposedException) { }
                catch (AclException) { }
            }
            stream.StuckUpdate = null;
            stuck.Group.StuckOn = null;
        }
        _stuckStreams.Clear();
    }

    /// <summary>
    /// The operations re-issued on a stream during <see cref="Update"/>: only their names are kept (the
    /// update's check is on count and kinds). Each task group keeps one dry and one real session and reuses
    /// them (<see cref="NpuTaskGroup.Session"/>), so they allocate only while their name list grows.
    /// </summary>
    internal sealed class UpdateSession(NpuGraph graph, NpuTaskGroup group, bool dryRun)
    {
        private readonly List<string> _reissued = new();
        private int _attempted;

        public NpuGraph Graph { get; } = graph;

        /// <summary>True for the validating pass: operations are checked and recorded, not launched.</summary>
        public bool DryRun { get; } = dryRun;

        /// <summary>The dry pass: the signature of each re-issued operation (unset for work that is not a declared aclnn operator).</summary>
        public SignatureList Signatures { get; } = new();

        /// <summary>Starts a new pass of an update.</summary>
        public void Reset()
        {
            _reissued.Clear();
            _attempted = 0;
            Signatures.Clear();
        }

        /// <summary>
        /// The dry pass, before an operator's arguments are made: the signature slot of the next re-issued operation
        /// (the caller describes the launch into it), or null in the real pass, which needs none.
        /// </summary>
        public ArgumentSignature? NextSignature() => DryRun ? Signatures.At(_attempted) : null;

        /// <summary>
        /// The dry pass: true when the group saw <paramref name="signature"/> pass the runtime's validation at this
        /// position (int-array values aside when the operator's rules check them: <see cref="AclnnOperator.IntArrayValuesChecked"/>),
        /// so the operation is checked against the group and noted without its phase 1 (no runtime call).
        /// Throws the group mismatch as <see cref="Accepts"/> does.
        /// </summary>
        public bool AnsweredByCache(AclnnOperator op, ArgumentSignature signature)
        {
            int index = _attempted;
            if (group.Validated.Get(index) is not { } validated || !validated.SameAs(signature, includeIntValues: !op.IntArrayValuesChecked)) return false;
            string function = op.Function;
            if (!Accepts(function, out var mismatch)) throw mismatch;
            Note(function);
            group.CachedValidationCount++;
            NpuMetrics.UpdateValidationsCached.Add(1);
            return true;
        }

        /// <summary>
        /// Checked before each re-issued launch: refuses an operation beyond the group's count or of
        /// another kind than the group has at that position, before the runtime sees it.
        /// </summary>
        public bool Accepts(string name, out NpuCaptureException error)
        {
            var expected = group.Operations;
            int index = _attempted++;
            if (index < expected.Count && expected[index].Name == name)
            {
                error = null!;
                return true;
            }
            string problem = index >= expected.Count
                ? $"The update re-issued more operations than task group '{group.Name}' has ({expected.Count}: {Names(expected)}); {name} would be number {index + 1}."
                : $"Operation {index} of the update is {name} but task group '{group.Name}' has {expected[index].Name} there.";
            error = new NpuCaptureException(ACL_ERROR_STREAM_TASK_GROUP_STATUS, nameof(aclmdlRICaptureTaskUpdateEnd), "NpuGraph.Update",
                $"{problem} The group is unchanged; re-issue exactly the group's operations with new arguments.", Graph.Mode);
            return false;
        }

        /// <summary>Records a re-issued operation by name (the submission path calls this instead of building an <see cref="NpuGraphOperation"/>).</summary>
        public void Note(string name)
        {
            // Work without a signature (not a declared aclnn operator) leaves its entry unset: the pass is then never
            // taken for a no-op update.
            if (DryRun) Signatures.At(_reissued.Count);
            _reissued.Add(name);
        }

        public bool Mismatch(out string description)
        {
            var expected = group.Operations;
            if (_reissued.Count != expected.Count)
            {
                description = $"The update re-issued {_reissued.Count} operation(s) but task group '{group.Name}' has {expected.Count} ({Names(expected)}).";
                return true;
            }
            for (int i = 0; i < expected.Count; i++)
            {
                if (_reissued[i] != expected[i].Name)
                {
                    description = $"Operation {i} of the update is {_reissued[i]} but task group '{group.Name}' has {expected[i].Name} there.";
                    return true;
                }
            }
            description = string.Empty;
            return false;
        }

        private static string Names(List<NpuGraphOperation> operations) =>
            operations.Count == 0 ? "none" : string.Join(", ", operations.Select(o => o.Name));
    }
}
