namespace Ascend.Interop;

/// <summary>Checks a call's input shapes (and shape-dependent attributes) and states each output's shape in <paramref name="shapes"/>.</summary>
internal delegate void ShapeRule(in OperatorCall call, ref OutputShapes shapes);
