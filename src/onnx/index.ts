// powerlaw-lstm/onnx: a SequenceModel (or a Forecaster's network) as an ONNX graph, to serve
// with ONNX Runtime (onnxruntime-web in browsers and Node, onnxruntime in Python, C#, Java,
// C++ and on GPUs). Writing the graph needs nothing beyond this package; see docs/onnx.md.
export { exportOnnx, ONNX_OPSET, CONFIG_KEY, type OnnxExportOptions, type OnnxExportable } from './export.js';
