// `plstm export --format onnx MODEL --out FILE.onnx`: a model file (plstm train's checkpoints,
// saveModel) or a forecaster file (plstm forecast fit) as one ONNX graph (powerlaw-lstm/onnx),
// to serve with ONNX Runtime. A forecaster's settings and scalers go into the graph's
// metadata. The file is written whole or not at all, and an existing one only with --force.
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DataError } from '../errors.js';
import { deserializeModel } from '../model/serialize.js';
import type { SequenceModel } from '../model/sequence-model.js';
import { Forecaster } from '../forecast/forecaster.js';
import { exportOnnx, ONNX_OPSET } from '../onnx/export.js';
import { META_KEY } from '../forecast/file-format.js';
import { refuseOverwrite, writeFileAtomic } from '../node/write-atomic.js';
import { UsageError } from './usage-error.js';

/** Formats `plstm export` writes. */
const FORMATS = ['onnx'];

/** The shapes of the graph's input and output, for the one line the command prints. */
function signature(model: SequenceModel): string {
  const c = model.config;
  const x = c.input.kind === 'dense' ? `x float32 [batch, time, ${c.input.size}]` : 'x int64 [batch, time]';
  const y = c.head.steps === 'all' ? `y float32 [batch, time, ${c.head.size}]` : `y float32 [batch, ${c.head.size}]`;
  return `${x} -> ${y}`;
}

export function registerExport(program: Command): void {
  program.command('export')
    .description('write a model file or a forecaster file as another format (onnx: one ONNX graph for ONNX Runtime)')
    .argument('<model>', 'model file (plstm train, saveModel) or forecaster file (plstm forecast fit)')
    .option('--format <name>', `what to write: ${FORMATS.join(' | ')} (required)`)
    .option('--out <file>', 'file to write, e.g. model.onnx (required)')
    .option('--force', 'replace --out if it exists')
    .action((file: string, f: Record<string, unknown>) => {
      const format = f.format as string | undefined;
      if (format === undefined) throw new UsageError(`--format is required: ${FORMATS.join(' | ')}`);
      if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${format}": use ${FORMATS.join(' | ')}`);
      const out = f.out as string | undefined;
      if (out === undefined) throw new UsageError('--out is required: the .onnx file to write');
      refuseOverwrite(out, f.force === true);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new DataError(`cannot read model file ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? err)}`);
      }
      // the js backend: export only reads the weights, so no kernels or worker threads are started
      const runtime = { backend: 'js' } as const;
      const what = `model file ${file}`;
      const { model, meta } = deserializeModel(bytes, runtime, what);
      let forecaster: Forecaster | null = null;
      let onnx: Uint8Array;
      try {
        if (META_KEY in meta) {
          model.dispose();
          forecaster = Forecaster.fromBytes(bytes, runtime, what);
          onnx = exportOnnx(forecaster);
        } else {
          onnx = exportOnnx(model);
        }
        const net = forecaster?.sequenceModel ?? model;
        if (!statSync(dirname(out), { throwIfNoEntry: false })?.isDirectory()) {
          throw new DataError(`cannot write ${out}: its folder ${dirname(out)} does not exist`);
        }
        try {
          writeFileAtomic(out, onnx);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === undefined) throw err;
          throw new DataError(`cannot write ${out}: ${code}`);
        }
        process.stdout.write(`wrote ${out} (${onnx.length} bytes, ONNX opset ${ONNX_OPSET}): ${forecaster !== null ? 'forecaster network, ' : ''}${signature(net)}\n`);
      } finally {
        forecaster?.dispose();
        model.dispose();
      }
    });
}
