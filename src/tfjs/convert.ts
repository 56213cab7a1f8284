// Converting between a TF.js model built on our layers and our SequenceModel (and so its
// safetensors model files): input (an optional tf.layers.embedding) -> one PowerLawLSTM or
// FastLSTM -> tf.layers.dense, the shape of a SequenceModel with one recurrent layer and a
// linear head on the last step ('last': returnSequences false) or on every step ('all').
// Weights are copied (transposed between Keras' layout and ours), so both give the same
// predictions.
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import { gatesOf } from '../cells/registry.js';
import { isPlstmLayer, type InputConfig, type ModelConfig, type RuntimeOptions } from '../model/config.js';
import { SequenceModel } from '../model/sequence-model.js';
import { deserializeModel, serializeModel } from '../model/serialize.js';
import { transpose } from './keras-layout.js';
import { PowerLawLSTM } from './power-law-lstm.js';
import { FastLSTM } from './fast-lstm.js';
import type { FusedRecurrent } from './fused-recurrent.js';

/** Options of sequenceModelToTfjs. */
export interface ToTfjsOptions {
  /** Steps per sequence in the TF.js model's input shape; null (default) takes any length. */
  timeSteps?: number | null;
}

/** Options of tfjsToSequenceModel. */
export interface FromTfjsOptions {
  /** The SequenceModel's loss (TF.js keeps it in compile(), not in the model). Default 'mse'. */
  loss?: 'xent' | 'mse';
  /**
   * How the input is read when the TF.js model has no embedding layer: { kind: 'dense', size: I }
   * (default) or { kind: 'onehot', size: I } (token ids, which TF.js saw as one-hot vectors).
   */
  input?: InputConfig;
  /** The config's seed (it only sets initial weights, which the converter overwrites). Default 0. */
  seed?: number;
  /** Where the SequenceModel runs. Default: our default backend. */
  runtime?: RuntimeOptions;
}

function data(model: SequenceModel, name: string): Float32Array {
  return Float32Array.from(model.parameter(name));
}

/**
 * A tf.Sequential with the same weights and predictions as a SequenceModel of one pLSTM or
 * LSTM layer and a linear head: its output is the head's (logits for 'xent'; apply a softmax
 * yourself). A one-hot input becomes one-hot vectors [B, T, V] in TF.js (tf.oneHot); an
 * embedding becomes tf.layers.embedding on int32 ids [B, T]. Dropout, a training-time
 * setting, is not carried, nor is the loss (TF.js sets it in compile()). Throws ConfigError
 * for a model with no such TF.js form (several layers, bidirectional, a reversed layer under
 * an 'all' head).
 */
export function sequenceModelToTfjs(model: SequenceModel, opts: ToTfjsOptions = {}): tfl.Sequential {
  const cfg = model.config;
  if (cfg.layers.length !== 1) throw new ConfigError(`the TF.js converter takes a model of one recurrent layer, this one has ${cfg.layers.length}`);
  const spec = cfg.layers[0];
  if (spec.cell !== 'plstm' && spec.cell !== 'lstm') throw new ConfigError(`the TF.js converter takes "plstm" and "lstm" layers, not "${spec.cell}"`);
  if (spec.bidirectional) throw new ConfigError('the TF.js converter does not take bidirectional layers');
  const all = cfg.head.steps === 'all';
  if (spec.reverse && all) {
    throw new ConfigError('a reversed layer under an "all" head has no TF.js form (TF.js returns a goBackwards layer\'s outputs in reversed order)');
  }
  const T = opts.timeSteps ?? null;
  const H = spec.hidden;
  const G = gatesOf(spec.cell);
  const net = tfl.sequential();
  let I: number;
  if (cfg.input.kind === 'embedding') {
    I = cfg.input.dim;
    const emb = tfl.layers.embedding({ inputDim: cfg.input.vocab, outputDim: I, inputShape: [T] });
    net.add(emb);
    emb.setWeights([tfc.tensor2d(data(model, 'embedding.weight'), [cfg.input.vocab, I])]);
  } else {
    I = cfg.input.size;
  }
  const common = {
    units: H, returnSequences: all, goBackwards: spec.reverse,
    ...(cfg.input.kind === 'embedding' ? {} : { inputShape: [T, I] }),
  };
  const layer: FusedRecurrent = isPlstmLayer(spec)
    ? new PowerLawLSTM({ ...common, eps: spec.eps, pInit: spec.pInit })
    : new FastLSTM(common);
  net.add(layer);
  const head = tfl.layers.dense({ units: cfg.head.size });
  net.add(head);

  const weights: tfc.Tensor[] = [
    tfc.tensor2d(transpose(model.parameter('layers.0.weight_ih'), G * H, I), [I, G * H]),
    tfc.tensor2d(transpose(model.parameter('layers.0.weight_hh'), G * H, H), [H, G * H]),
    tfc.tensor1d(data(model, 'layers.0.bias')),
  ];
  if (layer instanceof PowerLawLSTM) {
    // A fixed p has no p_param in the model: keep the layer's own logit(p).
    weights.push(layer.pInit.mode === 'fixed' ? layer.pParam!.read().clone() : tfc.tensor1d(data(model, 'layers.0.p_param')));
  }
  layer.setWeights(weights);
  const O = cfg.head.size;
  const headWeights = [tfc.tensor2d(transpose(model.parameter('head.weight'), O, H), [H, O]), tfc.tensor1d(data(model, 'head.bias'))];
  head.setWeights(headWeights);
  tfc.dispose([...weights, ...headWeights]);
  return net;
}

/**
 * A SequenceModel with the same weights and predictions as a TF.js model made of an optional
 * tf.layers.embedding, one PowerLawLSTM or FastLSTM (not returnState; goBackwards only with
 * returnSequences false) and a tf.layers.dense with a linear activation. Call dispose() on it
 * when done. Throws ConfigError for any other TF.js model.
 */
export function tfjsToSequenceModel(net: tfl.LayersModel, opts: FromTfjsOptions = {}): SequenceModel {
  const layers = net.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const shape = layers.map((l) => l.getClassName()).join(' -> ');
  const emb = layers.length === 3 && layers[0].getClassName() === 'Embedding' ? layers[0] : null;
  const rnn = layers[emb === null ? 0 : 1];
  const head = layers[emb === null ? 1 : 2];
  if (layers.length !== (emb === null ? 2 : 3) || !(rnn instanceof PowerLawLSTM || rnn instanceof FastLSTM) || head.getClassName() !== 'Dense') {
    throw new ConfigError(`the TF.js converter takes [Embedding ->] PowerLawLSTM or FastLSTM -> Dense, got ${shape}`);
  }
  const headConfig = head.getConfig();
  if (headConfig.activation !== 'linear' || headConfig.useBias === false) {
    throw new ConfigError('the Dense head must have a linear activation and a bias (our heads are linear; put a softmax in the loss)');
  }
  if (rnn.returnState) throw new ConfigError('the converter takes a recurrent layer without returnState');
  if (rnn.goBackwards && rnn.returnSequences) {
    throw new ConfigError('a goBackwards layer with returnSequences has no SequenceModel form (its outputs are in reversed order)');
  }
  const [kernel, recurrent, bias, pParam] = rnn.getWeights();
  const I = kernel.shape[0];
  const H = rnn.units;
  const G = rnn instanceof PowerLawLSTM ? 3 : 4;
  const O = (head.getConfig().units as number);
  let input: InputConfig;
  if (emb !== null) {
    const [table] = emb.getWeights();
    input = { kind: 'embedding', vocab: table.shape[0], dim: table.shape[1] as number };
  } else {
    input = opts.input ?? { kind: 'dense', size: I };
    if (input.kind === 'embedding' || input.size !== I) throw new ConfigError(`input must be { kind: "dense" | "onehot", size: ${I} } for this model`);
  }
  const layerSpec = rnn instanceof PowerLawLSTM
    ? { cell: 'plstm' as const, hidden: H, eps: rnn.eps, pInit: rnn.pInit, reverse: rnn.goBackwards }
    : { cell: 'lstm' as const, hidden: H, reverse: rnn.goBackwards };
  const config: ModelConfig = {
    input, layers: [layerSpec], head: { size: O, steps: rnn.returnSequences ? 'all' : 'last' },
    loss: opts.loss ?? 'mse', seed: opts.seed ?? 0,
  };
  const model = SequenceModel.create(config, opts.runtime);
  try {
    if (emb !== null) model.parameter('embedding.weight').set(emb.getWeights()[0].dataSync());
    model.parameter('layers.0.weight_ih').set(transpose(kernel.dataSync(), I, G * H));
    model.parameter('layers.0.weight_hh').set(transpose(recurrent.dataSync(), H, G * H));
    model.parameter('layers.0.bias').set(bias.dataSync());
    if (rnn instanceof PowerLawLSTM && rnn.pInit.mode !== 'fixed') model.parameter('layers.0.p_param').set(pParam.dataSync());
    const [hk, hb] = head.getWeights();
    model.parameter('head.weight').set(transpose(hk.dataSync(), H, O));
    model.parameter('head.bias').set(hb.dataSync());
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** A TF.js model from our model file's bytes (safetensors): deserializeModel, then sequenceModelToTfjs. */
export function modelFileToTfjs(bytes: Uint8Array, opts: ToTfjsOptions = {}): tfl.Sequential {
  const { model } = deserializeModel(bytes, { backend: 'js', dtype: 'float32' });
  try {
    return sequenceModelToTfjs(model, opts);
  } finally {
    model.dispose();
  }
}

/** Our model file's bytes (safetensors) from a TF.js model: tfjsToSequenceModel, then serializeModel. */
export function tfjsToModelFile(net: tfl.LayersModel, opts: Omit<FromTfjsOptions, 'runtime'> = {}): Uint8Array {
  const model = tfjsToSequenceModel(net, { ...opts, runtime: { backend: 'js', dtype: 'float32' } });
  try {
    return serializeModel(model);
  } finally {
    model.dispose();
  }
}
