// A TF.js model with the pLSTM layer: recall the first of 20 tokens, trained with model.fit,
// saved and loaded through TF.js, then converted to our model file.
// Run after `npm run build`:  node --import tsx examples/tfjs-layer.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { PowerLawLSTM, tfjsToModelFile } from 'powerlaw-lstm/tfjs';

await tf.setBackend('cpu'); // or 'wasm' (@tensorflow/tfjs-backend-wasm), 'webgl' in a browser
const T = 20, V = 4, N = 512;
const ids = tf.randomUniform([N, T], 0, V, 'int32');
const x = tf.oneHot(ids, V).toFloat(); // [N, T, V]
const y = tf.oneHot(ids.slice([0, 0], [N, 1]).reshape([N]), V).toFloat(); // [N, V]: the first token

const model = tf.sequential();
model.add(new PowerLawLSTM({ units: 32, inputShape: [T, V] })); // returnSequences false: the last step
model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const h = await model.fit(x, y, { epochs: 20, batchSize: 64, verbose: 0 });
console.log('accuracy after 20 epochs:', (h.history.acc as number[]).at(-1), '(chance', 1 / V, ')');

// TF.js's own save and load: the layer is registered, so tf.loadLayersModel finds it.
await model.save(pathToFileURL(join(mkdtempSync(join(tmpdir(), 'plstm-tfjs-')), 'model')).href).catch(() => console.log('(file:// saving needs @tensorflow/tfjs-node)'));

// Our model file: the softmax stays in TF.js, so rebuild the head as a linear one for ours.
const linear = tf.sequential({ layers: [model.layers[0], tf.layers.dense({ units: V })] });
linear.layers[1].setWeights(model.layers[1].getWeights());
const bytes = tfjsToModelFile(linear, { loss: 'xent' });
console.log(`model file: ${bytes.length} bytes (load it with deserializeModel or plstm eval)`);
