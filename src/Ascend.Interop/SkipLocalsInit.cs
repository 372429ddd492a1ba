// The JIT does not zero this assembly's stack memory (stackalloc buffers, locals whose address is taken) before use:
// the operator and submission paths stackalloc a few small buffers per call. A buffer that must start zeroed is
// cleared where it is made (Span.Clear), and every other one is written before it is read.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
